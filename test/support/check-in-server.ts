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
  close(): Promise<void>;
}

export async function startCheckInServer(env: ExporterEnvironment): Promise<CheckInServer> {
  const logs: string[] = [];
  const runtime = runtimeFromEnvironment(env, { cwd: '/', writeLog: (line) => logs.push(line) });
  const server = createStandaloneServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, runtime, logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runtime.close();
    },
  };
}

/** One request with the target sent as is; `body` as chunks (no Content-Length: chunked) or one Buffer. */
export function send(
  url: string, target: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const body = options.body;
    const headers = { ...options.headers, ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}) };
    const req = httpRequest({ hostname, port, path: target, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    // A server that answers before reading the whole body may close the connection under it.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (Array.isArray(body)) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else req.end(body);
  });
}
