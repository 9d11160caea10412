import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { MetricsRead, MetricsRequest } from '../../lib/edges/pushgateway/pushgateway-reader.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { createStandaloneServer } from '../../lib/http/standalone-server.ts';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime.ts';
import { get } from '../support/route-request.ts';

// A warm probe is answered in its request's own turn: the route table gives its answer at once, not
// as a promise, and the same answer a promise would have given (docs/performance.md#the-warm-path).
// Anything that must wait (a first read, an expired snapshot, the debug report) still gives a promise.

const START_MS = 1_700_000_000_000;
const CONFIG = 'pushgateway_url: http://pushgateway.test:9091\nscrape_interval_seconds: 5\nservices:\n  - name: fresh\n';

function fakeRuntime(authTokens: string[] = []): { runtime: Runtime; reads: () => number; at: (ms: number) => void; errors: () => string[] } {
  let nowMs = START_MS;
  let reads = 0;
  const logs: string[] = [];
  const runtime = createRuntime({
    kind: 'settings',
    settings: { logging: { level: 'info' }, configSource: { kind: 'ssm', parameter: '/exporter/config' }, configOverrides: {}, authTokens, authTokenParameter: undefined, refreshAhead: false },
  }, {
    clock: () => nowMs,
    monotonicMs: () => nowMs - START_MS,
    writeLog: (line) => logs.push(line),
    ssm: { read: async () => CONFIG },
    pushgateway: {
      fetchMetrics: async (_url: string, _request: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> => {
        reads += 1;
        const body = Buffer.from(`loop_heartbeat_timestamp_seconds{instance="fresh",job="heartbeat"} ${nowMs / 1000 - 1}\nloop_errors_total{instance="fresh",job="heartbeat"} 3\n`);
        sink(body);
        return { bytes: body.length, bodyBytes: body.length };
      },
      close: async () => undefined,
    },
  });
  // Each failure's own line, and the request's line at error (a 500) with its status.
  const errors = () => logs.map((line) => JSON.parse(line) as { level: string; msg: string; error?: string; status?: number })
    .filter((line) => line.level === 'error').map((line) => `${line.msg}: ${line.error ?? line.status}`);
  return { runtime, reads: () => reads, at: (ms) => { nowMs = ms; }, errors };
}

describe('a warm probe is answered at once', () => {
  it('gives a promise while the config and snapshot load, then the same answer at once until the snapshot expires', async () => {
    const fake = fakeRuntime();
    const cold = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(cold instanceof Promise, 'the first probe waits for the config and the read');
    const first = await cold;
    const warm = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(!(warm instanceof Promise), 'a warm probe is no promise');
    assert.equal(warm.status, 200);
    assert.equal(warm.body, first.body, 'the same answer as the awaited one (same clock)');
    assert.match(warm.body, /^probe_success 1$/m);
    assert.match(warm.body, /^loop_errors_total 3$/m);
    assert.equal(warm.bodyIsAscii, true);
    fake.at(START_MS + 5_000);
    const expired = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(expired instanceof Promise, 'an expired snapshot is read again, with a promise');
    assert.match((await expired).body, /^probe_snapshot_age_seconds 0$/m);
    assert.equal(fake.reads(), 2);
    await fake.runtime.close();
  });

  it('answers HEAD, /-/healthy, refusals and a bearer check at once; the debug report with a promise', async () => {
    const fake = fakeRuntime(['secret']);
    const bearer = { authorization: 'Bearer secret' };
    await handleRequest(get('/probe', { target: 'fresh' }, bearer), fake.runtime);
    const head = handleRequest(get('/probe', { target: 'fresh' }, bearer, 'HEAD'), fake.runtime);
    assert.ok(!(head instanceof Promise));
    assert.equal(head.status, 200);
    assert.match(head.body, /^probe_success 1$/m);
    const healthy = handleRequest(get('/-/healthy'), fake.runtime);
    assert.ok(!(healthy instanceof Promise));
    assert.equal(healthy.body, 'OK\n');
    const wrong = handleRequest(get('/probe', { target: 'fresh' }, { authorization: 'Bearer wrong' }), fake.runtime);
    assert.ok(!(wrong instanceof Promise));
    assert.equal(wrong.status, 401);
    const unknown = handleRequest(get('/probe', { target: 'nobody' }, bearer), fake.runtime);
    assert.ok(!(unknown instanceof Promise));
    assert.equal(unknown.status, 404);
    const debug = handleRequest(get('/probe', { target: 'fresh', debug: 'true' }, bearer), fake.runtime);
    assert.ok(debug instanceof Promise, 'the report renderer loads on the first report');
    assert.match((await debug).body, /^Probe of target "fresh" at /);
    await fake.runtime.close();
  });

  it('answers 500 when a route fails, whether at once or in its promise, and logs why', async () => {
    const fake = fakeRuntime();
    fake.runtime.probeAnswers.find = () => {
      throw new Error('planted failure');
    };
    const failedLater = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(failedLater instanceof Promise);
    assert.equal((await failedLater).status, 500);
    const failedAtOnce = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(!(failedAtOnce instanceof Promise));
    assert.deepEqual([failedAtOnce.status, failedAtOnce.body], [500, 'internal error while handling the request; see the exporter logs\n']);
    assert.deepEqual(fake.errors(), ['request failed: planted failure', 'request: 500', 'request failed: planted failure', 'request: 500']);
    await fake.runtime.close();
  });
});

describe('npm run serve, answering at once', () => {
  it('writes warm and cold answers alike, and a failure outside the routes as a 500 without a stack', async () => {
    const fake = fakeRuntime();
    const server = createStandaloneServer(fake.runtime);
    // Runs right after the server's own listener, in the same turn: whether the answer was already written.
    const endedInTurn: boolean[] = [];
    server.on('request', (_request, response) => endedInTurn.push(response.writableEnded));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe?target=fresh`;
    try {
      const cold = await fetch(url);
      const coldBody = await cold.text();
      const warm = await fetch(url);
      const warmBody = await warm.text();
      assert.deepEqual([cold.status, warm.status], [200, 200]);
      assert.equal(warmBody, coldBody);
      assert.equal(warm.headers.get('content-length'), String(Buffer.byteLength(warmBody)));
      assert.deepEqual(endedInTurn, [false, true], 'the cold probe is written later, the warm one in its own turn');
      // The request's log decision fails after the route answered: at once for a warm probe, in the promise after expiry.
      fake.runtime.logger.enabled = () => {
        throw new Error('planted failure');
      };
      const failedAtOnce = await fetch(url);
      fake.at(START_MS + 5_000);
      const failedLater = await fetch(url);
      for (const failed of [failedAtOnce, failedLater]) {
        assert.equal(failed.status, 500);
        assert.equal(await failed.text(), 'internal error while handling the request; see the exporter logs\n');
      }
      assert.deepEqual(fake.errors(), ['request failed: planted failure', 'request failed: planted failure']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await fake.runtime.close();
    }
  });
});
