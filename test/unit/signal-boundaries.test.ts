import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// Boundaries of the run signals and the heartbeat (docs/probe-rules.md): with several samples of one
// signal the newest wins, whatever order the group lists them in, and a pushed time exactly
// max_clock_skew_seconds ahead is still believed while one microsecond more is not.

const HB = 'loop_heartbeat_timestamp_seconds';
const SKEW = 300;
const config = { maxClockSkewSeconds: SKEW };
const snapshotOf = (lines: readonly string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const line = (metric: string, value: number, thread: string, instance = 'etl'): string => `${metric}{instance="${instance}",job="heartbeat",thread="${thread}"} ${value}`;
/** Every sample of `metric` in both orders: a rule that keeps the first or the last one seen fails one of them. */
const bothOrders = (metric: string, values: readonly number[]): (readonly string[])[] => {
  const lines = values.map((value, index) => line(metric, value, `t${index}`));
  return [lines, [...lines].reverse()];
};
const job = serviceConfig({ name: 'etl', heartbeatMetric: HB, maxRunSeconds: 60 });

describe('several samples of one signal: the newest wins', () => {
  it('heartbeat, in the target\'s own group', () => {
    for (const lines of bothOrders(HB, [900, 1000, 950])) {
      const result = evaluateProbe(config, snapshotOf(lines), job, 'etl', 1004);
      assert.equal(result.heartbeat.successSeconds, 1000, lines.join(' | '));
      assert.equal(result.state, 'up');
    }
  });

  it('heartbeat, labelled with the service in other groups: the newest instance, and its newest group', () => {
    const labelled = (value: number, instance: string, jobName: string): string => `${HB}{instance="${instance}",job="${jobName}",service="etl"} ${value}`;
    const lines = [labelled(900, 'host-1', 'a'), labelled(1000, 'host-2', 'a'), labelled(1002, 'host-2', 'b'), labelled(950, 'host-3', 'a')];
    for (const ordered of [lines, [...lines].reverse()]) {
      const result = evaluateProbe(config, snapshotOf(ordered), job, 'etl', 1004);
      assert.deepEqual([result.heartbeat.found?.group.instance, result.heartbeat.found?.group.job, result.heartbeat.successSeconds], ['host-2', 'b', 1002]);
    }
  });

  it('start: the newest start after the success means a run in progress', () => {
    for (const lines of bothOrders(START_METRIC, [900, 1010, 950])) {
      const result = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), ...lines]), job, 'etl', 1020);
      assert.equal(result.run.signals.startSeconds, 1010, lines.join(' | '));
      assert.equal(result.run.running, true);
      assert.equal(result.rule, 'run_within_max');
    }
  });

  it('failure: the newest failure after the success fails the probe', () => {
    for (const lines of bothOrders(FAILURE_METRIC, [900, 1010, 950])) {
      const result = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), ...lines]), job, 'etl', 1012);
      assert.equal(result.run.signals.failureSeconds, 1010, lines.join(' | '));
      assert.equal(result.state, 'failed');
      assert.equal(result.rule, 'failure_signal');
    }
  });

  it('run duration: the largest pushed duration is the last run\'s', () => {
    for (const lines of bothOrders(RUN_DURATION_METRIC, [12, 40, 7])) {
      const result = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), ...lines]), job, 'etl', 1001);
      assert.equal(result.run.signals.durationSeconds, 40, lines.join(' | '));
      assert.equal(result.run.lastRunDurationSeconds, 40);
    }
  });

  it('without a pushed duration, the last run lasted from its newest start to its finish', () => {
    for (const lines of bothOrders(START_METRIC, [900, 980, 950])) {
      const result = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), ...lines]), job, 'etl', 1001);
      assert.equal(result.run.lastRunDurationSeconds, 20, lines.join(' | '));
    }
  });
});

