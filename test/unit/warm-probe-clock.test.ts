import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetricsRead, MetricsRequest } from '../../lib/edges/pushgateway/pushgateway-reader.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime.ts';
import { get } from '../support/route-request.ts';

// A warm probe reads each clock as few times as it can (docs/performance.md#the-warm-path): the
// monotonic clock as the request arrives and as the answer is made, the wall clock once for both
// caches' TTL checks and the time the probe is judged at. A reading is reused only within the
// turn it was made in: a wait for bearer tokens leaves the probe's waits counting from after it, and
// a config it waited for leaves the snapshot's TTL checked, and the probe judged, after that wait.

const START_MS = 1_700_000_000_000;
const TOKEN_PARAMETER = '/exporter/token';
const CONFIG = 'pushgateway_url: http://pushgateway.test:9091\nscrape_interval_seconds: 5\nconfig_ttl_seconds: 600\nservices:\n  - name: fresh\n';

interface Fake {
  readonly runtime: Runtime;
  /** Clock reads since the last `count()`. */
  count(): { wall: number; monotonic: number };
  at(ms: number): void;
  /** Monotonic milliseconds the next token reads take. */
  tokenReadTakes(ms: number): void;
  /** Wall-clock milliseconds the next config reads take. */
  configReadTakes(ms: number): void;
  /** The next Pushgateway reads hang until released. */
  hangReads(): () => void;
}

function fakeRuntime(tokenParameter?: string): Fake {
  let wallMs = START_MS;
  let monotonicMs = 0;
  let wall = 0;
  let monotonic = 0;
  let tokenMs = 0;
  let configMs = 0;
  let hung: Promise<void> | undefined;
  const runtime = createRuntime({
    kind: 'settings',
    settings: { logging: { level: 'error' }, configSource: { kind: 'ssm', parameter: '/exporter/config' }, configOverrides: {}, authTokens: [], authTokenParameter: tokenParameter, refreshAhead: false },
  }, {
    clock: () => { wall += 1; return wallMs; },
    monotonicMs: () => { monotonic += 1; return monotonicMs; },
    writeLog: () => undefined,
    ssm: {
      read: async (name) => {
        if (name !== TOKEN_PARAMETER) {
          wallMs += configMs;
          return CONFIG;
        }
        monotonicMs += tokenMs;
        return 'secret';
      },
    },
    pushgateway: {
      fetchMetrics: async (_url: string, _request: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> => {
        if (hung !== undefined) {
          await hung;
          throw new Error('released');
        }
        const body = Buffer.from(`loop_heartbeat_timestamp_seconds{instance="fresh",job="heartbeat"} ${wallMs / 1000 - 1}\n`);
        sink(body);
        return { bytes: body.length, bodyBytes: body.length };
      },
      close: async () => undefined,
    },
  });
  return {
    runtime,
    count: () => {
      const counted = { wall, monotonic };
      wall = 0;
      monotonic = 0;
      return counted;
    },
    at: (ms) => { wallMs = ms; },
    tokenReadTakes: (ms) => { tokenMs = ms; },
    configReadTakes: (ms) => { configMs = ms; },
    hangReads: () => {
      let release: () => void = () => undefined;
      hung = new Promise<void>((resolve) => { release = resolve; });
      return release;
    },
  };
}

const probe = (headers: Record<string, string> = {}) => get('/probe', { target: 'fresh', debug: 'true' }, headers);

describe('the clock reads of a warm probe', () => {
  it('reads the monotonic clock twice and the wall clock once', async () => {
    const fake = fakeRuntime();
    await handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    fake.count();
    const warm = handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.ok(!(warm instanceof Promise), 'a warm probe is answered at once');
    assert.match(warm.body, /^probe_success 1$/m);
    assert.deepEqual(fake.count(), { wall: 1, monotonic: 2 });
  });

  it('judges a probe after a config it had to wait for at the time after that wait', async () => {
    const fake = fakeRuntime();
    await handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    // The snapshot is read at 597 s; at 600 s the config is due (600 s) and its read takes 3 s, so the
    // snapshot is due too (5 s) by the time the probe asks for it: it is read again, and judged then.
    fake.at(START_MS + 597_000);
    await handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    fake.at(START_MS + 600_000);
    fake.configReadTakes(3000);
    const answer = await handleRequest(get('/probe', { target: 'fresh' }), fake.runtime);
    assert.match(answer.body, /^probe_snapshot_age_seconds 0$/m);
    assert.match(answer.body, /^probe_heartbeat_age_seconds 1$/m);
  });

  it('counts the snapshot\'s wait from after bearer tokens it had to wait for', async () => {
    const fake = fakeRuntime(TOKEN_PARAMETER);
    const auth = { authorization: 'Bearer secret', 'x-prometheus-scrape-timeout-seconds': '2.5' };
    assert.match((await handleRequest(probe(auth), fake.runtime)).body, /^probe_success 1$/m);
    // The tokens are due again (60 s), the config is not (600 s), the snapshot is (5 s). The token
    // read takes 1.5 s of the 2 s the scrape timeout leaves: 0.5 s is left for the Pushgateway.
    fake.at(START_MS + 61_000);
    fake.tokenReadTakes(1500);
    const release = fake.hangReads();
    try {
      const answer = await handleRequest(probe(auth), fake.runtime);
      assert.equal(answer.status, 200);
      assert.match(answer.body, /did not answer within 0\.50s/);
    } finally {
      release();
      await fake.runtime.close();
    }
  });
});
