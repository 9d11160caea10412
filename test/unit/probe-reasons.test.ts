import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import type { DecidingRule, ProbeEvaluation, ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { parseSchedule, type Schedule } from '../../lib/core/rules/schedule.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// The reason line of every rule of the decision order (docs/probe-rules.md), word for word: the
// status page and debug=true show it, so a wrong figure or a swapped "over"/"within" is a bug.

const config = { maxClockSkewSeconds: 300 };
const snapshotOf = (lines: readonly string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const own = (metric: string, value: number, extra = '', instance = 'service1'): string => `${metric}{instance="${instance}",job="heartbeat"${extra}} ${value}`;
const HB = 'loop_heartbeat_timestamp_seconds';
const START = 'loop_start_timestamp_seconds';
const FAILURE = 'loop_failure_timestamp_seconds';
const rule = (text: string): OkWhenRule => {
  const parsed = parseOkWhenRule(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
};
const cron = (expression: string, timezone: string): Schedule => {
  const parsed = parseSchedule(expression, timezone);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.schedule;
};
/** A schedule whose last run is behind it (croner refuses a year field, so none can be configured: docs/probe-rules.md). */
const ended: Schedule = { expression: '0 0 1 1 *', timezone: 'UTC', nextAfter: () => undefined };
const day = Date.parse('2026-01-10T10:00:00Z') / 1000;

interface Row {
  readonly rule: DecidingRule;
  readonly state: ProbeState;
  readonly probe: () => ProbeEvaluation;
  readonly reason: string;
}

const service = serviceConfig();
const job = serviceConfig({ maxRunSeconds: 60 });
const replicated = serviceConfig({ replicas: 2 });
const scheduled = serviceConfig({ freshnessThresholdSeconds: undefined, schedule: { schedule: cron('0 * * * *', 'Europe/Berlin'), graceSeconds: 120 } });

const rows: readonly Row[] = [
  { rule: 'paused', state: 'paused', probe: () => evaluateProbe(config, EMPTY_SNAPSHOT, { ...service, paused: true }, 'service1', 1000), reason: 'paused: true in the config' },
  {
    rule: 'maintenance', state: 'paused',
    probe: () => evaluateProbe(config, EMPTY_SNAPSHOT, { ...service, maintenance: [{ fromSeconds: 0, toSeconds: 2000, reason: 'db' }, { fromSeconds: 10, toSeconds: 20 }, { fromSeconds: 500, toSeconds: 600, reason: 'disk' }] }, 'service1', 550),
    reason: 'in a maintenance window until 1970-01-01T00:33:20.000Z (db; disk)',
  },
  {
    rule: 'unreachable', state: 'unreachable', probe: () => evaluateProbe(config, undefined, service, 'service1', 1000, 'http://127.0.0.1:9091/api/v1/metrics: connection refused'),
    reason: 'http://127.0.0.1:9091/api/v1/metrics: connection refused; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged',
  },
  {
    rule: 'failure_signal', state: 'failed', probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000), own(FAILURE, 1001)]), job, 'service1', 1002),
    reason: 'the run failed at 1970-01-01T00:16:41.000Z (loop_failure_timestamp_seconds), after the last success at 1970-01-01T00:16:40.000Z',
  },
  {
    rule: 'run_too_long', state: 'running_too_long', probe: () => evaluateProbe(config, snapshotOf([own(HB, 900), own(START, 1000)]), job, 'service1', 1060.5),
    reason: 'a run started at 1970-01-01T00:16:40.000Z (loop_start_timestamp_seconds) is still running after 60.5s, over max_run_seconds 60',
  },
  { rule: 'never', state: 'never', probe: () => evaluateProbe(config, EMPTY_SNAPSHOT, service, 'service1', 1000), reason: 'no loop_heartbeat_timestamp_seconds heartbeat for this target in the snapshot' },
  {
    rule: 'ok_when', state: 'failed',
    probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000), own('loop_status', 0, ',shard="a"'), own('loop_status', 2, ',shard="b"')]), { ...service, okWhen: [rule('loop_lag_seconds <= 5'), rule('loop_status == 1')] }, 'service1', 1001),
    reason: 'status rule "loop_lag_seconds <= 5" does not hold: loop_lag_seconds was not pushed',
  },
  {
    rule: 'future_heartbeat', state: 'late', probe: () => evaluateProbe(config, snapshotOf([own(HB, 1400.5)]), service, 'service1', 1000),
    reason: 'the heartbeat is 400.5s in the future, beyond max_clock_skew_seconds 300',
  },
  {
    rule: 'run_within_max', state: 'up', probe: () => evaluateProbe(config, snapshotOf([own(HB, 900), own(START, 1000)]), job, 'service1', 1030),
    reason: 'a run started at 1970-01-01T00:16:40.000Z is in progress, within max_run_seconds 60',
  },
  {
    rule: 'schedule_ended', state: 'up', probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000)]), { ...scheduled, schedule: { schedule: ended, graceSeconds: 60 } }, 'service1', 1012.25),
    reason: 'the last heartbeat is 12.25s old, and the schedule (0 0 1 1 * in UTC) does not fire again',
  },
  {
    rule: 'schedule', state: 'up', probe: () => evaluateProbe(config, snapshotOf([own(HB, day + 30)]), scheduled, 'service1', day + 3600 + 100),
    reason: 'the last heartbeat is 3670s old; the next run is due at 2026-01-10T11:00:00.000Z (0 * * * * in Europe/Berlin), grace 120s',
  },
  {
    rule: 'threshold', state: 'up', probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000)]), service, 'service1', 1005),
    reason: 'the last heartbeat is 5s old, within freshness_threshold_seconds 5',
  },
  {
    rule: 'replicas_never', state: 'never', probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000, '', 'elsewhere')]), replicated, 'service1', 1001),
    reason: 'no instance has pushed a heartbeat labelled with this service',
  },
  {
    rule: 'replicas', state: 'up',
    probe: () => evaluateProbe(config, snapshotOf([own(HB, 1000, ',service="service1"', 'a'), own(HB, 1001, ',service="service1"', 'b'), own(HB, 900, ',service="service1"', 'c')]), replicated, 'service1', 1002),
    reason: '2 instance(s) up, 2 required (replicas)',
  },
];

