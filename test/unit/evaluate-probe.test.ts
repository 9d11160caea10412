import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import type { ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { EMPTY_SNAPSHOT } from '../../lib/core/snapshot/snapshot.ts';
import { OWN_SNAPSHOT, PROBE_CONFIG as config, pushed, SERVICE1 as service1, snapshotOf } from '../support/probe-fixtures.ts';

describe('evaluateProbe', () => {
  const own = OWN_SNAPSHOT;

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

});
