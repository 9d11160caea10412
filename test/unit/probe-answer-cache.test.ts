import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { resolveService } from '../../lib/core/config/resolve-service.ts';
import { formatValue, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { evaluateProbe, judgeProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { PROBE_CACHE_MAX_BYTES, PROBE_CACHE_MAX_ENTRIES, ProbeAnswerCache, type ProbeParts } from '../../lib/core/report/probe-answer-cache.ts';
import { buildProbeMetrics, buildProbeOwnMetrics, ownMetricsAscii, renderProbeOwnMetrics, type ProbeContext } from '../../lib/core/report/probe-metrics.ts';
import { isAscii } from '../../lib/core/ascii-text.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { startBudget } from '../../lib/core/probe/probe-budget.ts';
import { probeTarget } from '../../lib/runtime/probe-service.ts';
import { createRuntime } from '../../lib/runtime/runtime.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { processUsage } from '../../lib/edges/process-usage.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// A warm /probe keeps per snapshot and config what its answer does not owe to the time
// (lib/core/report/probe-answer-cache.ts): its answers must be the uncached pipeline's, byte for
// byte, at every time, and the cache must stay bounded whatever targets callers send.

const HB = 'loop_heartbeat_timestamp_seconds';
const T0 = 1_767_000_000;
const CONFIG = parseConfig(`pushgateway_url: http://pg:9091
allow_unlisted_targets: true
max_clock_skew_seconds: 30
services:
  - {name: svc0}
  - {name: svc1, freshness_threshold_seconds: 7, max_run_seconds: 20}
  - {name: svc2, schedule: "*/5 * * * *", grace_seconds: 30}
  - {name: svc3, replicas: 2}
  - {name: svc4, ok_when: ["loop_status == 1"]}
  - name: svc5
    maintenance:
      - {from: "2025-12-29T09:20:00Z", to: "2025-12-29T09:21:00Z"}
  - {name: svc6, paused: true}
`);
const TARGETS = ['svc0', 'svc1', 'svc2', 'svc3', 'svc4', 'svc5', 'svc6', 'svc7', 'nobody'];

/** One group's lines, drawn: a heartbeat, run signals, a status, pass-through samples, some labelled with a service. */
const groupLines = fc.record({
  target: fc.constantFrom(...TARGETS),
  instance: fc.constantFrom('', '-a', '-b'),
  heartbeat: fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined }),
  start: fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined }),
  failure: fc.option(fc.integer({ min: -400, max: 400 }), { nil: undefined }),
  duration: fc.option(fc.double({ min: 0, max: 100, noNaN: true }), { nil: undefined }),
  status: fc.option(fc.constantFrom(0, 1), { nil: undefined }),
  serviceLabel: fc.boolean(),
  passThrough: fc.array(fc.tuple(fc.constantFrom('loop_errors_total', 'queue_depth', 'probe_fake'), fc.constantFrom('', 'a', 'b"\\\n', 'caf\u00e9 \u{1f642}'), fc.double({ noNaN: false })), { maxLength: 3 }),
}).map((g) => {
  const instance = `${g.target}${g.instance}`;
  const labels = `instance="${instance}",job="heartbeat"${g.serviceLabel ? `,service="${g.target}"` : ''}`;
  const lines = [`push_time_seconds{instance="${instance}",job="heartbeat"} ${T0 - 3}`];
  if (g.heartbeat !== undefined) lines.push(`${HB}{${labels}} ${T0 + g.heartbeat}`);
  if (g.start !== undefined) lines.push(`${START_METRIC}{${labels}} ${T0 + g.start}`);
  if (g.failure !== undefined) lines.push(`${FAILURE_METRIC}{${labels}} ${T0 + g.failure}`);
  if (g.duration !== undefined) lines.push(`${RUN_DURATION_METRIC}{${labels}} ${g.duration}`);
  if (g.status !== undefined) lines.push(`loop_status{${labels}} ${g.status}`);
  for (const [name, kind, value] of g.passThrough) lines.push(`${name}{${labels},kind="${kind.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"} ${formatValue(value)}`);
  return lines;
});
const body = fc.tuple(fc.boolean(), fc.array(groupLines, { maxLength: 12 })).map(([typed, groups]) =>
  `${typed ? '# HELP queue_depth Items waiting.\n# TYPE queue_depth gauge\n' : ''}${groups.flat().join('\n')}\n`);