describe('max_clock_skew_seconds, exactly and one microsecond past', () => {
  const now = 10_000;
  const threshold = serviceConfig({ name: 'etl', heartbeatMetric: HB, freshnessThresholdSeconds: 5 });

  it('a heartbeat exactly max_clock_skew_seconds ahead is believed; 1 µs more is a future heartbeat', () => {
    const at = evaluateProbe(config, snapshotOf([line(HB, now + SKEW, 'x')]), threshold, 'etl', now);
    assert.deepEqual([at.state, at.rule], ['up', 'threshold']);
    const past = evaluateProbe(config, snapshotOf([line(HB, now + SKEW + 0.000001, 'x')]), threshold, 'etl', now);
    assert.deepEqual([past.state, past.rule, past.success], ['late', 'future_heartbeat', false]);
    assert.equal(explainDecision(past), 'the heartbeat is 300.000001s in the future, beyond max_clock_skew_seconds 300');
  });

  it('a start exactly max_clock_skew_seconds ahead counts; 1 µs more is ignored', () => {
    const at = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(START_METRIC, now + SKEW, 'x')]), job, 'etl', now);
    assert.deepEqual([at.run.signals.startSeconds, at.run.signals.ignored, at.run.running], [now + SKEW, [], true]);
    const past = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(START_METRIC, now + SKEW + 0.000001, 'x')]), job, 'etl', now);
    assert.deepEqual([past.run.signals.startSeconds, past.run.signals.ignored, past.run.running], [undefined, [START_METRIC], false]);
  });

  it('a failure exactly max_clock_skew_seconds ahead fails the probe; 1 µs more is ignored', () => {
    const at = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(FAILURE_METRIC, now + SKEW, 'x')]), job, 'etl', now);
    assert.deepEqual([at.state, at.rule, at.run.signals.ignored], ['failed', 'failure_signal', []]);
    const past = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(FAILURE_METRIC, now + SKEW + 0.000001, 'x')]), job, 'etl', now);
    assert.deepEqual([past.state, past.rule, past.run.signals.ignored], ['up', 'threshold', [FAILURE_METRIC]]);
  });

  it('an ignored future signal does not hide an older one of the same name', () => {
    const result = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(FAILURE_METRIC, now + SKEW + 1, 'a'), line(FAILURE_METRIC, now + 1, 'b')]), job, 'etl', now);
    assert.deepEqual([result.run.signals.failureSeconds, result.run.signals.ignored, result.state], [now + 1, [FAILURE_METRIC], 'failed']);
  });

  it('a run duration is not a time: no skew applies to it', () => {
    const result = evaluateProbe(config, snapshotOf([line(HB, now, 'x'), line(RUN_DURATION_METRIC, now * 10, 'x')]), job, 'etl', now);
    assert.deepEqual([result.run.signals.durationSeconds, result.run.signals.ignored], [now * 10, []]);
  });
});

describe('equal times', () => {
  it('a failure at the same instant as the success counts as a success', () => {
    const result = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), line(FAILURE_METRIC, 1000, 'x')]), job, 'etl', 1001);
    assert.deepEqual([result.state, result.rule], ['up', 'threshold']);
    const later = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), line(FAILURE_METRIC, 1000.000001, 'x')]), job, 'etl', 1001);
    assert.deepEqual([later.state, later.rule], ['failed', 'failure_signal']);
  });

  it('a start at the same instant as the success is a finished run; 1 µs later is running', () => {
    const same = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), line(START_METRIC, 1000, 'x')]), job, 'etl', 1001);
    assert.equal(same.run.running, false);
    const later = evaluateProbe(config, snapshotOf([line(HB, 1000, 'x'), line(START_METRIC, 1000.000001, 'x')]), job, 'etl', 1001);
    assert.equal(later.run.running, true);
  });

  it('a run exactly max_run_seconds long is within it; 1 µs more is running too long', () => {
    const at = evaluateProbe(config, snapshotOf([line(HB, 900, 'x'), line(START_METRIC, 1000, 'x')]), job, 'etl', 1060);
    assert.deepEqual([at.state, at.rule, at.deadline.lateSeconds], ['up', 'run_within_max', 0]);
    const past = evaluateProbe(config, snapshotOf([line(HB, 900, 'x'), line(START_METRIC, 1000, 'x')]), job, 'etl', 1060.000001);
    assert.deepEqual([past.state, past.rule, past.deadline.lateSeconds], ['running_too_long', 'run_too_long', 0.000001]);
  });
});
