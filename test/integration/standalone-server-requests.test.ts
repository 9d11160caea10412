import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startCheckInServer, send, type CheckInServer } from '../support/check-in-server.ts';
import { eventually } from '../support/eventually.ts';
import { tempDir, type TempDir } from '../support/processes.ts';

// How `npm run serve`'s node:http adapter treats requests that are slow to arrive, or that
// node:http hands it apart from the rest (CONNECT): docs/security-model.md#what-a-caller-can-and-cannot-do.

const KEY = 'push-key-1';
const CONFIG = 'pushgateway_url: "http://127.0.0.1:9"\nservices:\n  - name: backup\n    freshness_threshold_seconds: 60\n';

/** The raw answer to `request` written as is on a new connection, read until the server closes it. */
async function rawExchange(url: string, request: string): Promise<string> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  socket.write(request);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

describe('the node:http adapter and requests slow to arrive', () => {
  let dir: TempDir;
  let plain: CheckInServer;
  let keyed: CheckInServer;

  before(async () => {
    dir = await tempDir();
    const config = await dir.file('config.yml', CONFIG);
    plain = await startCheckInServer({ CONFIG_FILE: config, LOG_LEVEL: 'error' });
    keyed = await startCheckInServer({ CONFIG_FILE: config, LOG_LEVEL: 'error', PUSH_TOKEN: KEY }, 600);
  });
  after(async () => {
    await plain?.close();
    await keyed?.close();
    await dir?.remove();
  });

  it('answers /ping/… 404 at once while no push key is set, without waiting for a body it declared', async () => {
    const started = performance.now();
    const answer = await send(plain.url, '/ping/anything/backup', { method: 'POST', body: Buffer.from('abc'), declaredLength: 100 });
    assert.equal(answer.status, 404);
    assert.ok(performance.now() - started < 5_000, 'not held until the body would have come');
  });

  it('answers 408 and closes when a check-in\'s body does not arrive within the arrival limit', async () => {
    const started = performance.now();
    const answer = await rawExchange(keyed.url, `POST /ping/${KEY}/backup HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc`);
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    // The limit (0.6 s here) is checked every 150 ms or so: well before node:http's own 5 minutes.
    assert.ok(performance.now() - started < 10_000, `${performance.now() - started} ms`);
  });

  it('answers CONNECT as any other method the route table does not take: 405 with Allow on a route, else 404, then closes', async () => {
    const onRoute = await rawExchange(plain.url, 'CONNECT /probe HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(onRoute, /^HTTP\/1\.1 405 Method Not Allowed\r\n/);
    assert.match(onRoute, /\r\nallow: GET, HEAD\r\n/);
    assert.match(onRoute, /\r\nconnection: close\r\n/);
    const body = onRoute.slice(onRoute.indexOf('\r\n\r\n') + 4);
    assert.equal(body.length, Number(/\r\ncontent-length: (\d+)\r\n/.exec(onRoute)?.[1]));
    assert.equal(body.split('\n').length, 2, body);
    const elsewhere = await rawExchange(plain.url, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.match(elsewhere, /^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('outlives a CONNECT its caller resets, and closes one whose caller keeps its half open', async () => {
    const port = Number(new URL(plain.url).port);
    // node:http hands a CONNECT's socket over without an error listener: a reset must not become an uncaught error.
    await Promise.all(Array.from({ length: 5 }, async () => {
      const reset = connect(port, '127.0.0.1');
      reset.on('error', () => undefined);
      reset.write('CONNECT /probe HTTP/1.1\r\nHost: x\r\n\r\n', () => reset.resetAndDestroy());
      await once(reset, 'close');
    }));
    const halfOpen = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    halfOpen.on('error', () => undefined);
    halfOpen.write('CONNECT /probe HTTP/1.1\r\nHost: x\r\n\r\n');
    halfOpen.resume();
    await once(halfOpen, 'end', { signal: AbortSignal.timeout(10_000) });
    // The server lets go of its side too: left half open, it would hold a descriptor for as long as the caller liked.
    await eventually(5_000, async () => assert.equal(await plain.connections(), 0));
    halfOpen.destroy();
    assert.equal((await send(plain.url, '/-/healthy')).status, 200);
  });
});
