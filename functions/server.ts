import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describeError } from '../lib/errors.ts';
import { createExporter } from '../lib/exporter.ts';
import { handleRequest } from '../lib/routes.ts';

// `npm run serve`: the same route table on a plain node:http server, for running beside
// Prometheus (a container or a VM) without Lambda.

const DEFAULT_PORT = 9116;
/** How long in-flight requests may finish after SIGTERM before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

function listenPort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    process.stderr.write(`PORT must be a port number (0-65535), got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return port;
}

const exporter = createExporter(process.env, { cwd: process.cwd() });
const port = listenPort(process.env.PORT);
const host = process.env.HOST || '0.0.0.0';

async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://exporter');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const answer = await handleRequest({ method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers }, exporter);
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

const server = createServer((request, response) => {
  // Request bodies are never read: drain them so keep-alive connections stay usable.
  request.resume();
  serve(request, response).catch((error: unknown) => {
    exporter.logger.error('request failed', { error: describeError(error) });
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('internal error while handling the request; see the exporter logs\n');
  });
});

server.on('error', (error: NodeJS.ErrnoException) => {
  const reason = error.code === 'EADDRINUSE' ? `port ${port} is already in use (set PORT)` : describeError(error);
  process.stderr.write(`cannot listen on ${host}:${port}: ${reason}\n`);
  process.exit(1);
});

server.listen(port, host, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  exporter.logger.info('listening', { address: `http://${host}:${bound}`, routes: '/probe, /probes, /-/healthy' });
});

function shutdown(signal: string): void {
  exporter.logger.info('shutting down', { signal });
  // Stop accepting, let in-flight probes finish, close idle keep-alive sockets now.
  server.close(() => {
    void exporter.close().finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
}

process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
