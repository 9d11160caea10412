import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describeError } from './errors.ts';
import type { Exporter } from './exporter.ts';
import { handleRequest } from './routes.ts';

/** How long in-flight requests may finish after SIGTERM before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** Adapts node:http to the route table: the same answers as the Lambda, without Lambda. */
export function createStandaloneServer(exporter: Exporter): Server {
  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://exporter');
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const answer = await handleRequest({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, requestId: randomUUID() }, exporter);
    response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
    response.end(answer.body);
  };
  return createServer((request, response) => {
    // Request bodies are never read: drain them so keep-alive connections stay usable.
    request.resume();
    serve(request, response).catch((error: unknown) => {
      exporter.logger.error('request failed', { error: describeError(error) });
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('internal error while handling the request; see the exporter logs\n');
    });
  });
}

/** Stops accepting, lets in-flight probes finish (up to the grace period), then releases the exporter. */
export async function shutDown(server: Server, exporter: Exporter): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const grace = new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref());
  await Promise.race([closed, grace]);
  server.closeAllConnections();
  await exporter.close();
}

export function parsePort(value: string | undefined, fallback: number): number | string {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  return Number.isInteger(port) && port >= 0 && port <= 65_535 ? port : `PORT must be a port number (0-65535), got ${JSON.stringify(value)}`;
}
