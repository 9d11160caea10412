import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { freePort } from './processes.ts';

/** A stand-in for a broken Pushgateway on a free loopback port: how many connections it took, and how to close it. */
export interface BrokenGateway {
  readonly url: string;
  /** Connections accepted so far: 0 proves nothing read it. */
  connections(): number;
  close(): Promise<void>;
}

/** A Pushgateway that hangs: accepts every connection and never answers a byte. */
export async function startHangingGateway(): Promise<BrokenGateway> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A Pushgateway that answers garbage: HTTP 200 with a body that is no text exposition. */
export async function startGarbageGateway(): Promise<BrokenGateway> {
  let accepted = 0;
  const server = createHttpServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end('<html>\u0000\u0001 not {{ an exposition\n}}} "\n');
  });
  server.on('connection', () => (accepted += 1));
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => accepted,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
