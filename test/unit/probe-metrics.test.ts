import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildAllProbesMetrics, buildProbeOwnMetrics, renderProbeOwnMetrics } from '../../lib/core/report/probe-metrics.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const HB = 'loop_heartbeat_timestamp_seconds';
const service = (name: string) => serviceConfig({ name, heartbeatMetric: HB });

describe('buildAllProbesMetrics', () => {
  const snapshot = indexSnapshot([
    `${HB}{instance="a",job="heartbeat"} 100`,
    'queue_depth{instance="a",job="heartbeat",service="billing"} 7',
    'queue_depth{instance="a",job="heartbeat",service="a",shard="1"} 2',
    'queue_depth{instance="a",job="heartbeat",service="x",exported_service="y",shard="2"} 5',
    `${HB}{instance="b",job="heartbeat"} 10`,
    '',
  ].join('\n'), FIXED_HASH_SEED);
  const evaluations = ['a', 'b', 'c'].map((name) => evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service(name), name, 101));
  const text = renderExposition(buildAllProbesMetrics(evaluations, { pushgatewayUp: true, snapshotAgeSeconds: 1, durationSeconds: 0.01, configReloadSuccessful: true }, snapshot));

  it('labels every series with its service, one family per metric name', () => {
    assert.match(text, /^probe_success\{service="a"\} 1\nprobe_success\{service="b"\} 0\nprobe_success\{service="c"\} 0$/m);
    assert.equal(text.match(/^# TYPE probe_success gauge$/gm)?.length, 1);
    assert.match(text, /^probe_heartbeat_age_seconds\{service="a"\} 1$/m);
    assert.doesNotMatch(text, /probe_heartbeat_age_seconds\{service="c"\}/);
  });

  it('reports one probe_duration_seconds for the whole answer', () => {
    assert.deepEqual(text.match(/^probe_duration_seconds.*$/gm), ['probe_duration_seconds 0.01']);
  });

  it('keeps pushed labels named like Object.prototype members, and a pushed __proto__ label as a label', () => {
    const pushed = indexSnapshot([
      `${HB}{instance="p",job="heartbeat"} 100`,
      'm{constructor="1",instance="p",job="heartbeat"} 1',
      'm{constructor="2",instance="p",job="heartbeat"} 2',
      'm{__proto__="x",exported_service="e",instance="p",job="heartbeat",service="q",toString="t"} 3',
      '',
    ].join('\n'), FIXED_HASH_SEED);
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, pushed, service('p'), 'p', 101);
    const lines = renderExposition(buildAllProbesMetrics([evaluation], { pushgatewayUp: true, snapshotAgeSeconds: 1, durationSeconds: 0.01, configReloadSuccessful: true }, pushed))
      .split('\n').filter((line) => line.startsWith('m{'));
    assert.deepEqual(lines, [
      'm{service="p",constructor="1"} 1',
      'm{service="p",constructor="2"} 2',
      'm{service="p",exported_service="q",exported_exported_service="e",__proto__="x",toString="t"} 3',
    ]);
    // Nothing but labels behind a pass-through label set: `in` finds only what was pushed.
    for (const sample of evaluation.passThrough.samples) {
      for (const name of Object.getOwnPropertyNames(Object.prototype)) assert.equal(name in sample.labels, Object.hasOwn(sample.labels, name), name);
    }
  });

  it('keeps a differing pushed service label as exported_service', () => {
    assert.match(text, /^queue_depth\{service="a",exported_service="billing"\} 7$/m);
    assert.match(text, /^queue_depth\{service="a",shard="1"\} 2$/m);
    assert.match(text, /^queue_depth\{service="a",exported_service="x",exported_exported_service="y",shard="2"\} 5$/m);
  });
});

describe('a probe\'s own gauges', () => {
  const snapshot = indexSnapshot(`${HB}{instance="a",job="heartbeat"} 100.1234567\n`, FIXED_HASH_SEED);
  const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service('a'), 'a', 101.000000049);
  const context = { pushgatewayUp: true, snapshotAgeSeconds: 2.0000004999, durationSeconds: 0.0012345678, configReloadSuccessful: true };

  it('write the ages and durations rounded to the microsecond, and the pushed times as pushed, in both renderings', () => {
    for (const text of [renderProbeOwnMetrics(evaluation, context), renderExposition(buildProbeOwnMetrics(evaluation, context))]) {
      assert.match(text, /^probe_duration_seconds 0\.001235$/m);
      assert.match(text, /^probe_heartbeat_age_seconds 0\.876543$/m);
      assert.match(text, /^probe_snapshot_age_seconds 2$/m);
      assert.match(text, /^probe_heartbeat_timestamp_seconds 100\.1234567$/m);
    }
  });
});
