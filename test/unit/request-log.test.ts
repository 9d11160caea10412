import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLevel } from '../../lib/edges/logger.ts';
import type { MetricsRead, MetricsRequest } from '../../lib/edges/pushgateway/pushgateway-reader.ts';
import { LastStates, UNLISTED_STATES_CAP } from '../../lib/http/probe-log.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime.ts';
import { get } from '../support/route-request.ts';

// What a request costs in log lines: nothing for a healthy probe at the default level, a line for
// each failure and one for a change of state (docs/operations.md#logs-and-self-metrics).

const START_MS = 1_700_000_000_000;
const CONFIG = 'pushgateway_url: http://pushgateway.test:9091\nallow_unlisted_targets: true\nservices:\n  - name: fresh\n';

interface Fake { runtime: Runtime; lines: () => Record<string, unknown>[]; all: () => Record<string, unknown>[]; at: (ms: number) => void; heartbeat: (seconds: number | undefined) => void }

function fakeRuntime(level: LogLevel = 'info', authTokens: string[] = [], config = CONFIG): Fake {
  const logs: string[] = [];
  let nowMs = START_MS;
  let heartbeatSeconds: number | undefined;
  const runtime = createRuntime({
    kind: 'settings',
    settings: { logging: { level }, configSource: { kind: 'ssm', parameter: '/exporter/config' }, configOverrides: {}, authTokens, authTokenParameter: undefined, refreshAhead: false },
  }, {
    clock: () => nowMs,
    monotonicMs: () => nowMs - START_MS,
    writeLog: (line) => logs.push(line),
    ssm: { read: async () => config },
    pushgateway: {
      fetchMetrics: async (_url: string, _request: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> => {
        const beat = heartbeatSeconds ?? nowMs / 1000 - 1;
        const body = Buffer.from(`loop_heartbeat_timestamp_seconds{instance="fresh",job="heartbeat"} ${beat}\n`);
        sink(body);
        return { bytes: body.length, bodyBytes: body.length };
      },
      close: async () => undefined,
    },
  });
  return {
    runtime,
    lines: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'request'),
    all: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>),
    at: (ms) => { nowMs = ms; },
    heartbeat: (seconds) => { heartbeatSeconds = seconds; },
  };
}

const probe = (fake: Fake, target = 'fresh') => handleRequest(get('/probe', { target }), fake.runtime);

