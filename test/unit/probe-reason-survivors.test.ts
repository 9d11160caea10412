import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import { signalFamilies } from '../../lib/core/push/run-signals.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { parseOkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// What the mutation run of probe-reason.ts and signal-metrics.ts found unasserted (docs/testing.md,
// issue 17): the replicas reason names a failing instance only when the probe failed, a hung
// instance counts as failing, and the default heartbeat name is SPEC's, not whatever the constant says.

const config = { maxClockSkewSeconds: 300 };
const snapshotOf = (lines: readonly string[]): Snapshot => indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
const HB = 'loop_heartbeat_timestamp_seconds';
const START = 'loop_start_timestamp_seconds';
const FAILURE = 'loop_failure_timestamp_seconds';
const line = (metric: string, instance: string, value: number): string => `${metric}{instance="${instance}",job="heartbeat",service="service1"} ${value}`;

describe('the replicas reason', () => {
  it('an up probe names no instance, even when one of them failed', () => {
    const result = evaluateProbe(config, snapshotOf([line(HB, 'a', 1001), line(HB, 'b', 1000), line(FAILURE, 'b', 1001)]), serviceConfig({ replicas: 1 }), 'service1', 1002);
    assert.deepEqual([result.state, result.rule], ['up', 'replicas']);
    assert.equal(result.replicas?.heartbeats.find((replica) => replica.instance === 'b')?.state, 'failed');
    assert.equal(explainDecision(result), '1 instance(s) up, 1 required (replicas)');
  });

  it('an instance running too long is the failing one it names', () => {
    const service = serviceConfig({ replicas: 2, maxRunSeconds: 60 });
    const result = evaluateProbe(config, snapshotOf([line(HB, 'a', 1058), line(HB, 'b', 900), line(START, 'b', 1000)]), service, 'service1', 1061);
    assert.deepEqual([result.state, result.rule], ['failed', 'replicas']);
    assert.equal(
      explainDecision(result),
      '1 instance(s) up, 2 required (replicas); instance "b": a run started at 1970-01-01T00:16:40.000Z (loop_start_timestamp_seconds) is still running after 61s, over max_run_seconds 60',
    );
  });
});

describe('the default heartbeat metric (SPEC)', () => {
  it('a pushed success is named loop_heartbeat_timestamp_seconds', () => {
    const text = renderExposition(signalFamilies({ kind: 'success', atSeconds: 1000 }, 's'));
    assert.match(text, /^loop_heartbeat_timestamp_seconds\{service="s"\} 1000$/m);
  });
});

describe('a replica\'s own problem text', () => {
  it('a failed replica names its last success; a broken status rule names the rule', () => {
    const okWhen = parseOkWhenRule('loop_status == 1');
    if ('error' in okWhen) throw new Error(okWhen.error);
    const service = serviceConfig({ replicas: 2, okWhen: [okWhen] });
    const result = evaluateProbe(config, snapshotOf([
      line(HB, 'a', 1000), line(FAILURE, 'a', 1001), line('loop_status', 'a', 1),
      line(HB, 'b', 1001), line('loop_status', 'b', 0),
    ]), service, 'service1', 1002);
    assert.deepEqual(result.replicas?.heartbeats.map((replica) => [replica.instance, replica.problem]), [
      ['b', 'status rule "loop_status == 1" does not hold: loop_status is 0'],
      ['a', 'the run failed at 1970-01-01T00:16:41.000Z (loop_failure_timestamp_seconds), after the last success at 1970-01-01T00:16:40.000Z'],
    ]);
  });
});
