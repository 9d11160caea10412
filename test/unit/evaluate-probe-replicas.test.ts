import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import type { ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { FAILURE_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { HB, OWN_SNAPSHOT, PROBE_CONFIG as config, pushed, SERVICE1 as service1, snapshotOf } from '../support/probe-fixtures.ts';

describe('evaluateProbe', () => {
  const own = OWN_SNAPSHOT;

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

});
