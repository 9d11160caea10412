import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceConfig } from '../../lib/config.ts';
import { evaluateProbe, type ProbeVerdict } from '../../lib/evaluate-probe.ts';
import { parseExposition } from '../../lib/exposition-parser.ts';
import { EMPTY_SNAPSHOT, indexSnapshot, type Snapshot } from '../../lib/snapshot.ts';

const HB = 'loop_heartbeat_timestamp_seconds';
const config = { maxClockSkewSeconds: 300 };
const service1: ServiceConfig = { name: 'service1', job: 'heartbeat', heartbeatMetric: HB, freshnessThresholdSeconds: 5, replicas: undefined };

const snapshotOf = (lines: string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`);
const pushed = (instance: string, value: number | string, extra = '', job = 'heartbeat') =>
  `${HB}{instance="${instance}",job="${job}"${extra}} ${value}`;

describe('evaluateProbe', () => {
  const own = snapshotOf([pushed('service1', 1000, ',service="service1"'), 'push_time_seconds{instance="service1",job="heartbeat"} 1000.5']);

  const table: { name: string; now: number; verdict: ProbeVerdict; success: boolean }[] = [
    { name: 'is fresh when the heartbeat is younger than the threshold', now: 1003, verdict: 'fresh', success: true },
    { name: 'is fresh at exactly the threshold (age ≤ threshold)', now: 1005, verdict: 'fresh', success: true },
    { name: 'is stale just past the threshold', now: 1005.001, verdict: 'stale', success: false },
    { name: 'is stale long after the loop stopped', now: 5000, verdict: 'stale', success: false },
    { name: 'is fresh when the heartbeat is slightly in the future (within max_clock_skew_seconds)', now: 800, verdict: 'fresh', success: true },
    { name: 'is not fresh when the heartbeat is further ahead than max_clock_skew_seconds', now: 699, verdict: 'future', success: false },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = evaluateProbe(config, own, service1, 'service1', row.now);
      assert.equal(result.verdict, row.verdict);
      assert.equal(result.success, row.success);
      assert.equal(result.heartbeat?.timestampSeconds, 1000);
      assert.equal(result.ageSeconds, row.now - 1000);
      assert.equal(result.heartbeat?.group.pushTimeSeconds, 1000.5);
    });
  }

  it('reports never for a configured service that never pushed', () => {
    for (const snapshot of [own, EMPTY_SNAPSHOT]) {
      const result = evaluateProbe(config, snapshot, { ...service1, name: 'service2' }, 'service2', 1000);
      assert.equal(result.verdict, 'never');
      assert.equal(result.success, false);
      assert.equal(result.heartbeat, undefined);
      assert.equal(result.ageSeconds, undefined);
    }
  });

  it("takes the newest of several samples in the target's group", () => {
    const snapshot = snapshotOf([pushed('service1', 900, ',thread="a"'), pushed('service1', 1000, ',thread="b"'), pushed('service1', 950, ',thread="c"')]);
    assert.equal(evaluateProbe(config, snapshot, service1, 'service1', 1001).heartbeat?.timestampSeconds, 1000);
  });

  it("prefers the target's own group over a newer service-labelled sample elsewhere", () => {
    const snapshot = snapshotOf([pushed('service1', 900), pushed('host-7', 1000, ',service="service1"')]);
    const result = evaluateProbe(config, snapshot, service1, 'service1', 1001);
    assert.equal(result.heartbeat?.timestampSeconds, 900);
    assert.equal(result.heartbeat?.via, 'group');
    assert.equal(result.verdict, 'stale');
  });

  it('falls back to the newest sample labelled service=<target> in any group', () => {
    const snapshot = snapshotOf([pushed('host-1', 990, ',service="service1"', 'loops'), pushed('host-2', 998, ',service="service1"', 'other')]);
    const result = evaluateProbe(config, snapshot, service1, 'service1', 1000);
    assert.equal(result.heartbeat?.via, 'service_label');
    assert.equal(result.heartbeat?.group.instance, 'host-2');
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
    assert.equal(result.heartbeat?.timestampSeconds, 1000);
  });

  it('ignores NaN and infinite heartbeat values', () => {
    const snapshot = snapshotOf([pushed('service1', 'NaN'), pushed('service1', '+Inf', ',x="1"')]);
    assert.equal(evaluateProbe(config, snapshot, service1, 'service1', 1000).verdict, 'never');
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
    assert.deepEqual(result.passThrough.map((s) => [s.name, { ...s.labels }, s.value]), [['loop_errors_total', { kind: 'db' }, 4]]);
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
      assert.equal(result.heartbeat?.group.instance, 'worker-a');
    });

    it('fails with too_few_replicas when fewer than N are fresh', () => {
      const result = evaluateProbe(config, snapshot, replicated, 'worker', 1004);
      assert.equal(result.replicas?.fresh, 1);
      assert.equal(result.verdict, 'too_few_replicas');
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
      assert.equal(result.heartbeat?.via, 'group', "the target's own group still decides the heartbeat shown");
    });

    it('reports never when no instance ever pushed', () => {
      const result = evaluateProbe(config, EMPTY_SNAPSHOT, replicated, 'worker', 1000);
      assert.equal(result.verdict, 'never');
      assert.equal(result.replicas?.fresh, 0);
    });
  });
});
