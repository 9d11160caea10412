import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import type { ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const HB = 'loop_heartbeat_timestamp_seconds';
const config = { maxClockSkewSeconds: 300 };
const service1 = serviceConfig({ heartbeatMetric: HB });

const snapshotOf = (lines: string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const pushed = (instance: string, value: number | string, extra = '', job = 'heartbeat') =>
  `${HB}{instance="${instance}",job="${job}"${extra}} ${value}`;

describe('evaluateProbe', () => {
  const own = snapshotOf([pushed('service1', 1000, ',service="service1"'), 'push_time_seconds{instance="service1",job="heartbeat"} 1000.5']);

  const table: { name: string; now: number; age: number; state: ProbeState; success: boolean }[] = [
    { name: 'is fresh when the heartbeat is younger than the threshold', now: 1003, age: 3, state: 'up', success: true },
    { name: 'is fresh at exactly the threshold (age ≤ threshold)', now: 1005, age: 5, state: 'up', success: true },
    { name: 'is stale just past the threshold', now: 1005.001, age: 5.001, state: 'late', success: false },
    { name: 'is stale long after the loop stopped', now: 5000, age: 4000, state: 'late', success: false },
    { name: 'is fresh when the heartbeat is slightly in the future (within max_clock_skew_seconds)', now: 800, age: -200, state: 'up', success: true },
    { name: 'is not fresh when the heartbeat is further ahead than max_clock_skew_seconds', now: 699, age: -301, state: 'late', success: false },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = evaluateProbe(config, own, service1, 'service1', row.now);
      assert.equal(result.state, row.state);
      assert.equal(result.success, row.success);
      assert.equal(result.heartbeat.found?.timestampSeconds, 1000);
      assert.equal(result.heartbeat.ageSeconds, row.age, 'the age is exact to the microsecond');
      assert.equal(result.heartbeat.found?.group.pushTimeSeconds, 1000.5);
    });
  }

  it('reports never for a configured service that never pushed', () => {
    for (const snapshot of [own, EMPTY_SNAPSHOT]) {
      const result = evaluateProbe(config, snapshot, { ...service1, name: 'service2' }, 'service2', 1000);
      assert.equal(result.state, 'never');
      assert.equal(result.success, false);
      assert.equal(result.heartbeat.found, undefined);
      assert.equal(result.heartbeat.ageSeconds, undefined);
    }
  });

  it("takes the newest of several samples in the target's group", () => {
    const snapshot = snapshotOf([pushed('service1', 900, ',thread="a"'), pushed('service1', 1000, ',thread="b"'), pushed('service1', 950, ',thread="c"')]);
    assert.equal(evaluateProbe(config, snapshot, service1, 'service1', 1001).heartbeat.found?.timestampSeconds, 1000);
  });

  it("prefers the target's own group over a newer service-labelled sample elsewhere", () => {
    const snapshot = snapshotOf([pushed('service1', 900), pushed('host-7', 1000, ',service="service1"')]);
    const result = evaluateProbe(config, snapshot, service1, 'service1', 1001);
    assert.equal(result.heartbeat.found?.timestampSeconds, 900);
    assert.equal(result.heartbeat.found?.via, 'group');
    assert.equal(result.state, 'late');
  });

  it('falls back to the newest sample labelled service=<target> in any group', () => {
    const snapshot = snapshotOf([pushed('host-1', 990, ',service="service1"', 'loops'), pushed('host-2', 998, ',service="service1"', 'other')]);
    const result = evaluateProbe(config, snapshot, service1, 'service1', 1000);
    assert.equal(result.heartbeat.found?.via, 'service_label');
    assert.equal(result.heartbeat.found?.group.instance, 'host-2');
    assert.equal(result.success, true);
  });

  it("uses the configured job and heartbeat metric", () => {
    const snapshot = snapshotOf(['app_alive_seconds{instance="service1",job="cron"} 1000', pushed('service1', 1)]);
    const custom = { ...service1, job: 'cron', heartbeatMetric: 'app_alive_seconds' };
    assert.equal(evaluateProbe(config, snapshot, custom, 'service1', 1001).success, true);
    assert.equal(evaluateProbe(config, snapshot, service1, 'service1', 1001).success, false);
  });

  it("uses Pushgateway's push time with heartbeat_metric: push_time_seconds", () => {
    const snapshot = snapshotOf(['some_status{instance="service1",job="heartbeat"} 1', 'push_time_seconds{instance="service1",job="heartbeat"} 1000']);
    const result = evaluateProbe(config, snapshot, { ...service1, heartbeatMetric: 'push_time_seconds' }, 'service1', 1004);
    assert.equal(result.success, true);
    assert.equal(result.heartbeat.found?.timestampSeconds, 1000);
  });

  it('ignores NaN and infinite heartbeat values', () => {
    const snapshot = snapshotOf([pushed('service1', 'NaN'), pushed('service1', '+Inf', ',x="1"')]);
    assert.equal(evaluateProbe(config, snapshot, service1, 'service1', 1000).state, 'never');
  });

  it('passes through the group\'s other samples without job/instance, heartbeat or push times', () => {
    const snapshot = snapshotOf([
      pushed('service1', 1000),
      'loop_errors_total{instance="service1",job="heartbeat",kind="db"} 4',
      'push_time_seconds{instance="service1",job="heartbeat"} 1000',
      'push_failure_time_seconds{instance="service1",job="heartbeat"} 0',
      'probe_success{instance="service1",job="heartbeat"} 1',
      'loop_errors_total{instance="service9",job="heartbeat"} 99',
    ]);
    const result = evaluateProbe(config, snapshot, service1, 'service1', 1001);
    assert.deepEqual(result.passThrough.samples.map((s) => [s.name, { ...s.labels }, s.value]), [['loop_errors_total', { kind: 'db' }, 4]]);
  });

  describe('with replicas', () => {
    const replicated = { ...service1, name: 'worker', replicas: 2 };
    const snapshot = snapshotOf([
      pushed('worker-a', 1000, ',service="worker"'),
      pushed('worker-b', 998, ',service="worker"'),
      pushed('worker-c', 900, ',service="worker"'),
      pushed('worker-b', 990, ',service="worker",thread="2"'),
    ]);

    it('succeeds when at least N distinct instances are fresh', () => {
      const result = evaluateProbe(config, snapshot, replicated, 'worker', 1002);
      assert.equal(result.success, true);
      assert.deepEqual({ expected: result.replicas?.expected, fresh: result.replicas?.fresh }, { expected: 2, fresh: 2 });
      assert.deepEqual(result.replicas?.heartbeats.map((h) => [h.instance, h.fresh]), [['worker-a', true], ['worker-b', true], ['worker-c', false]]);
      assert.equal(result.heartbeat.found?.group.instance, 'worker-a');
    });

    it('is late when fewer than N are fresh', () => {
      const result = evaluateProbe(config, snapshot, replicated, 'worker', 1004);
      assert.equal(result.replicas?.fresh, 1);
      assert.equal(result.state, 'late');
      assert.equal(explainDecision(result), '1 instance(s) up, 2 required (replicas)');
      assert.equal(result.success, false);
    });

    it('counts distinct instances: the same instance under two jobs is one replica', () => {
      const twoJobs = snapshotOf([
        pushed('worker-a', 1000, ',service="worker"'),
        pushed('worker-a', 1000, ',service="worker"', 'other-job'),
        pushed('worker', 1000),
      ]);
      const result = evaluateProbe(config, twoJobs, replicated, 'worker', 1001);
      assert.equal(result.replicas?.fresh, 1);
      assert.equal(result.success, false);
      assert.equal(result.heartbeat.found?.via, 'group', "the target's own group still decides the heartbeat shown");
    });

    it("judges each instance on its own group: a failed instance does not count, whichever pushed last", () => {
      const instances = (failed: string) => snapshotOf([
        pushed('worker-a', 1000, ',service="worker"'),
        pushed('worker-b', 999, ',service="worker"'),
        pushed('worker-c', 998, ',service="worker"'),
        `${FAILURE_METRIC}{instance="${failed}",job="heartbeat",service="worker"} 1000.5`,
      ]);
      for (const failed of ['worker-a', 'worker-c']) {
        const result = evaluateProbe(config, instances(failed), replicated, 'worker', 1001);
        assert.deepEqual([result.state, result.replicas?.fresh], ['up', 2], `${failed} failed: two others are up`);
        assert.equal(result.replicas?.heartbeats.find((h) => h.instance === failed)?.state, 'failed');
      }
      const strict = evaluateProbe(config, instances('worker-b'), { ...replicated, replicas: 3 }, 'worker', 1001);
      assert.equal(strict.state, 'failed');
      assert.match(explainDecision(strict), /^2 instance\(s\) up, 3 required \(replicas\); instance "worker-b": the run failed at /);
    });

    it('reports never when no instance ever pushed', () => {
      const result = evaluateProbe(config, EMPTY_SNAPSHOT, replicated, 'worker', 1000);
      assert.equal(result.state, 'never');
      assert.equal(result.replicas?.fresh, 0);
    });
  });

  describe('with a schedule', () => {
    const at = (text: string): number => Date.parse(text) / 1000;
    const parsed = parseSchedule('*/15 * * * *', 'Europe/Berlin');
    if ('error' in parsed) throw new Error(parsed.error);
    const cron = serviceConfig({ name: 'backup', heartbeatMetric: HB, freshnessThresholdSeconds: undefined, schedule: { schedule: parsed.schedule, graceSeconds: 120 } });
    const ranAt = (text: string): Snapshot => snapshotOf([pushed('backup', at(text))]);

    const table: { name: string; heartbeat: string; now: string; state: ProbeState; next: string; late: number }[] = [
      { name: 'is up before the next run is due', heartbeat: '2026-01-10T10:00:30Z', now: '2026-01-10T10:10:00Z', state: 'up', next: '2026-01-10T10:15:00Z', late: 0 },
      { name: 'is up within grace after the run was due', heartbeat: '2026-01-10T10:00:30Z', now: '2026-01-10T10:17:00Z', state: 'up', next: '2026-01-10T10:15:00Z', late: 0 },
      { name: 'is late once grace has passed', heartbeat: '2026-01-10T10:00:30Z', now: '2026-01-10T10:17:01Z', state: 'late', next: '2026-01-10T10:15:00Z', late: 1 },
      { name: 'counts lateness from the first missed run, however many were missed', heartbeat: '2026-01-10T10:00:30Z', now: '2026-01-10T11:00:00Z', state: 'late', next: '2026-01-10T10:15:00Z', late: 2580 },
      { name: 'a heartbeat exactly at a scheduled time covers that run', heartbeat: '2026-01-10T10:15:00Z', now: '2026-01-10T10:20:00Z', state: 'up', next: '2026-01-10T10:30:00Z', late: 0 },
      // Spring forward in Berlin: 01:45 CET is followed by 03:00 CEST, 15 real minutes later.
      { name: 'across the spring-forward gap, the next run is 15 real minutes away', heartbeat: '2026-03-29T00:45:10Z', now: '2026-03-29T01:02:00Z', state: 'up', next: '2026-03-29T01:00:00Z', late: 0 },
      { name: 'across the spring-forward gap, lateness counts real time', heartbeat: '2026-03-29T00:45:10Z', now: '2026-03-29T01:02:30Z', state: 'late', next: '2026-03-29T01:00:00Z', late: 30 },
      // Fall back: 02:45 CEST (00:45Z) is followed by 02:00 CET (01:00Z), 15 real minutes later, not 45 minutes earlier.
      { name: 'across the fall-back change, the repeated hour keeps its runs', heartbeat: '2026-10-25T00:45:10Z', now: '2026-10-25T01:03:00Z', state: 'late', next: '2026-10-25T01:00:00Z', late: 60 },
    ];
    for (const row of table) {
      it(row.name, () => {
        const result = evaluateProbe(config, ranAt(row.heartbeat), cron, 'backup', at(row.now));
        assert.equal(result.state, row.state, explainDecision(result));
        assert.equal(result.success, row.state === 'up');
        assert.equal(result.deadline.nextExpectedSeconds, at(row.next));
        assert.equal(result.deadline.lateSeconds, row.late);
      });
    }

    it('says which run is late, in the schedule\'s terms', () => {
      const result = evaluateProbe(config, ranAt('2026-01-10T10:00:30Z'), cron, 'backup', at('2026-01-10T10:20:00Z'));
      assert.equal(explainDecision(result), 'the last heartbeat is 1170s old: the run due at 2026-01-10T10:15:00.000Z (*/15 * * * * in Europe/Berlin) is 180s past its grace of 120s');
    });

    it('is never without a heartbeat, and has no deadline then', () => {
      const result = evaluateProbe(config, EMPTY_SNAPSHOT, cron, 'backup', at('2026-01-10T10:20:00Z'));
      assert.equal(result.state, 'never');
      assert.equal(result.deadline.nextExpectedSeconds, undefined);
      assert.equal(result.deadline.lateSeconds, undefined);
    });

    it('judges each replica against the schedule', () => {
      const replicated = { ...cron, replicas: 2 };
      const snapshot = snapshotOf([
        pushed('host-a', at('2026-01-10T10:15:05Z'), ',service="backup"'),
        pushed('host-b', at('2026-01-10T10:00:05Z'), ',service="backup"'),
      ]);
      const before = evaluateProbe(config, snapshot, replicated, 'backup', at('2026-01-10T10:16:00Z'));
      assert.deepEqual([before.state, before.replicas?.fresh], ['up', 2]);
      const after = evaluateProbe(config, snapshot, replicated, 'backup', at('2026-01-10T10:17:30Z'));
      assert.deepEqual([after.state, after.replicas?.fresh], ['late', 1]);
    });
  });

  describe('with run signals', () => {
    const job = serviceConfig({ name: 'etl', heartbeatMetric: HB, freshnessThresholdSeconds: 3600, maxRunSeconds: 600 });
    const group = (samples: Record<string, number>): Snapshot =>
      snapshotOf(Object.entries(samples).map(([name, value]) => `${name}{instance="etl",job="heartbeat",service="etl"} ${value}`));

    const table: { name: string; samples: Record<string, number>; now: number; state: ProbeState; reason: RegExp; duration?: number }[] = [
      {
        name: 'a failure newer than the last success is failed',
        samples: { [HB]: 1000, [FAILURE_METRIC]: 2000, [START_METRIC]: 1900 }, now: 2010, state: 'failed',
        reason: /^the run failed at 1970-01-01T00:33:20.000Z \(loop_failure_timestamp_seconds\), after the last success at 1970-01-01T00:16:40.000Z$/, duration: 100,
      },
      { name: 'a failure older than the last success is history', samples: { [HB]: 2000, [FAILURE_METRIC]: 1000 }, now: 2010, state: 'up', reason: /within freshness_threshold_seconds 3600/ },
      { name: 'a failure with no success ever is failed', samples: { [FAILURE_METRIC]: 1000 }, now: 1010, state: 'failed', reason: /and it never succeeded$/ },
      {
        name: 'a run started after the last success, within max_run_seconds, is up',
        samples: { [HB]: 1000, [START_METRIC]: 5000 }, now: 5500, state: 'up', reason: /^a run started at .* is in progress/,
      },
      {
        name: 'a run started after the last success and older than max_run_seconds is running_too_long',
        samples: { [HB]: 1000, [START_METRIC]: 5000 }, now: 5601, state: 'running_too_long', reason: /still running after 601s, over max_run_seconds 600$/,
      },
      {
        name: 'a retry that started after a failure is running, not failed',
        samples: { [HB]: 1000, [FAILURE_METRIC]: 2000, [START_METRIC]: 2100 }, now: 2200, state: 'up', reason: /is in progress/,
      },
      {
        name: 'a start older than the last success is a finished run, and its duration is reported',
        samples: { [HB]: 1300, [START_METRIC]: 1000 }, now: 1400, state: 'up', reason: /the last heartbeat is 100s old/, duration: 300,
      },
      {
        name: 'a pushed run duration wins over start and end times',
        samples: { [HB]: 1300, [START_METRIC]: 1000, [RUN_DURATION_METRIC]: 299.5 }, now: 1400, state: 'up', reason: /old/, duration: 299.5,
      },
    ];
    for (const row of table) {
      it(row.name, () => {
        const result = evaluateProbe(config, group(row.samples), job, 'etl', row.now);
        assert.equal(result.state, row.state, explainDecision(result));
        assert.match(explainDecision(result), row.reason);
        assert.equal(result.run.lastRunDurationSeconds, row.duration);
      });
    }

    it('a run in progress is late only after the deadline that counts from its start', () => {
      const noLimit = { ...job, maxRunSeconds: undefined };
      const snapshot = group({ [HB]: 1000, [START_METRIC]: 5000 });
      assert.equal(evaluateProbe(config, snapshot, noLimit, 'etl', 8600).state, 'up');
      assert.equal(evaluateProbe(config, snapshot, noLimit, 'etl', 8601).state, 'late');
    });

    it('ignores a start or failure signal further ahead than max_clock_skew_seconds (a clock or unit error)', () => {
      // Milliseconds pushed where seconds belong: a "start" thousands of years ahead must not hold the service up.
      const result = evaluateProbe(config, group({ [HB]: 1000, [START_METRIC]: 5_000_000, [FAILURE_METRIC]: 4_000_000 }), job, 'etl', 5000);
      assert.equal(result.state, 'late', explainDecision(result));
      assert.equal(result.run.running, false);
      assert.deepEqual(result.run.signals.ignored, [START_METRIC, FAILURE_METRIC]);
      assert.equal(evaluateProbe(config, group({ [HB]: 4900, [START_METRIC]: 5200 }), job, 'etl', 5000).run.running, true, 'within the skew allowance it counts');
    });

    it('a run in progress with max_run_seconds is not late before max_run_seconds, whatever the period', () => {
      const parsed = parseSchedule('*/15 * * * *', 'UTC');
      if ('error' in parsed) throw new Error(parsed.error);
      const cron = { ...job, freshnessThresholdSeconds: undefined, schedule: { schedule: parsed.schedule, graceSeconds: 300 }, maxRunSeconds: 3600 };
      const started = Date.parse('2026-01-10T12:00:00.100Z') / 1000;
      const snapshot = group({ [HB]: started - 900, [START_METRIC]: started });
      const during = evaluateProbe(config, snapshot, cron, 'etl', started + 1260);
      assert.equal(during.state, 'up', explainDecision(during));
      assert.equal(explainDecision(during), 'a run started at 2026-01-10T12:00:00.100Z is in progress, within max_run_seconds 3600');
      assert.deepEqual([during.deadline.nextExpectedSeconds, during.deadline.lateSeconds], [started + 3600, 0]);
      const over = evaluateProbe(config, snapshot, cron, 'etl', started + 3601);
      assert.equal(over.state, 'running_too_long');
      assert.equal(over.deadline.lateSeconds, 1);
    });

    it('breaks ties: a start equal to the last success is a finished run, a failure equal to it is not a failure', () => {
      assert.equal(evaluateProbe(config, group({ [HB]: 1000, [START_METRIC]: 1000 }), job, 'etl', 1001).run.running, false);
      assert.equal(evaluateProbe(config, group({ [HB]: 1000, [FAILURE_METRIC]: 1000 }), job, 'etl', 1001).state, 'up');
    });

    it('passes the signals through with the other pushed samples', () => {
      const result = evaluateProbe(config, group({ [HB]: 1000, [FAILURE_METRIC]: 2000 }), job, 'etl', 2001);
      assert.deepEqual(result.passThrough.samples.map((sample) => sample.name), [FAILURE_METRIC]);
    });
  });

  describe('with ok_when status rules', () => {
    const rule = (text: string): OkWhenRule => {
      const parsed = parseOkWhenRule(text);
      if ('error' in parsed) throw new Error(parsed.error);
      return parsed;
    };
    const loop = serviceConfig({ heartbeatMetric: HB, okWhen: [rule('loop_status == 1'), rule('loop_queue_depth < 100')] });
    const withStatus = (status: string, depth = '5'): Snapshot =>
      snapshotOf([pushed('service1', 1000), `loop_status{instance="service1",job="heartbeat"} ${status}`, `loop_queue_depth{instance="service1",job="heartbeat"} ${depth}`]);

    it('is up when every rule holds', () => {
      const result = evaluateProbe(config, withStatus('1'), loop, 'service1', 1001);
      assert.equal(result.state, 'up');
      assert.deepEqual(result.rules.okWhenResults.map((r) => r.passed), [true, true]);
    });

    it('is failed when a rule does not hold, naming it and the value seen', () => {
      const result = evaluateProbe(config, withStatus('0'), loop, 'service1', 1001);
      assert.equal(result.state, 'failed');
      assert.equal(explainDecision(result), 'status rule "loop_status == 1" does not hold: loop_status is 0');
      assert.equal(explainDecision(evaluateProbe(config, withStatus('1', '100'), loop, 'service1', 1001)), 'status rule "loop_queue_depth < 100" does not hold: loop_queue_depth is 100');
    });

    it('is failed when the status was never pushed or is NaN', () => {
      assert.equal(explainDecision(evaluateProbe(config, snapshotOf([pushed('service1', 1000)]), loop, 'service1', 1001)), 'status rule "loop_status == 1" does not hold: loop_status was not pushed');
      assert.equal(evaluateProbe(config, withStatus('NaN'), loop, 'service1', 1001).state, 'failed');
    });

    it("reads only the target's samples in a group shared by several services", () => {
      const shared = snapshotOf([
        pushed('host-1', 1000, ',service="service1"'),
        pushed('host-1', 1000, ',service="other"'),
        'loop_status{instance="host-1",job="heartbeat",service="service1"} 1',
        'loop_status{instance="host-1",job="heartbeat",service="other"} 0',
        'loop_queue_depth{instance="host-1",job="heartbeat"} 3',
        `${FAILURE_METRIC}{instance="host-1",job="heartbeat",service="other"} 1001`,
      ]);
      const result = evaluateProbe(config, shared, loop, 'service1', 1002);
      assert.equal(result.state, 'up', explainDecision(result));
      assert.deepEqual(result.rules.okWhenResults.map((r) => r.values), [[1], [3]]);
      assert.equal(result.run.signals.failureSeconds, undefined);
      assert.equal(evaluateProbe(config, shared, { ...loop, name: 'other' }, 'other', 1002).state, 'failed');
    });

    it('NaN fails every comparison, != included', () => {
      const notZero = { ...loop, okWhen: [rule('loop_status != 0')] };
      assert.equal(evaluateProbe(config, withStatus('NaN'), notZero, 'service1', 1001).state, 'failed');
      assert.equal(evaluateProbe(config, withStatus('2'), notZero, 'service1', 1001).state, 'up');
    });

    it('a stale heartbeat is still late after the rules pass; a missing one is never', () => {
      assert.equal(evaluateProbe(config, withStatus('1'), loop, 'service1', 1006).state, 'late');
      assert.equal(evaluateProbe(config, EMPTY_SNAPSHOT, loop, 'service1', 1006).state, 'never');
    });
  });

  describe('paused and in maintenance', () => {
    const windows = [{ fromSeconds: 2000, toSeconds: 3000, reason: 'database migration' }];
    const maintained = serviceConfig({ heartbeatMetric: HB, maintenance: windows });

    it('paused: true answers paused with probe success, whatever the heartbeat says', () => {
      for (const snapshot of [own, EMPTY_SNAPSHOT]) {
        const result = evaluateProbe(config, snapshot, { ...service1, paused: true }, 'service1', 9999);
        assert.deepEqual([result.state, result.success, explainDecision(result)], ['paused', true, 'paused: true in the config']);
      }
    });

    it('a maintenance window pauses from its start (inclusive) to its end (exclusive)', () => {
      const stateAt = (now: number) => evaluateProbe(config, own, maintained, 'service1', now);
      assert.equal(stateAt(1999.999).state, 'late');
      assert.equal(stateAt(2000).state, 'paused');
      assert.equal(explainDecision(stateAt(2000)), 'in a maintenance window until 1970-01-01T00:50:00.000Z (database migration)');
      assert.equal(stateAt(2999.999).success, true);
      assert.equal(stateAt(3000).state, 'late');
    });

    it('reports the end of overlapping or touching windows as the time the pause ends', () => {
      const overlapping = serviceConfig({ heartbeatMetric: HB, maintenance: [
        { fromSeconds: 0, toSeconds: 100, reason: 'a' }, { fromSeconds: 50, toSeconds: 1000, reason: 'b' }, { fromSeconds: 1000, toSeconds: 1200 },
      ] });
      const result = evaluateProbe(config, own, overlapping, 'service1', 60);
      assert.equal(explainDecision(result), 'in a maintenance window until 1970-01-01T00:20:00.000Z (a; b)');
      assert.equal(evaluateProbe(config, own, overlapping, 'service1', 1100).state, 'paused');
    });

    it('still reports the heartbeat it found while paused', () => {
      const result = evaluateProbe(config, own, maintained, 'service1', 2500);
      assert.equal(result.heartbeat.found?.timestampSeconds, 1000);
      assert.equal(result.deadline.lateSeconds, 1495);
    });
  });
});

