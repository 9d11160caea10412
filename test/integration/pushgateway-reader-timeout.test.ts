import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { PushgatewayError } from '../../lib/core/errors.ts';
import { PushgatewayReader } from '../../lib/edges/pushgateway/pushgateway-reader.ts';

const HEARTBEAT = 'pushgateway_build_info{version="1.10.0"} 1\nloop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat"} 1764000000\n';

describe('a Pushgateway read cut off by its timeout', () => {
  const servers: Server[] = [];
  const reader = new PushgatewayReader();
  after(async () => {
    await reader.close();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  });
  const serve = async (listener: RequestListener): Promise<string> => {
    const server = createServer(listener);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  // A body with neither a length nor chunks ends when the connection closes: the timeout closing it
  // must not pass for that end, or the part read so far would be a snapshot (docs/security-model.md).
  const stalls: [string, RequestListener][] = [
    ['ended only by the connection closing', (_request, response) => {
      response.useChunkedEncodingByDefault = false;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', connection: 'close' });
      response.write(HEARTBEAT);
    }],
    ['chunked', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.write(HEARTBEAT);
    }],
    ['with a Content-Length it never reaches', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': HEARTBEAT.length + 1000 });
      response.write(HEARTBEAT);
    }],
    // zlib sees a gzip stream end unfinished: still the timeout, not a bad gzip body.
    ['gzip, ended only by the connection closing', (_request, response) => {
      response.useChunkedEncodingByDefault = false;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip', connection: 'close' });
      const whole = gzipSync(HEARTBEAT.repeat(50));
      response.write(whole.subarray(0, whole.length - 20));
    }],
  ];
  for (const [shape, listener] of stalls) {
    it(`fails as a timeout when the body is ${shape} and stalls`, async () => {
      const url = await serve(listener);
      let received = 0;
      await assert.rejects(reader.fetchMetrics(url, { timeoutMs: 300, maxBodyBytes: 1_000_000 }, (chunk) => { received += chunk.length; }), (error: unknown) => {
        assert.ok(error instanceof PushgatewayError);
        assert.equal(error.code, 'PUSHGATEWAY_TIMEOUT');
        assert.match(error.message, /^Pushgateway at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.30s$/);
        return true;
      });
      if (!shape.startsWith('gzip')) assert.equal(received, HEARTBEAT.length, 'the part that came was handed on before the timeout');
    });
  }

  it('still reads a body ended by the connection closing, when it closes in time', async () => {
    const url = await serve((_request, response) => {
      response.useChunkedEncodingByDefault = false;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', connection: 'close' });
      response.end(HEARTBEAT);
    });
    const chunks: Buffer[] = [];
    const read = await reader.fetchMetrics(url, { timeoutMs: 5000, maxBodyBytes: 1_000_000 }, (chunk) => { chunks.push(Buffer.from(chunk)); });
    assert.equal(Buffer.concat(chunks).toString(), HEARTBEAT);
    assert.deepEqual(read, { bytes: HEARTBEAT.length, bodyBytes: HEARTBEAT.length });
  });
});