const context = (durationSeconds: number): ProbeContext => ({ pushgatewayUp: durationSeconds > 10, snapshotAgeSeconds: durationSeconds > 15 ? undefined : durationSeconds / 3, durationSeconds, configReloadSuccessful: durationSeconds < 5 });
/** Several Pushgateways' URLs, as a config may name them: their text is the own metrics' only text from outside. */
const GATEWAY_URLS = ['http://pg-a:9091', 'http://pg-b:9091/base', 'http://pg-\u00e9:9091', 'http://pg:9091/\u{1f642}'];
const withGateways = (ctx: ProbeContext, urls: readonly string[]): ProbeContext =>
  (urls.length === 0 ? ctx : { ...ctx, gateways: urls.map((pushgateway, i) => ({ pushgateway, up: i % 2 === 0, used: true, snapshotAgeSeconds: i, error: undefined })) });

describe('probe answer cache', () => {
  it('answers byte for byte as the uncached pipeline, for any snapshot, target and time', () => {
    fc.assert(fc.property(body, fc.constantFrom(...TARGETS), fc.array(fc.double({ min: T0 - 1000, max: T0 + 1000, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.double({ min: 0, max: 20, noNaN: true }), fc.subarray(GATEWAY_URLS), (text, target, times, duration, gateways) => {
      const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
      const cache = new ProbeAnswerCache();
      const service = resolveService(CONFIG, target);
      if (service === undefined) return;
      for (const now of times) {
        const known = cache.find(CONFIG, target);
        const parts: ProbeParts = known?.snapshot === snapshot ? known : cache.parts(CONFIG, snapshot, known?.service ?? service, target);
        const cached = judgeProbe(CONFIG, parts.lookup, true, parts.service, target, now);
        const reference = evaluateProbe(CONFIG, snapshot, service, target, now);
        assert.deepEqual(cached, reference);
        const ctx = withGateways(context(duration), gateways);
        const own = renderProbeOwnMetrics(cached, ctx);
        assert.equal(own, renderExposition(buildProbeOwnMetrics(cached, ctx)));
        const answer: string = own + parts.passThroughText;
        assert.equal(answer, renderExposition(buildProbeMetrics(reference, ctx, snapshot)));
        // What lets the server skip scanning the answer for its byte length: wrong, and it would send a wrong Content-Length.
        assert.equal(parts.passThroughAscii, isAscii(parts.passThroughText));
        assert.equal(ownMetricsAscii(own, ctx), isAscii(own));
      }
    }), { numRuns: 300 });
  });

  it('renders a truncated group\'s answer as the uncached pipeline', () => {
    const lines = [`${HB}{instance="svc0",job="heartbeat"} ${T0}`];
    for (let i = 0; i < 1100; i++) lines.push(`queue_depth{instance="svc0",job="heartbeat",n="${i}"} ${i}`);
    const snapshot = indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
    const service = resolveService(CONFIG, 'svc0');
    assert.ok(service !== undefined);
    const parts = new ProbeAnswerCache().parts(CONFIG, snapshot, service, 'svc0');
    const evaluation = judgeProbe(CONFIG, parts.lookup, true, service, 'svc0', T0 + 2);
    assert.equal(evaluation.passThrough.truncated, true);
    const answer = renderProbeOwnMetrics(evaluation, context(0.5)) + parts.passThroughText;
    assert.match(answer, /^probe_passthrough_truncated 1$/m);
    assert.equal(answer, renderExposition(buildProbeMetrics(evaluateProbe(CONFIG, snapshot, service, 'svc0', T0 + 2), context(0.5), snapshot)));
  });

  it('serves a warm probe from the cache, and drops it when the snapshot or the config changes', () => {
    const cache = new ProbeAnswerCache();
    const first = indexSnapshot(`${HB}{instance="svc0",job="heartbeat"} ${T0}\n`, FIXED_HASH_SEED);
    const service = resolveService(CONFIG, 'svc0');
    assert.ok(service !== undefined);
    const parts = cache.parts(CONFIG, first, service, 'svc0');
    assert.equal(cache.find(CONFIG, 'svc0'), parts, 'kept');
    const second = indexSnapshot(`${HB}{instance="svc0",job="heartbeat"} ${T0 + 5}\n`, FIXED_HASH_SEED);
    const next = cache.parts(CONFIG, second, service, 'svc0');
    assert.notEqual(next, parts);
    assert.equal(next.lookup.primary?.timestampSeconds, T0 + 5);
    assert.equal(cache.size.entries, 1, 'the first snapshot\'s entry went with it');
    const reloaded = parseConfig('pushgateway_url: http://pg:9091\nservices: [{name: svc0}]\n');
    assert.equal(cache.find(reloaded, 'svc0'), undefined, 'a new config starts empty');
    assert.equal(cache.size.entries, 0);
  });

  it('keeps no made-up target, and stays within its bounds however many targets are asked', () => {
    const cache = new ProbeAnswerCache();
    const lines: string[] = [];
    for (let i = 0; i < PROBE_CACHE_MAX_ENTRIES + 500; i++) lines.push(`${HB}{instance="g${i}",job="heartbeat"} ${T0}`);
    const snapshot = indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
    for (let i = 0; i < 5000; i++) {
      const target = `made-up-${i}`;
      cache.parts(CONFIG, snapshot, resolveService(CONFIG, target)!, target);
    }
    assert.equal(cache.size.entries, 0, 'a target the snapshot knows nothing of is answered, never kept');
    const long = `g1${'x'.repeat(300)}`;
    cache.parts(CONFIG, snapshot, resolveService(CONFIG, long)!, long);
    assert.equal(cache.size.entries, 0, 'a target over 200 characters is never kept');
    for (let i = 0; i < PROBE_CACHE_MAX_ENTRIES + 500; i++) cache.parts(CONFIG, snapshot, resolveService(CONFIG, `g${i}`)!, `g${i}`);
    assert.equal(cache.size.entries, PROBE_CACHE_MAX_ENTRIES, 'oldest out first past the entry bound');
    assert.ok(cache.size.bytes <= PROBE_CACHE_MAX_BYTES);
    assert.equal(cache.find(CONFIG, 'g0'), undefined, 'the oldest went');
    assert.ok(cache.find(CONFIG, `g${PROBE_CACHE_MAX_ENTRIES + 499}`) !== undefined);
  });

  it('bounds the bytes kept when groups are wide', () => {
    const cache = new ProbeAnswerCache();
    const lines: string[] = [];
    for (let g = 0; g < 400; g++) for (let s = 0; s < 200; s++) lines.push(`wide_metric{instance="w${g}",job="heartbeat",n="${s}"} ${s}`);
    const snapshot = indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
    for (let g = 0; g < 400; g++) cache.parts(CONFIG, snapshot, resolveService(CONFIG, `w${g}`)!, `w${g}`);
    assert.ok(cache.size.bytes <= PROBE_CACHE_MAX_BYTES, `${cache.size.bytes} bytes`);
    assert.ok(cache.size.entries < 400, 'entries went to keep the byte bound');
  });

  it('answers a warm probe of the runtime as the uncached pipeline at every clock reading', async () => {
    let nowMs = T0 * 1000;
    const text = `${HB}{instance="svc1",job="heartbeat"} ${T0}\nqueue_depth{instance="svc1",job="heartbeat"} 3\n`;
    const runtime = createRuntime({ kind: 'settings', settings: { logging: { level: 'error' }, configSource: { kind: 'ssm', parameter: '/c' }, configOverrides: {}, authTokens: [], authTokenParameter: undefined, refreshAhead: false } }, {
      clock: () => nowMs, monotonicMs: () => 0, writeLog: () => undefined,
      ssm: { read: async () => 'pushgateway_url: http://pg:9091\nscrape_interval_seconds: 600\nservices: [{name: svc1, freshness_threshold_seconds: 7}]\n' },
      pushgateway: { fetchMetrics: async (_url, _request, sink) => { const bytes = Buffer.from(text); sink(bytes); return { bytes: bytes.length, bodyBytes: bytes.length }; }, close: async () => undefined },
    });
    const states: string[] = [];
    for (const offset of [0, 3, 7, 7.000001, 9, 2]) {
      nowMs = (T0 + offset) * 1000;
      const probed = await probeTarget(runtime, 'svc1', startBudget(0));
      assert.ok(probed.kind === 'probed');
      const reference = evaluateProbe(probed.config, probed.read.snapshot, probed.config.services.get('svc1')!, 'svc1', probed.nowSeconds);
      assert.deepEqual(probed.evaluation, reference);
      assert.equal(probed.exposition, renderExposition(buildProbeMetrics(reference, probed.context, probed.snapshot)));
      assert.equal(probed.expositionAscii, true);
      states.push(probed.evaluation.state);
    }
    assert.deepEqual(states, ['up', 'up', 'up', 'late', 'late', 'up'], 'the state follows the clock, not the cache');
    assert.equal(runtime.probeAnswers.size.entries, 1);
    await runtime.close();
  });

  it('tells the server whether the answer is ASCII, cold and warm: a pushed label in another script makes it not', async () => {
    const text = `${HB}{instance="svc1",job="heartbeat"} ${T0}\nqueue_depth{instance="svc1",job="heartbeat",queue="caf\u00e9"} 3\n${HB}{instance="svc0",job="heartbeat"} ${T0}\n`;
    const runtime = createRuntime({ kind: 'settings', settings: { logging: { level: 'error' }, configSource: { kind: 'ssm', parameter: '/c' }, configOverrides: {}, authTokens: [], authTokenParameter: undefined, refreshAhead: false } }, {
      clock: () => T0 * 1000, monotonicMs: () => 0, writeLog: () => undefined,
      ssm: { read: async () => 'pushgateway_url: http://pg:9091\nscrape_interval_seconds: 600\nservices: [{name: svc0}, {name: svc1}]\n' },
      pushgateway: { fetchMetrics: async (_url, _request, sink) => { const bytes = Buffer.from(text); sink(bytes); return { bytes: bytes.length, bodyBytes: bytes.length }; }, close: async () => undefined },
    });
    for (const round of ['cold', 'warm']) {
      for (const [target, ascii] of [['svc1', false], ['svc0', true]] as const) {
        const answer = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams(`target=${target}`), headers: {} }, runtime);
        assert.equal(answer.bodyIsAscii, ascii, `${round} ${target}`);
        assert.equal(isAscii(answer.body), ascii);
      }
    }
    assert.match((await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams('target=svc1'), headers: {} }, runtime)).body, /queue="caf\u00e9"/);
    await runtime.close();
  });

  it('still logs a change of state and counts every request when answers come from the cache', async () => {
    let nowMs = T0 * 1000;
    const logs: string[] = [];
    const text = `${HB}{instance="svc1",job="heartbeat"} ${T0}\n`;
    const runtime = createRuntime({ kind: 'settings', settings: { logging: { level: 'info' }, configSource: { kind: 'ssm', parameter: '/c' }, configOverrides: {}, authTokens: [], authTokenParameter: undefined, refreshAhead: false } }, {
      clock: () => nowMs, monotonicMs: () => 0, writeLog: (line) => logs.push(line),
      ssm: { read: async () => 'pushgateway_url: http://pg:9091\nscrape_interval_seconds: 600\nservices: [{name: svc1, freshness_threshold_seconds: 7}]\n' },
      pushgateway: { fetchMetrics: async (_url, _request, sink) => { const bytes = Buffer.from(text); sink(bytes); return { bytes: bytes.length, bodyBytes: bytes.length }; }, close: async () => undefined },
    });
    const request = { method: 'GET', path: '/probe', query: new URLSearchParams('target=svc1'), headers: {} };
    const requestLines = () => logs.map((line) => JSON.parse(line) as { msg: string; level: string; state?: string; previous_state?: string }).filter((line) => line.msg === 'request');
    for (const offset of [1, 2, 3]) {
      nowMs = (T0 + offset) * 1000;
      await handleRequest(request, runtime);
    }
    assert.deepEqual(requestLines(), [], 'healthy warm probes log nothing at info');
    nowMs = (T0 + 9) * 1000;
    await handleRequest(request, runtime);
    nowMs = (T0 + 2) * 1000;
    await handleRequest(request, runtime);
    assert.deepEqual(requestLines().map(({ level, state, previous_state }) => [level, state, previous_state]), [['warn', 'late', 'up'], ['info', 'up', 'late']]);
    const metrics = renderExposition(runtime.metrics.families(nowMs, processUsage()));
    assert.match(metrics, /\{route="\/probe",result="success"\} 4$/m, 'every probe counted');
    assert.match(metrics, /\{route="\/probe",result="failure"\} 1$/m);
    assert.equal(runtime.probeAnswers.size.entries, 1, 'answered from the cache');
    await runtime.close();
  });
});
