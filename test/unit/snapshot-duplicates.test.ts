import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExporterError } from '../../lib/core/errors.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import type { Sample } from '../../lib/core/exposition/exposition-types.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { SnapshotMemory } from '../../lib/core/snapshot/snapshot-memory.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { groupKey, MAX_LOOKUP_SAMPLES, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

describe('duplicate series in a body', () => {
  const text = [
    '# TYPE loop_errors_total counter',
    'loop_errors_total{instance="svc",job="heartbeat",kind="io",service="svc"} 1',
    'loop_errors_total{instance="svc",job="heartbeat",kind="net",service="svc"} 5',
    '# TYPE loop_heartbeat_timestamp_seconds gauge',
    'loop_heartbeat_timestamp_seconds{instance="svc",job="heartbeat",service="svc"} 1000',
    '# TYPE loop_errors_total counter',
    'loop_errors_total{service="svc",kind="io",job="heartbeat",instance="svc"} 3',
    '',
  ].join('\n');

  it('keeps one sample per series in a group and in a service\'s samples: the last line', () => {
    const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
    const errors = (samples: readonly Sample[] | undefined) => samples?.filter((sample) => sample.name === 'loop_errors_total').map((sample) => [sample.labels.kind, sample.value]);
    assert.deepEqual(errors(snapshot.groups.get(groupKey('heartbeat', 'svc'))?.samples), [['net', 5], ['io', 3]]);
    assert.deepEqual(errors(snapshot.samplesOfService('svc')), [['net', 5], ['io', 3]]);
  });

  it('re-exposes each series once in the probe answer', () => {
    const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, serviceConfig({ name: 'svc' }), 'svc', 1001);
    const output = renderExposition(buildProbeMetrics(evaluation, { pushgatewayUp: true, snapshotAgeSeconds: 0, durationSeconds: 0, configReloadSuccessful: true }, snapshot));
    const series = output.split('\n').filter((line) => line.startsWith('loop_errors_total{'));
    // The winning line's labels, in its order.
    assert.deepEqual(series, ['loop_errors_total{kind="net",service="svc"} 5', 'loop_errors_total{service="svc",kind="io"} 3']);
  });
});

describe('bounds on what one line or one lookup can cost', () => {
  it('leaves a line over 1 MiB out, unread and counted, and indexes every other line', () => {
    const long = `hb{job="heartbeat",instance="svc",note="${'x'.repeat(1024 * 1024)}"} 1`;
    const snapshot = indexSnapshot(`hb{job="heartbeat",instance="svc"} 7\n${long}\nhb{job="heartbeat",instance="other"} 8\n`, FIXED_HASH_SEED);
    assert.equal(snapshot.skippedLines, 1);
    assert.deepEqual(snapshot.groups.get(groupKey('heartbeat', 'svc'))?.samples.map((sample) => sample.value), [7]);
    assert.deepEqual(snapshot.groups.get(groupKey('heartbeat', 'other'))?.samples.map((sample) => sample.value), [8]);
  });

  it(`decodes at most ${MAX_LOOKUP_SAMPLES} samples of one group: the last ones`, () => {
    const count = MAX_LOOKUP_SAMPLES + 50;
    const text = Array.from({ length: count }, (_, i) => `s{job="flood",instance="svc",i="${i}",service="svc"} ${i}`).join('\n');
    const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
    const samples = snapshot.groups.get(groupKey('flood', 'svc'))?.samples ?? [];
    assert.equal(samples.length, MAX_LOOKUP_SAMPLES);
    assert.equal(samples[0]?.value, 50);
    assert.equal(samples.at(-1)?.value, count - 1);
    assert.equal(snapshot.samplesOfService('svc').length, MAX_LOOKUP_SAMPLES);
  });
});

describe('snapshot memory slots', () => {
  const body = (value: number) => Buffer.from(`hb{job="heartbeat",instance="svc"} ${value}\n`);

  it('never refills the slot of the snapshot in use, and refuses to read a snapshot whose slot was refilled', async () => {
    const memory = new SnapshotMemory();
    const read = async (inUse: Snapshot | undefined, value: number) => {
      const slot = memory.slotFor(inUse, 1024);
      slot.append(body(value));
      return { slot, snapshot: await buildSnapshot(slot) };
    };
    const first = await read(undefined, 1);
    const second = await read(first.snapshot, 2);
    assert.notEqual(second.slot, first.slot);
    assert.equal(first.snapshot.groups.get(groupKey('heartbeat', 'svc'))?.samples[0]?.value, 1);
    const third = await read(second.snapshot, 3);
    assert.equal(third.slot, first.slot, 'two slots, reused');
    assert.equal(second.snapshot.groups.get(groupKey('heartbeat', 'svc'))?.samples[0]?.value, 2);
    assert.throws(() => first.snapshot.groups.get(groupKey('heartbeat', 'svc')), (error: unknown) => error instanceof ExporterError && error.code === 'SNAPSHOT_RELEASED');
  });
});
