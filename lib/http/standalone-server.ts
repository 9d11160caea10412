import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ExporterConfig } from '../core/config/config-types.ts';
import { describeError } from '../core/errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { PushgatewayReader } from '../edges/pushgateway/pushgateway-reader.ts';
import { redactUrl } from '../core/config/redact-url.ts';
import { FIRST_LOAD_RETRY_SECONDS } from '../edges/cache/reloading-value.ts';
import { handleRequest, internalError, type HttpResponse } from './routes.ts';
import { parseQuery } from './query-parameters.ts';
import { readRawHeaders } from './request-headers.ts';
import { isCheckInPath, MAX_CHECK_IN_BODY_BYTES } from '../core/push/check-in.ts';

/** How long in-flight requests may finish after SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** `scheme://authority` of an absolute-form request target (as sent to a proxy). */
const ABSOLUTE_FORM_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * The path and query of a request target exactly as sent. `new URL(target, base)` would read
 * `//probe` as a host and `/./probe` as `/probe`: the route table matches raw paths instead.
 */
export function splitRequestTarget(target: string): { path: string; query: string } {
  // The usual origin form (`/probe?…`) cannot start with a scheme: no regular expression for it.
  const prefix = target.charCodeAt(0) === 0x2f /* / */ ? undefined : ABSOLUTE_FORM_PREFIX.exec(target)?.[0];
  // `http://host` and `http://host?x` ask for the root: the route table must see "/", never an empty
  // path, so exact path matching holds (docs/security-model.md).
  const rest = prefix === undefined ? target : target.slice(prefix.length).replace(/^(?=\?|$)/, '/');
  const mark = rest.indexOf('?');
  return mark === -1 ? { path: rest, query: '' } : { path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/**
 * Counts a request body's bytes without keeping them, up to `limit`: past it (or when
 * Content-Length already says more) it stops reading and gives `limit + 1`, so a large body is
 * never read whole. `complete` is false when bytes were left unread.
 */
export function countBody(request: IncomingMessage, limit: number): Promise<{ readonly bytes: number; readonly complete: boolean }> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) return Promise.resolve({ bytes: limit + 1, complete: false });
  return new Promise((resolve) => {
    let bytes = 0;
    const done = (complete: boolean) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onEnd);
      resolve({ bytes, complete });
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) {
        request.pause();
        bytes = limit + 1;
        done(false);
      }
    };
    const onEnd = () => done(true);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onEnd);
  });
}

/** The last headers object written, as node's flat list of names and values: most answers share one (every probe's). */
let listed: { readonly headers: Readonly<Record<string, string>>; readonly names: readonly string[] } | undefined;

/**
 * `headers` and the Content-Length as the flat list `writeHead` takes (name, value, name, value, …).
 * Node writes such a list pair by pair; an object it walks with `for…in`, and an object spread
 * from a frozen one is copied the slow way: together about 900 instructions of a warm probe's
 * 80,000 (docs/performance.md#the-warm-path). An answer's headers are read-only
 * (lib/http/http-answer.ts), so the list of the last one is kept by identity.
 */
export function headerList(headers: Readonly<Record<string, string>>, contentLength: number): (string | number)[] {
  if (listed?.headers !== headers) {
    const names: string[] = [];
    for (const name of Object.keys(headers)) names.push(name, headers[name] as string);
    listed = { headers, names };
  }
  // Made at its final length: pushing onto a copy would grow it, a second allocation per answer.
  const names = listed.names;
  const list = new Array<string | number>(names.length + 2);
  for (let at = 0; at < names.length; at++) list[at] = names[at] as string;
  list[names.length] = 'content-length';
  list[names.length + 1] = contentLength;
  return list;
}

/**
 * Writes an answer with its Content-Length. An ASCII body (a probe's, nearly always) goes as a
 * Latin-1 string: the same bytes as UTF-8, which node writes with the header as one string, for
 * less CPU than `Buffer.from` encoding a string of many pieces as UTF-8 (measured:
 * docs/performance.md#the-warm-path). Any other body goes as one UTF-8 Buffer, as before.
 * `knownAscii`: the route knows the body is ASCII, so it is not scanned for its byte length (a scan
 * flattens the answer's pieces once more than the socket write does, and reads every character).
 */
export function writeAnswer(response: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string, knownAscii = false): void {
  // Equal only when every character is ASCII: any other takes two UTF-8 bytes or more (a surrogate pair, four).
  const length = knownAscii ? body.length : Buffer.byteLength(body);
  const ascii = length === body.length;
  response.writeHead(status, headerList(headers, length));
  if (ascii) response.end(body, 'latin1');
  else response.end(Buffer.from(body));
}

/**
 * How long a request may take to arrive, head and body: node:http answers 408 and closes the
 * connection after it (its default is 5 minutes). A probe's request has no body; a check-in's is at
 * most MAX_CHECK_IN_BODY_BYTES, so a caller that trickles one holds a connection this long at most.
 */
export const REQUEST_ARRIVAL_MS = 30_000;

/**
 * Adapts node:http to the route table: the same answers as the Lambda, without Lambda. A warm
 * probe is answered in its request's own turn: the route table gives its answer at once, not as a
 * promise (docs/performance.md#the-warm-path).
 */
