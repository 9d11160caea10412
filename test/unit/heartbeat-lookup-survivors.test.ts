import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadlineAfter } from '../../lib/core/probe/deadline.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { lookupHeartbeat } from '../../lib/core/probe/heartbeat-lookup.ts';
import type { Schedule } from '../../lib/core/rules/schedule.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// What the mutation run of heartbeat-lookup.ts and deadline.ts found unasserted (docs/testing.md,
// issue 17): which heartbeats the lookup hands on without `replicas`, a non-number labelled
// heartbeat, and the deadline of a schedule that never fires again.

const HB = 'loop_heartbeat_timestamp_seconds';
const snapshotOf = (lines: readonly string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const own = (value: number | string): string => `${HB}{instance="service1",job="heartbeat"} ${value}`;
const labelled = (instance: string, value: number | string): string => `${HB}{instance="${instance}",job="worker",service="service1"} ${value}`;
const service = serviceConfig();
const replicated = serviceConfig({ replicas: 2 });

describe('lookupHeartbeat without replicas (docs/probe-rules.md#how-the-heartbeat-is-found)', () => {
  it('an own group settles it: no labelled heartbeat is handed on', () => {
    const found = lookupHeartbeat(snapshotOf([own(1000), labelled('w1', 1500), labelled('w2', 1400)]), service, 'service1');
    assert.equal(found.primary?.via, 'group');
    assert.equal(found.primary?.timestampSeconds, 1000);
    assert.deepEqual(found.perInstance, []);
  });

  it('without an own group, only the newest labelled instance is handed on', () => {
    const found = lookupHeartbeat(snapshotOf([labelled('w1', 1400), labelled('w2', 1500), labelled('w3', 1300)]), service, 'service1');
    assert.deepEqual(found.perInstance.map((heartbeat) => [heartbeat.group.instance, heartbeat.timestampSeconds, heartbeat.via]), [['w2', 1500, 'service_label']]);
    assert.equal(found.primary, found.perInstance[0]);
  });

  it('with replicas, every instance is handed on newest first, the own group still primary', () => {
    const found = lookupHeartbeat(snapshotOf([own(1000), labelled('w1', 1400), labelled('w2', 1500)]), replicated, 'service1');
    assert.equal(found.primary?.via, 'group');
    assert.deepEqual(found.perInstance.map((heartbeat) => heartbeat.group.instance), ['w2', 'w1']);
  });
});

describe('a labelled heartbeat that is not a time', () => {
  for (const value of ['NaN', '+Inf', '-Inf']) {
    it(`${value} is no heartbeat: the target was never seen`, () => {
      const snapshot = snapshotOf([labelled('w1', value)]);
      const found = lookupHeartbeat(snapshot, replicated, 'service1');
      assert.equal(found.primary, undefined);
      assert.deepEqual(found.perInstance, []);
      assert.equal(evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'service1', 2000).state, 'never');
    });
  }

  it('a finite heartbeat of the same instance still counts beside a NaN one', () => {
    const found = lookupHeartbeat(snapshotOf([labelled('w1', 'NaN'), `${HB}{instance="w1",job="worker",service="service1",shard="b"} 1200`]), replicated, 'service1');
    assert.deepEqual(found.perInstance.map((heartbeat) => heartbeat.timestampSeconds), [1200]);
  });
});

describe('deadlineAfter a schedule that never fires again', () => {
  const ended: Schedule = { expression: '0 0 1 1 *', timezone: 'UTC', nextAfter: () => undefined };
  const scheduled = serviceConfig({ freshnessThresholdSeconds: undefined, schedule: { schedule: ended, graceSeconds: 60 } });

  it('is never due and never late', () => {
    assert.deepEqual(deadlineAfter(1000, scheduled, 1e9), { nextExpectedSeconds: undefined, lateSeconds: Number.NEGATIVE_INFINITY });
  });

  it('reports no lateness in the evaluation (0, not NaN)', () => {
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshotOf([own(1000)]), scheduled, 'service1', 1e9);
    assert.equal(evaluation.rule, 'schedule_ended');
    assert.equal(evaluation.deadline.lateSeconds, 0);
    assert.equal(evaluation.deadline.nextExpectedSeconds, undefined);
  });
});
