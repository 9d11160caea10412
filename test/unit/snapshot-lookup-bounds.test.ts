import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { lookupHeartbeat } from '../../lib/core/probe/heartbeat-lookup.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildAllProbesMetrics, buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { parseOkWhenRule, type OkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { groupKey, MAX_LOOKUP_BYTES, MAX_LOOKUP_SAMPLES, type PushGroup, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const HB = 'loop_heartbeat_timestamp_seconds';
const NOW = 1_780_000_000;
const config = { maxClockSkewSeconds: 300 };
const context = { pushgatewayUp: true, snapshotAgeSeconds: 0, durationSeconds: 0.001, configReloadSuccessful: true };
const group = (extra = '') => `instance="service1",job="heartbeat"${extra}`;
const lines = (count: number, line: (i: number) => string): string => Array.from({ length: count }, (_, i) => `${line(i)}\n`).join('');

describe('a probe finds its key metrics by name, however many other series the group holds', () => {
  it('finds a heartbeat that sorts before 10,001 other series of its group (the last lines are not the only ones read)', () => {
    const body = `${HB}{${group()}} ${NOW - 5}\n${lines(10_001, (i) => `worker_items_processed_total{${group()},item="${i}"} 1`)}`;
    const evaluation = evaluateProbe(config, indexSnapshot(body, FIXED_HASH_SEED), serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    assert.equal(evaluation.state, 'up');
    assert.equal(evaluation.heartbeat.found?.timestampSeconds, NOW - 5);
    assert.equal(evaluation.passThrough.truncated, true);
    assert.ok(evaluation.passThrough.samples.length > 0 && evaluation.passThrough.samples.length <= MAX_LOOKUP_SAMPLES, `${evaluation.passThrough.samples.length} passed through`);
  });

  it(`passes through at most ${MAX_LOOKUP_SAMPLES} series of short lines`, () => {
    const body = `${HB}{${group()}} ${NOW - 5}
${lines(MAX_LOOKUP_SAMPLES + 50, (i) => `a{${group()},i="${i}"} 1`)}`;
    const evaluation = evaluateProbe(config, indexSnapshot(body, FIXED_HASH_SEED), serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    assert.equal(evaluation.passThrough.samples.length, MAX_LOOKUP_SAMPLES);
    assert.equal(evaluation.passThrough.samples.at(-1)?.labels.i, String(MAX_LOOKUP_SAMPLES + 49));
    assert.equal(evaluation.passThrough.truncated, true);
  });

  it('finds it when another grouping key of the same job and instance floods the group, and reads run signals, ok_when and push_time_seconds there too', () => {
    const rule = parseOkWhenRule('loop_status == 1') as OkWhenRule;
    const body = `${HB}{${group()}} ${NOW - 5}\n${START_METRIC}{${group()}} ${NOW - 3}\nloop_status{${group()}} 0\npush_time_seconds{${group()}} ${NOW - 3}\n`
      + lines(10_001, (i) => `zz_other{extra="x",${group()},i="${i}"} 1`);
    const evaluation = evaluateProbe(config, indexSnapshot(body, FIXED_HASH_SEED), serviceConfig({ heartbeatMetric: HB, okWhen: [rule] }), 'service1', NOW);
    assert.equal(evaluation.heartbeat.found?.timestampSeconds, NOW - 5);
    assert.equal(evaluation.run.signals.startSeconds, NOW - 3);
    assert.deepEqual(evaluation.rules.okWhenResults.map((result) => result.values), [[0]]);
    assert.equal(evaluation.state, 'failed');
    assert.equal(evaluation.heartbeat.found?.group.pushTimeSeconds, NOW - 3);
  });

  it('finds a service-labelled heartbeat among 10,001 other samples of that service', () => {
    const body = `${HB}{instance="host1",job="other",service="service1"} ${NOW - 5}\n${lines(10_001, (i) => `zz{instance="host1",job="other",service="service1",i="${i}"} 1`)}`;
    const evaluation = evaluateProbe(config, indexSnapshot(body, FIXED_HASH_SEED), serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    assert.equal(evaluation.heartbeat.found?.via, 'service_label');
    assert.equal(evaluation.heartbeat.found?.timestampSeconds, NOW - 5);
  });
});

describe('what a probe materializes is bounded in count and bytes', () => {
  const wideLabels = Array.from({ length: 90 }, (_, k) => `l${k}="v"`).join(',');
  const wide = `${HB}{${group()}} ${NOW - 5}\n${lines(9000, (i) => `a_items{${group()},${wideLabels},k="${i}"} 1`)}`;

  it(`keeps at most ${MAX_LOOKUP_BYTES / 1024} KiB of a wide group's lines, and says so in the answer`, () => {
    const snapshot = indexSnapshot(wide, FIXED_HASH_SEED);
    const found = snapshot.groups.get(groupKey('heartbeat', 'service1'));
    const kept = found?.samples ?? [];
    const lineBytes = Buffer.byteLength(wide) / 9001;
    assert.ok(kept.length > 0 && kept.length <= Math.ceil(MAX_LOOKUP_BYTES / lineBytes), `${kept.length} samples kept`);
    assert.equal(found?.truncated, true);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    assert.equal(evaluation.state, 'up');
    const text = renderExposition(buildProbeMetrics(evaluation, context, snapshot));
    assert.match(text, /^probe_passthrough_truncated 1$/m);
    assertPromtoolClean(text);
    assert.ok(Buffer.byteLength(text) < 2 * MAX_LOOKUP_BYTES, `${Buffer.byteLength(text)} bytes rendered`);
    assert.equal(text.split('\n').filter((line) => line.startsWith('a_items{')).length, evaluation.passThrough.samples.length);
  });

  it('says nothing of truncation for an ordinary group', () => {
    const snapshot = indexSnapshot(`${HB}{${group()}} ${NOW - 5}\nloop_errors_total{${group()}} 1\n`, FIXED_HASH_SEED);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    assert.doesNotMatch(renderExposition(buildProbeMetrics(evaluation, context, snapshot)), /truncated/);
  });
});

describe('one answer per series', () => {
  it('/probe: an empty-valued label is no label, so `x` and `x{extra=""}` are one series (the last line wins)', () => {
    const snapshot = indexSnapshot(`${HB}{${group()}} ${NOW - 5}\nloop_errors_total{${group()}} 1\nloop_errors_total{extra="",${group()}} 3\n`, FIXED_HASH_SEED);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    const text = renderExposition(buildProbeMetrics(evaluation, context, snapshot));
    assert.deepEqual(text.split('\n').filter((line) => line.startsWith('loop_errors_total')), ['loop_errors_total{extra=""} 3']);
    assertPromtoolClean(text);
  });

  it('/probes: an unlabelled sample and one labelled with its own service are one series once `service` is set (the later wins)', () => {
    const snapshot = indexSnapshot(`${HB}{${group()}} ${NOW - 5}\nloop_errors_total{${group()}} 1\nloop_errors_total{${group()},service="service1"} 2\n`, FIXED_HASH_SEED);
    const evaluation = evaluateProbe(config, snapshot, serviceConfig({ heartbeatMetric: HB }), 'service1', NOW);
    const text = renderExposition(buildAllProbesMetrics([evaluation], context, snapshot));
    assert.deepEqual(text.split('\n').filter((line) => line.startsWith('loop_errors_total')), ['loop_errors_total{service="service1"} 2']);
    assertPromtoolClean(text);
  });
});

describe('a heartbeat found by its service label', () => {
  // 500 instances, each its own group with a service1 heartbeat; service1 has no group of its own.
  const body = lines(500, (i) => `${HB}{instance="host${i}",job="worker",service="service1"} ${NOW - 500 + i}`);

  function counting(): { snapshot: Snapshot; gets: () => number } {
    const real = indexSnapshot(body, FIXED_HASH_SEED);
    let gets = 0;
    class CountingGroups extends Map<string, PushGroup> {
      override get(key: string): PushGroup | undefined {
        gets += 1;
        return real.groups.get(key);
      }
    }
    const snapshot: Snapshot = {
      groups: new CountingGroups(), families: real.families, sampleCount: real.sampleCount,
      samplesOfService: (name, metric) => real.samplesOfService(name, metric),
    };
    return { snapshot, gets: () => gets };
  }

  it('looks up only the newest instance\'s group without replicas (not one group per labelled instance)', () => {
    const { snapshot, gets } = counting();
    const found = lookupHeartbeat(snapshot, serviceConfig({ heartbeatMetric: HB }), 'service1');
    assert.equal(found.primary?.group.instance, 'host499');
    assert.equal(found.primary?.timestampSeconds, NOW - 1);
    // The target's own group, then the newest instance's.
    assert.equal(gets(), 2);
  });

  it('looks up every instance with replicas, newest first', () => {
    const { snapshot, gets } = counting();
    const found = lookupHeartbeat(snapshot, serviceConfig({ heartbeatMetric: HB, replicas: 2 }), 'service1');
    assert.equal(found.perInstance.length, 500);
    assert.deepEqual(found.perInstance.slice(0, 2).map((heartbeat) => heartbeat.group.instance), ['host499', 'host498']);
    assert.equal(gets(), 501);
  });
});
