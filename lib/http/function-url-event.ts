import type { HttpRequest } from './routes.ts';
import { quote } from '../core/quote.ts';
import { isRecord } from '../core/is-record.ts';
import { base64ByteLength } from '../core/push/check-in-path.ts';
import { RequestHeaderSet } from './request-headers.ts';

/** A function URL event (payload format 2.0) as a request for the route table, or why it is not one. */
export type EventRead = { readonly request: HttpRequest } | { readonly problem: string };

const MAX_ECHO = 40;

/** A field name or value for the problem line: JSON-quoted and clipped, so the event cannot inject a line. */
const quoted = (text: string): string => quote(text, MAX_ECHO);

const typeOf = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** Lambda's remaining time, when the context offers a finite one; a broken context is no reason to fail. */
function remainingTimeOf(context: unknown): number | undefined {
  if (!isRecord(context) || typeof context.getRemainingTimeInMillis !== 'function') return undefined;
  try {
    const remaining: unknown = context.getRemainingTimeInMillis();
    return typeof remaining === 'number' && Number.isFinite(remaining) ? remaining : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads what the route table needs from an event of any shape, without throwing: Lambda turns a
 * thrown error into a 502 with no reason, so a malformed event gets a 400 that says what is
 * missing. The path is `rawPath` exactly as sent; of the headers, those the routes read are kept
 * whatever their case, and one given twice in different cases is joined with ", " (as a function URL
 * joins repeated headers): ./request-headers.ts.
 */
export function readFunctionUrlEvent(event: unknown, context?: unknown): EventRead {
  if (!isRecord(event)) return { problem: `invalid event: a function URL event (payload format 2.0) is an object, got ${typeOf(event)}` };
  const http = isRecord(event.requestContext) ? event.requestContext.http : undefined;
  const method = isRecord(http) ? http.method : undefined;
  if (typeof method !== 'string' || method === '') {
    return { problem: 'invalid event: no requestContext.http.method (not a function URL event, payload format 2.0)' };
  }
  const { rawPath, rawQueryString, headers: rawHeaders } = event;
  if (typeof rawPath !== 'string' || !rawPath.startsWith('/')) {
    return { problem: `invalid event: rawPath must be a string starting with "/", got ${typeof rawPath === 'string' ? quoted(rawPath) : typeOf(rawPath)}` };
  }
  if (rawQueryString !== undefined && rawQueryString !== null && typeof rawQueryString !== 'string') {
    return { problem: `invalid event: rawQueryString must be a string, got ${typeOf(rawQueryString)}` };
  }
  if (rawHeaders !== undefined && rawHeaders !== null && !isRecord(rawHeaders)) {
    return { problem: `invalid event: headers must be an object, got ${typeOf(rawHeaders)}` };
  }
  const headers = new RequestHeaderSet();
  for (const [name, value] of Object.entries(rawHeaders ?? {})) {
    if (typeof value !== 'string') return { problem: `invalid event: header ${quoted(name)} must be a string, got ${typeOf(value)}` };
    headers.add(name, value);
  }
  const requestId = isRecord(context) && typeof context.awsRequestId === 'string' ? context.awsRequestId : undefined;
  // A function URL (https://<id>.lambda-url.<region>.on.aws) serves only https; serverless-offline's
  // httpApi events carry the same shape with another domainName, and are plain http.
  const domainName = isRecord(event.requestContext) ? event.requestContext.domainName : undefined;
  const https = typeof domainName === 'string' && domainName.endsWith('.on.aws') ? true : undefined;
  // Only counted (a check-in's body is bounded and ignored): a base64 body is never decoded.
  const body = typeof event.body === 'string' ? event.body : '';
  const bodyBytes = event.isBase64Encoded === true ? base64ByteLength(body) : Buffer.byteLength(body);
  return {
    request: {
      method,
      path: rawPath,
      query: new URLSearchParams(rawQueryString ?? ''),
      headers,
      remainingTimeMs: remainingTimeOf(context),
      requestId,
      ...(https === undefined ? {} : { https }),
      bodyBytes,
    },
  };
}
