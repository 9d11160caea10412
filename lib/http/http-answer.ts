import type { LogFields, LogLevel } from '../edges/logger.ts';
import type { QueryParameters } from './query-parameters.ts';
import type { RequestHeaders } from './request-headers.ts';

// What the route table takes and gives, apart from the table itself so every route's file can use it.

/** A request as every entry point (function URL, serverless-offline, node:http) hands it over. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** URLSearchParams, or what reads a query as it does (./query-parameters.ts). */
  readonly query: QueryParameters;
  /** The headers the routes read (./request-headers.ts). */
  readonly headers: RequestHeaders;
  /** Lambda's remaining invocation time, when running in Lambda. */
  readonly remainingTimeMs?: number | undefined;
  /**
   * Lambda's request id; it ties the log lines of one request together. Without one, a UUID is
   * made only when the request's line is written (a healthy probe writes none).
   */
  readonly requestId?: string | undefined;
  /**
   * How many bytes of request body the entry point saw, for check-ins (every other route ignores
   * bodies); an entry point stops counting, and reading, past MAX_CHECK_IN_BODY_BYTES.
   */
  readonly bodyBytes?: number | undefined;
  /** Set by an entry point that knows the request came over TLS (a function URL is https: function-url-event.ts). */
  readonly https?: boolean | undefined;
}

export interface HttpResponse {
  readonly status: number;
  /**
   * Never changed once answered (`npm run serve` keeps the header list of the last object it wrote,
   * ./standalone-server.ts), and without Content-Length: each entry point sets it from the body.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /**
   * True when the route knows the body is all ASCII without scanning it (a warm probe's answer):
   * the server then takes its length as its byte length (./standalone-server.ts).
   */
  readonly bodyIsAscii?: boolean | undefined;
  /** What the request log line should say beyond method, path, status and duration. */
  readonly log?: LogFields;
  /** The least level of the request's line (default debug); a 4xx other than 401 and 404 raises it to warn, a 5xx to error (probe-log.ts). */
  readonly logLevel?: LogLevel;
}

const TEXT = 'text/plain; charset=utf-8';

export function textResponse(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': TEXT, ...headers }, body: body.endsWith('\n') ? body : `${body}\n` };
}

/** What a bug answers, wherever it is caught: the reason goes to the log, never into the answer. */
export const internalError = (): HttpResponse => textResponse(500, 'internal error while handling the request; see the exporter logs');

