// The `unreachable` probe state: no snapshot to judge by (the Pushgateway could not be read and
// nothing within max_stale_seconds) is told apart from a target that never pushed, everywhere a
// state is shown, and paused services stay paused.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { renderDebugReport } from '../../lib/core/report/debug-report.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import { PROBE_STATES, type ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildAllProbesMetrics, buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { buildStatusReport } from '../../lib/core/report/status-report.ts';
import { START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { renderStatusPage } from '../../lib/core/report/status-page.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { SnapshotRead } from '../../lib/core/snapshot/snapshot-read.ts';
import type { ServiceConfig } from '../../lib/core/config/config-types.ts';
import { PROJECT_ROOT } from '../support/processes.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { stateOf } from '../support/probe-state.ts';

const HB = 'loop_heartbeat_timestamp_seconds';
const config = { maxClockSkewSeconds: 300 };
const ERROR = 'Pushgateway at http://127.0.0.1:9091 is unreachable: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9091';
const REASON = `${ERROR}; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged`;

function okWhen(text: string): OkWhenRule {
  const parsed = parseOkWhenRule(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}

function everyFifteenMinutes(): NonNullable<ServiceConfig['schedule']> {
  const parsed = parseSchedule('*/15 * * * *', 'Europe/Berlin');
  if ('error' in parsed) throw new Error(parsed.error);
  return { schedule: parsed.schedule, graceSeconds: 120 };
}

/** Each kind of service, with a snapshot in which it would be up: without the snapshot, each is unreachable. */
const KINDS: { name: string; service: ServiceConfig; upIn: Snapshot; now: number }[] = [
  { name: 'a threshold service', service: serviceConfig({ heartbeatMetric: HB }), upIn: indexSnapshot(`${HB}{instance="service1",job="heartbeat"} 1000\n`, FIXED_HASH_SEED), now: 1001 },
  {
    name: 'a service found by its service label',
    service: serviceConfig({ heartbeatMetric: HB }),
    upIn: indexSnapshot(`${HB}{instance="host-7",job="cron",service="service1"} 1000\n`, FIXED_HASH_SEED),
    now: 1001,
  },
  {
    name: 'a scheduled job',
    service: serviceConfig({ heartbeatMetric: HB, freshnessThresholdSeconds: undefined, schedule: everyFifteenMinutes() }),
    upIn: indexSnapshot(`${HB}{instance="service1",job="heartbeat"} ${Date.parse('2026-01-10T10:00:30Z') / 1000}\n`, FIXED_HASH_SEED),
    now: Date.parse('2026-01-10T10:05:00Z') / 1000,
  },
  {
    name: 'a job with a run in progress and max_run_seconds',
    service: serviceConfig({ heartbeatMetric: HB, freshnessThresholdSeconds: 3600, maxRunSeconds: 600 }),
    upIn: indexSnapshot(`${HB}{instance="service1",job="heartbeat"} 1000\n${START_METRIC}{instance="service1",job="heartbeat"} 1100\n`, FIXED_HASH_SEED),
    now: 1200,
  },
  {
    name: 'a service with an ok_when rule',
    service: serviceConfig({ heartbeatMetric: HB, okWhen: [okWhen('loop_status == 1')] }),
    upIn: indexSnapshot(`${HB}{instance="service1",job="heartbeat"} 1000\nloop_status{instance="service1",job="heartbeat"} 1\n`, FIXED_HASH_SEED),
    now: 1001,
  },
  {
    name: 'a service with replicas',
    service: serviceConfig({ heartbeatMetric: HB, replicas: 2 }),
    upIn: indexSnapshot(`${HB}{instance="a",job="heartbeat",service="service1"} 1000\n${HB}{instance="b",job="heartbeat",service="service1"} 1000\n`, FIXED_HASH_SEED),
    now: 1001,
  },
];

describe('evaluateProbe without a snapshot', () => {
  for (const kind of KINDS) {
    it(`reports ${kind.name} unreachable, with the Pushgateway error as its reason (up with the snapshot)`, () => {
      assert.equal(evaluateProbe(config, kind.upIn, kind.service, 'service1', kind.now, ERROR).state, 'up', 'the row is up with its snapshot');
      const result = evaluateProbe(config, undefined, kind.service, 'service1', kind.now, ERROR);
      assert.equal(result.state, 'unreachable');
      assert.equal(result.rule, 'unreachable');
      assert.equal(result.success, false);
      assert.equal(result.heartbeat.judged, false);
      assert.equal(result.heartbeat.found, undefined);
      assert.equal(result.deadline.nextExpectedSeconds, undefined);
      assert.equal(explainDecision(result), REASON);
    });
  }

  it('says the Pushgateway could not be read when no error is given', () => {
    const result = evaluateProbe(config, undefined, serviceConfig(), 'service1', 1000);
    assert.equal(explainDecision(result), 'the Pushgateway could not be read; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged');
  });

  it('tells an empty but readable Pushgateway (never) from no snapshot at all (unreachable)', () => {
    const never = evaluateProbe(config, EMPTY_SNAPSHOT, serviceConfig(), 'service1', 1000, ERROR);
    assert.deepEqual([never.state, never.heartbeat.judged, explainDecision(never)], ['never', true, `no ${HB} heartbeat for this target in the snapshot`]);
    assert.equal(evaluateProbe(config, undefined, serviceConfig(), 'service1', 1000, ERROR).state, 'unreachable');
  });

  it('judges a stale snapshot (a failed read within max_stale_seconds) normally, ignoring the error', () => {
    const stale = indexSnapshot(`${HB}{instance="service1",job="heartbeat"} 1000\n`, FIXED_HASH_SEED);
    const table: [now: number, state: ProbeState][] = [[1004, 'up'], [1006, 'late']];
    for (const [now, state] of table) {
      const result = evaluateProbe(config, stale, serviceConfig({ heartbeatMetric: HB }), 'service1', now, ERROR);
      assert.equal(result.state, state, `at ${now}`);
      assert.equal(result.heartbeat.judged, true);
      assert.equal(result.heartbeat.pushgatewayError, undefined);
      assert.doesNotMatch(explainDecision(result), /Pushgateway/);
    }
  });

  describe('precedence: paused wins over unreachable', () => {
    it('paused: true stays paused, with probe success: alerts stay quiet', () => {
      const result = evaluateProbe(config, undefined, serviceConfig({ paused: true }), 'service1', 1000, ERROR);
      assert.deepEqual([result.state, result.success, explainDecision(result)], ['paused', true, 'paused: true in the config']);
    });

    it('a maintenance window pauses too; once it ends the service is unreachable', () => {
      const service = serviceConfig({ maintenance: [{ fromSeconds: 2000, toSeconds: 3000, reason: 'migration' }] });
      const table: [now: number, state: ProbeState, success: boolean][] = [[1999, 'unreachable', false], [2000, 'paused', true], [2999, 'paused', true], [3000, 'unreachable', false]];
      for (const [now, state, success] of table) {
        const result = evaluateProbe(config, undefined, service, 'service1', now, ERROR);
        assert.deepEqual([result.state, result.success], [state, success], `at ${now}`);
      }
    });

    it('holds for any pause and any time: paused exactly when paused or in a window, else unreachable (property)', () => {
      fc.assert(fc.property(
        fc.boolean(), fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 0, max: 20_000 }),
        (paused, from, length, now) => {
          const service = serviceConfig({ paused, maintenance: [{ fromSeconds: from, toSeconds: from + length }] });
          const result = evaluateProbe(config, undefined, service, 'service1', now, ERROR);
          const quiet = paused || (now >= from && now < from + length);
          assert.equal(result.state, quiet ? 'paused' : 'unreachable');
          assert.equal(result.success, quiet);
        },
      ), { numRuns: 500 });
    });
  });
});

