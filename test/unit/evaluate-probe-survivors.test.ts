import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe, lookUpProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// What the mutation run of evaluate-probe.ts (lines 46-110: the lookup, the run signals, the
// pass-through) found unasserted (docs/testing.md, issue 17): what a lookup weighs for the answer
// cache, which groups it reads without `replicas`, and a run signal ignored twice.

const snapshotOf = (lines: readonly string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const HB = 'loop_heartbeat_timestamp_seconds';
const START = 'loop_start_timestamp_seconds';

describe('lookUpProbe', () => {
  it('weighs its own group: key samples plus pass-through samples', () => {
    const lookup = lookUpProbe(snapshotOf([
      `${HB}{instance="service1",job="heartbeat"} 1000`, `${START}{instance="service1",job="heartbeat"} 990`,
      'queue_depth{instance="service1",job="heartbeat"} 3', 'queue_age_seconds{instance="service1",job="heartbeat"} 4',
    ]), serviceConfig(), 'service1');
    assert.equal(lookup.samples.length, 2);
    assert.equal(lookup.passThrough.samples.length, 3);
    assert.deepEqual(lookup.replicaSamples, []);
    assert.equal(lookup.sampleCount, 5);
  });

  it('weighs nothing and reads no signal when the target has no group', () => {
    const lookup = lookUpProbe(snapshotOf([`${HB}{instance="other",job="heartbeat"} 1000`]), serviceConfig(), 'service1');
    assert.equal(lookup.group, undefined);
    assert.deepEqual(lookup.samples, []);
    assert.equal(lookup.sampleCount, 0);
  });

  it('without replicas, reads no replica groups, even when the heartbeat is a labelled one', () => {
    const lookup = lookUpProbe(snapshotOf([`${HB}{instance="w1",job="worker",service="service1"} 1000`]), serviceConfig(), 'service1');
    assert.equal(lookup.primary?.via, 'service_label');
    assert.deepEqual(lookup.replicaSamples, []);
    assert.equal(lookup.sampleCount, lookup.samples.length + lookup.passThrough.samples.length);
  });

  it('with replicas, adds each replica group\'s key samples to the weight', () => {
    const lookup = lookUpProbe(snapshotOf([
      `${HB}{instance="w1",job="worker",service="service1"} 1000`, `${HB}{instance="w2",job="worker",service="service1"} 1001`,
    ]), serviceConfig({ replicas: 2 }), 'service1');
    assert.deepEqual(lookup.replicaSamples.map((samples) => samples.length), [1, 1]);
    assert.equal(lookup.sampleCount, lookup.samples.length + lookup.passThrough.samples.length + 2);
  });

  it('a target with no group passes nothing through and is not truncated', () => {
    assert.deepEqual(lookUpProbe(snapshotOf(['other_metric 1']), serviceConfig(), 'service1').passThrough, { samples: [], truncated: false });
  });
});

describe('run signals beyond max_clock_skew_seconds', () => {
  it('a signal ignored in several series is named once', () => {
    const snapshot = snapshotOf([
      `${HB}{instance="service1",job="heartbeat"} 1000`,
      `${START}{instance="service1",job="heartbeat",shard="a"} 5000`, `${START}{instance="service1",job="heartbeat",shard="b"} 6000`,
    ]);
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, serviceConfig(), 'service1', 1001);
    assert.deepEqual(evaluation.run.signals.ignored, [START]);
    assert.equal(evaluation.run.signals.startSeconds, undefined);
  });
});

// evaluate-probe.ts lines 111-165 (readRun): the decision order's edges the run found unasserted.
describe('readRun', () => {
  const config = { maxClockSkewSeconds: 300 };
  const statusRule = (): OkWhenRule => {
    const parsed = parseOkWhenRule('loop_status == 1');
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed;
  };

  it('a finished run that started long ago is not running too long', () => {
    const snapshot = snapshotOf([`${HB}{instance="service1",job="heartbeat"} 1010`, `${START}{instance="service1",job="heartbeat"} 1000`]);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ maxRunSeconds: 60, freshnessThresholdSeconds: 3600 }), 'service1', 1200);
    assert.deepEqual([evaluation.state, evaluation.rule, evaluation.run.running], ['up', 'threshold', false]);
  });

  it('a group with a broken status rule but no heartbeat is never seen, not failed (never comes first)', () => {
    const snapshot = snapshotOf(['loop_status{instance="service1",job="heartbeat"} 0']);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ okWhen: [statusRule()] }), 'service1', 1200);
    assert.deepEqual([evaluation.state, evaluation.rule], ['never', 'never']);
  });

  it('a target with no group judges no status rule', () => {
    const evaluation = evaluateProbe(config, snapshotOf(['other_metric 1']), serviceConfig({ okWhen: [statusRule()] }), 'service1', 1200);
    assert.deepEqual([evaluation.state, evaluation.rules.okWhenResults], ['never', []]);
  });
});