export function createStandaloneServer(runtime: Runtime, requestArrivalMs = REQUEST_ARRIVAL_MS): Server {
  const failed = (response: ServerResponse, error: unknown): void => {
    runtime.logger.error('request failed', { error: describeError(error) });
    const answer = internalError();
    if (!response.headersSent) response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
  };
  const write = (response: ServerResponse, answer: HttpResponse): void => writeAnswer(response, answer.status, answer.headers, answer.body, answer.bodyIsAscii);
  const answer = (request: IncomingMessage, response: ServerResponse, path: string, query: string, body?: { readonly bytes: number; readonly complete: boolean }): void => {
    const answered = handleRequest({ method: request.method ?? 'GET', path, query: parseQuery(query), headers: readRawHeaders(request.rawHeaders), bodyBytes: body?.bytes }, runtime);
    if (body?.complete === false) {
      // The rest of an oversized body is never read: the connection closes after the answer.
      response.shouldKeepAlive = false;
      response.once('finish', () => request.socket.destroy());
    }
    if (answered instanceof Promise) answered.then((done) => write(response, done)).catch((error: unknown) => failed(response, error));
    else write(response, answered);
  };
  // Node's own module object: an ES import of node:http loads undici on Node 24 (docs/performance.md#nodehttp-without-its-es-module-facade).
  // The arrival limit is checked every few seconds, not only every 30 s as by default.
  const arrival = { requestTimeout: requestArrivalMs, connectionsCheckingInterval: Math.min(5_000, Math.max(100, Math.floor(requestArrivalMs / 4))) };
  const http = process.getBuiltinModule('node:http');
  const server = http.createServer(arrival, (request, response) => {
    try {
      const { path, query } = splitRequestTarget(request.url ?? '/');
      // A check-in's body is counted (its size is bounded: docs/check-ins.md); every other body,
      // and a check-in's while no push key is set (the path is then no route), is drained unread.
      if (isCheckInPath(path) && runtime.pushKeys.enabled) {
        countBody(request, MAX_CHECK_IN_BODY_BYTES).then((body) => answer(request, response, path, query, body)).catch((error: unknown) => failed(response, error));
        return;
      }
      request.resume();
      // No request id: the route table makes one only for a request whose line is written.
      answer(request, response, path, query);
    } catch (error) {
      failed(response, error);
    }
  });
  // node:http hands a CONNECT to this event alone, and without a listener drops the connection
  // unanswered: it gets the route table's answer (405 with Allow on a route, else 404), then a close.
  // node:http hands the socket over bare: no error listener (a reset would be an uncaught error),
  // no timeout, and half-open allowed, so it is closed here once the answer is written.
  server.on('connect', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const send = (answer: HttpResponse): void => {
      const length = Buffer.byteLength(answer.body);
      const head = [`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status] ?? ''}`, ...Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}`), `content-length: ${length}`, 'connection: close'];
      socket.end(`${head.join('\r\n')}\r\n\r\n${answer.body}`, () => socket.destroy());
    };
    try {
      const { path, query } = splitRequestTarget(request.url ?? '/');
      const answered = handleRequest({ method: 'CONNECT', path, query: parseQuery(query), headers: readRawHeaders(request.rawHeaders) }, runtime);
      if (answered instanceof Promise) answered.then(send, () => socket.destroy());
      else send(answered);
    } catch (error) {
      runtime.logger.error('request failed', { error: describeError(error) });
      socket.destroy();
    }
  });
  return server;
}

/**
 * What a user starting the server must hear at once, as plain lines (the JSON log says the rest):
 * a config that does not load (probes answer 503 until it does: it is retried, as in Lambda), or a
 * Pushgateway that cannot be read with it (read once by `reader`, as a probe would). Empty when
 * both are fine, which is logged.
 */
export async function startupWarnings(runtime: Runtime, reader: Pick<PushgatewayReader, 'fetchMetrics'>): Promise<string[]> {
  const { value: config, error } = await runtime.config.read();
  if (config === undefined) {
    return [`${error ?? 'no config loaded'} — probes answer HTTP 503 until the config is fixed (re-read every ${FIRST_LOAD_RETRY_SECONDS} s)`];
  }
  // A read of its own of each Pushgateway, in parallel, not through the snapshot cache, so the
  // check neither fills nor ages it. The body is only counted, not kept: the check holds no copy of it.
  const options = { timeoutMs: config.timeoutSeconds * 1000, maxBodyBytes: config.maxBodyBytes, bearerToken: config.pushgatewayBearerToken };
  const failures = await Promise.all(config.pushgatewayUrls.map(async (url) => {
    try {
      await reader.fetchMetrics(url, options, () => undefined);
      return undefined;
    } catch (failure) {
      return describeError(failure);
    }
  }));
  const failed = failures.filter((failure) => failure !== undefined);
  if (failed.length > 0) {
    // With several, one that answers keeps probes right (docs/high-availability.md#failure-behaviour).
    const effect = failed.length === config.pushgatewayUrls.length
      ? 'probes answer probe_success 0 until it can be read'
      : 'probes are judged on the other Pushgateways until it can be read';
    return failed.map((failure) => `warning: ${failure} — ${effect}`);
  }
  runtime.logger.info('ready', { services: config.services.size, pushgateway_url: config.pushgatewayUrls.map(redactUrl).join(',') });
  return [];
}

/** Stops accepting, lets in-flight probes finish (up to the grace period), then releases the exporter. */
export async function shutDown(server: Server, runtime: Runtime): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
  await Promise.race([closed, grace]);
  server.closeAllConnections();
  await runtime.close();
}

/** True for a listen address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