describe('an unreachable probe everywhere it is shown', () => {
  const service = serviceConfig({ heartbeatMetric: HB });
  const evaluation = evaluateProbe(config, undefined, service, 'service1', 1000, ERROR);
  const context = { pushgatewayUp: false, snapshotAgeSeconds: undefined, durationSeconds: 0.01, configReloadSuccessful: true };

  it('/probe: seven probe_state series, unreachable the one at 1, probe_success 0', () => {
    const text = renderExposition(buildProbeMetrics(evaluation, context, EMPTY_SNAPSHOT));
    assert.equal(PROBE_STATES.length, 7);
    assert.deepEqual([...text.matchAll(/^probe_state\{state="([a-z_]+)"\} \d$/gm)].map((m) => m[1]), [...PROBE_STATES]);
    assert.equal(stateOf(text), 'unreachable');
    assert.match(text, /^probe_success 0$/m);
    assert.match(text, /^probe_heartbeat_found 0$/m);
    assert.match(text, /^probe_pushgateway_up 0$/m);
    assert.doesNotMatch(text, /^probe_snapshot_age_seconds /m);
  });

  it('/probes: every service unreachable but the paused one', () => {
    const paused = evaluateProbe(config, undefined, serviceConfig({ name: 'quiet', paused: true }), 'quiet', 1000, ERROR);
    const other = evaluateProbe(config, undefined, serviceConfig({ name: 'service2' }), 'service2', 1000, ERROR);
    const text = renderExposition(buildAllProbesMetrics([evaluation, paused, other], context, EMPTY_SNAPSHOT));
    assert.equal(stateOf(text, 'service1'), 'unreachable');
    assert.equal(stateOf(text, 'quiet'), 'paused');
    assert.equal(stateOf(text, 'service2'), 'unreachable');
    assert.match(text, /^probe_success\{service="quiet"\} 1$/m);
  });

  it('debug=true: the state, the error as the reason, and no "not found" that would send the reader after the job', () => {
    const parsed = parseConfig('pushgateway_url: "http://127.0.0.1:9091"\nmax_stale_seconds: 30\nservices:\n  - name: service1\n');
    const read: SnapshotRead = { snapshot: undefined, pushgatewayUp: false, snapshotAgeSeconds: undefined, error: ERROR, cacheHit: false };
    const report = renderDebugReport(evaluation, parsed, read, 1000, 'metrics\n');
    assert.match(report, /^ {2}max_stale_seconds: 30$/m);
    assert.match(report, /^ {2}error: Pushgateway at http:\/\/127\.0\.0\.1:9091 is unreachable: ECONNREFUSED/m);
    assert.match(report, /^ {2}not looked up: no Pushgateway snapshot to look in/m);
    assert.doesNotMatch(report, /not found/);
    assert.match(report, /^State: UNREACHABLE: the Pushgateway could not be read; the heartbeat was not judged$/m);
    assert.equal(/^Why: (.*)$/m.exec(report)?.[1], REASON);
  });

  it('the status page JSON and HTML: state unreachable, the reason, and a banner saying why', () => {
    const report = buildStatusReport([evaluation], { pushgatewayUp: false, snapshotAgeSeconds: undefined, error: ERROR }, 1000);
    const json = JSON.parse(JSON.stringify(report)) as typeof report;
    assert.equal(json.pushgateway_up, false);
    assert.equal(json.pushgateway_error, ERROR);
    assert.deepEqual(json.services.map((s) => [s.name, s.state, s.success, s.reason]), [['service1', 'unreachable', false, REASON]]);
    const page = renderStatusPage(report, 5);
    assert.match(page, /<tr data-service="service1" data-state="unreachable">/);
    assert.match(page, /<span class="badge unreachable">Pushgateway unreachable<\/span>/);
    assert.match(page, /\.badge\.unreachable\{background:#[0-9a-f]{6}\}/);
    assert.match(page, /No snapshot within max_stale_seconds is left: no heartbeat can be judged, so services show unreachable/);
  });
});

describe('the Grafana dashboard knows every probe state', () => {
  interface Panel { title: string; description?: string; targets: { expr: string }[]; fieldConfig: unknown }
  const panels = async (): Promise<Panel[]> => {
    const text = await readFile(join(PROJECT_ROOT, 'local/grafana/dashboards/pushgateway-exporter.json'), 'utf8');
    return (JSON.parse(text) as { panels: Panel[] }).panels;
  };

  it('"Current state per service" colours each state, unreachable included', async () => {
    const table = (await panels()).find((panel) => panel.title === 'Current state per service');
    assert.ok(table);
    const mapped = JSON.stringify(table.fieldConfig);
    for (const state of PROBE_STATES) assert.match(mapped, new RegExp(`"${state}":\\{"text":"${state}"`), state);
    for (const state of PROBE_STATES) assert.match(table.description ?? '', new RegExp(`\\b${state}\\b`), `description names ${state}`);
  });

  it('"State over time" gives each state its own value and a name for it', async () => {
    const timeline = (await panels()).find((panel) => panel.title === 'State over time');
    assert.ok(timeline);
    const expr = timeline.targets[0]?.expr ?? '';
    const mapped = JSON.stringify(timeline.fieldConfig);
    for (const state of PROBE_STATES) {
      const value = new RegExp(`state="${state}"\\} == 1\\) \\* 0(?: \\+ (\\d+))?`).exec(expr);
      assert.ok(value, `the expression maps ${state}`);
      assert.match(mapped, new RegExp(`"${value[1] ?? '0'}":\\{"text":"${state}"`), `value ${value[1] ?? '0'} is named ${state}`);
    }
  });
});