describe('the reason for every deciding rule', () => {
  it('the table covers every rule', () => {
    const every: Record<DecidingRule, true> = {
      paused: true, maintenance: true, unreachable: true, failure_signal: true, run_too_long: true, never: true, ok_when: true, future_heartbeat: true,
      run_within_max: true, schedule_ended: true, schedule: true, threshold: true, replicas_never: true, replicas: true,
    };
    assert.deepEqual(rows.map((row) => row.rule).sort(), Object.keys(every).sort());
  });

  for (const row of rows) {
    it(`${row.rule}: ${row.reason}`, () => {
      const result = row.probe();
      assert.deepEqual([result.rule, result.state], [row.rule, row.state]);
      assert.equal(explainDecision(result), row.reason);
    });
  }
});

describe('the variants of a reason', () => {
  it('unreachable without a recorded error says the Pushgateway could not be read', () => {
    assert.equal(explainDecision(evaluateProbe(config, undefined, service, 'service1', 1000)), 'the Pushgateway could not be read; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged');
  });

  it('a failure with no success ever says so', () => {
    const result = evaluateProbe(config, snapshotOf([own(FAILURE, 1001)]), job, 'service1', 1002);
    assert.equal(explainDecision(result), 'the run failed at 1970-01-01T00:16:41.000Z (loop_failure_timestamp_seconds), and it never succeeded');
  });

  it('ok_when names the pushed values of the first broken rule', () => {
    const result = evaluateProbe(config, snapshotOf([own(HB, 1000), own('loop_status', 0, ',shard="a"'), own('loop_status', 2, ',shard="b"')]), { ...service, okWhen: [rule('loop_status >= 0'), rule('loop_status == 1')] }, 'service1', 1001);
    assert.equal(explainDecision(result), 'status rule "loop_status == 1" does not hold: loop_status is 0, 2');
  });

  it('threshold: one microsecond over says over', () => {
    const result = evaluateProbe(config, snapshotOf([own(HB, 1000)]), service, 'service1', 1005.000001);
    assert.equal(explainDecision(result), 'the last heartbeat is 5.000001s old, over freshness_threshold_seconds 5');
  });

  it('schedule_ended while a run is in progress says so', () => {
    const result = evaluateProbe(config, snapshotOf([own(HB, 900), own(START, 1000)]), { ...scheduled, schedule: { schedule: ended, graceSeconds: 60 } }, 'service1', 1010);
    assert.deepEqual([result.rule, explainDecision(result)], ['schedule_ended', 'a run started at 1970-01-01T00:16:40.000Z is in progress, and the schedule (0 0 1 1 * in UTC) does not fire again']);
  });

  it('a late replica says why, in its own entry', () => {
    const result = evaluateProbe(config, snapshotOf([own(HB, 1000, ',service="service1"', 'a'), own(HB, 900, ',service="service1"', 'b')]), replicated, 'service1', 1002);
    assert.equal(result.state, 'late');
    assert.deepEqual(result.replicas?.heartbeats.map((replica) => [replica.instance, replica.problem]), [
      ['a', undefined], ['b', 'the last heartbeat is 102s old, over freshness_threshold_seconds 5'],
    ]);
  });
});