describe('request log', () => {
  it('writes nothing for healthy probes at the default level (info)', async () => {
    const fake = fakeRuntime();
    for (let i = 0; i < 3; i++) assert.match((await probe(fake)).body, /^probe_success 1$/m);
    await handleRequest(get('/probes'), fake.runtime);
    await handleRequest(get('/-/healthy'), fake.runtime);
    assert.deepEqual(fake.lines(), []);
    await fake.runtime.close();
  });

  it('writes no Pushgateway read line at info either, though every probe reads (a Lambda probing one service per scrape)', async () => {
    const fake = fakeRuntime();
    for (let i = 0; i < 3; i++) {
      fake.at(START_MS + i * 60_000); // past scrape_interval_seconds: each probe reads anew
      assert.match((await probe(fake)).body, /^probe_success 1$/m);
    }
    assert.deepEqual(fake.all().filter((line) => line.msg !== 'config loaded'), []);
    await fake.runtime.close();
  });

  it('logs every failing probe at warn, and a change of state once, naming the state before it', async () => {
    const fake = fakeRuntime();
    await probe(fake);
    // The heartbeat stops; a day later (the snapshot long expired) the probe fails.
    fake.heartbeat(START_MS / 1000 - 1);
    fake.at(START_MS + 86_400_000);
    await probe(fake);
    await probe(fake);
    const [failed, failedAgain] = fake.lines();
    assert.equal(failed?.level, 'warn');
    assert.equal(failed?.success, false);
    assert.equal(failed?.previous_state, 'up');
    assert.equal(failedAgain?.level, 'warn');
    assert.equal(failedAgain?.previous_state, undefined, 'no change the second time');
    // It beats again: one info line says it is back, then silence.
    fake.heartbeat(undefined);
    fake.at(START_MS + 2 * 86_400_000);
    await probe(fake);
    await probe(fake);
    const lines = fake.lines();
    assert.equal(lines.length, 3);
    assert.deepEqual({ level: lines[2]?.level, state: lines[2]?.state, previous: lines[2]?.previous_state }, { level: 'info', state: 'up', previous: failed?.state });
    await fake.runtime.close();
  });

  it('logs refusals at warn, an unknown target\'s 404 included, with the fields of a request line', async () => {
    const fake = fakeRuntime();
    await handleRequest(get('/probe'), fake.runtime);
    await handleRequest(get('/probe', { target: 'fresh' }, {}, 'POST'), fake.runtime);
    const lines = fake.lines();
    assert.deepEqual(lines.map((line) => [line.level, line.status, line.route]), [['warn', 400, '/probe'], ['warn', 405, '/probe']]);
    // Past the bearer check, an unknown target is a Prometheus job naming a service the config lacks.
    const listedOnly = fakeRuntime('info', ['secret'], CONFIG.replace('allow_unlisted_targets: true\n', ''));
    const unknown = await handleRequest(get('/probe', { target: 'not-configured' }, { authorization: 'Bearer secret' }), listedOnly.runtime);
    assert.equal(unknown.status, 404);
    assert.deepEqual(listedOnly.lines().map((line) => [line.level, line.status, line.target]), [['warn', 404, 'not-configured']]);
    await listedOnly.runtime.close();
    for (const line of lines) {
      assert.match(String(line.request_id), /^[0-9a-f-]{36}$/, 'a request id is made for a line that is written');
      assert.match(String(line.timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'RFC 3339, the key Lambda reads');
    }
    await fake.runtime.close();
  });

  it('writes nothing at the default level for a 401 or an unknown path: anyone can send those to a public URL, as often as they like', async () => {
    const fake = fakeRuntime('info', ['secret']);
    const knocks = [
      get('/probe', { target: 'fresh' }), get('/probe', { target: 'fresh' }, { authorization: 'Bearer wrong' }), get('/wp-login.php'),
      get('/nowhere', {}, { authorization: 'Bearer secret' }),
    ];
    const statuses: number[] = [];
    for (const request of knocks) statuses.push((await handleRequest(request, fake.runtime)).status);
    assert.deepEqual(statuses, [401, 401, 401, 404]);
    assert.deepEqual(fake.all().filter((line) => line.msg !== 'config loaded'), []);
    await fake.runtime.close();

    const debug = fakeRuntime('debug', ['secret']);
    for (const request of knocks) await handleRequest(request, debug.runtime);
    assert.deepEqual(debug.lines().map((line) => [line.level, line.status]), [['debug', 401], ['debug', 401], ['debug', 401], ['debug', 404]]);
    await debug.runtime.close();
  });

  it('logs healthy probes at debug when LOG_LEVEL=debug', async () => {
    const fake = fakeRuntime('debug');
    await probe(fake);
    const [line] = fake.lines();
    assert.deepEqual([line?.level, line?.state, line?.success], ['debug', 'up', true]);
    await fake.runtime.close();
  });
});

describe('LastStates', () => {
  it('knows no change on first sight, then reports each change once', () => {
    const states = new LastStates();
    assert.equal(states.change('a', 'up', true, 1), undefined);
    assert.equal(states.change('a', 'up', true, 1), undefined);
    assert.equal(states.change('a', 'late', true, 1), 'up');
    assert.equal(states.change('a', 'late', true, 1), undefined);
  });

  it('stays bounded whatever unlisted targets are sent: the oldest is forgotten past the cap', () => {
    const states = new LastStates();
    states.change('first', 'never', false, 0);
    for (let i = 0; i < UNLISTED_STATES_CAP; i++) states.change(`t${i}`, 'never', false, 0);
    // Forgotten: its next state is a first sight, not a change.
    assert.equal(states.change('first', 'up', false, 0), undefined);
    assert.equal(states.change(`t${UNLISTED_STATES_CAP - 1}`, 'up', false, 0), 'never');
  });
});
