import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import type { ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { HB, OWN_SNAPSHOT, PROBE_CONFIG as config, pushed, SERVICE1 as service1, snapshotOf } from '../support/probe-fixtures.ts';

describe('evaluateProbe', () => {
  const own = OWN_SNAPSHOT;

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
