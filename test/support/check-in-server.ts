import type { AddressInfo } from 'node:net';
import { request as httpRequest } from 'node:http';
import { createStandaloneServer } from '../../lib/http/standalone-server.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { ExporterEnvironment } from '../../lib/runtime/environment-settings.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';

/** `npm run serve`'s node:http adapter in this process, on a free loopback port, keeping every log line. */
export interface CheckInServer {
  readonly url: string;
  readonly runtime: Runtime;
  readonly logs: string[];
  /** The connections the server holds open. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/** `requestArrivalMs`: how long a request may take to arrive (the server's own default when not given). */
export async function startCheckInServer(env: ExporterEnvironment, requestArrivalMs?: number): Promise<CheckInServer> {
  const logs: string[] = [];
  const runtime = runtimeFromEnvironment(env, { cwd: '/', writeLog: (line) => logs.push(line) });
  const server = createStandaloneServer(runtime, requestArrivalMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, runtime, logs,
    connections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}

/**
 * One request with the target sent as is; `body` as chunks (no Content-Length: chunked) or one
 * Buffer. `declaredLength`: a Content-Length larger than the body, which is sent and then nothing
 * more, so only a server that answers without waiting for the rest answers at all.
 */
export function send(
  url: string, target: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[]; declaredLength?: number } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const body = options.body;
    const length = options.declaredLength ?? (Buffer.isBuffer(body) ? body.length : undefined);
    const headers = { ...options.headers, ...(length === undefined ? {} : { 'content-length': String(length) }) };
    const req = httpRequest({ hostname, port, path: target, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        if (options.declaredLength !== undefined) req.destroy();
      });
    });
    let answered = false;
    req.once('response', () => { answered = true; });
    // A server that answers before reading the whole body may close the connection under the rest of it.
    req.on('error', (error: NodeJS.ErrnoException) => (answered || error.code === 'EPIPE' ? undefined : reject(error)));
    req.once('close', () => { if (!answered) reject(new Error(`${target}: connection closed without an answer`)); });
    if (options.declaredLength !== undefined) req.write(body as Buffer);
    else if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}
