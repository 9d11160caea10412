import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExporterError, ExpositionError } from '../../lib/core/errors.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import type { Sample } from '../../lib/core/exposition/exposition-types.ts';
import { escapeLabelValue, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { SnapshotMemory } from '../../lib/core/snapshot/snapshot-memory.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { groupKey, MAX_LOOKUP_SAMPLES, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { hostileBody, manyLabelsPush, BODY_SHAPES } from '../support/hostile-bodies.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

/** Best of `rounds` runs of each, alternated so both see the same machine load. */
function bestOf(rounds: number, a: () => unknown, b: () => unknown): [number, number] {
  let bestA = Number.POSITIVE_INFINITY;
  let bestB = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let started = performance.now();
    a();
    bestA = Math.min(bestA, performance.now() - started);
    started = performance.now();
    b();
    bestB = Math.min(bestB, performance.now() - started);
  }
  return [bestA, bestB];
}

/** Lines of a body `bytes` long (about), each made by `line(index)`. */
function bodyOf(bytes: number, line: (index: number) => string): string {
  const lines: string[] = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const text = line(index);
    lines.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  return `${lines.join('\n')}\n`;
}

const SIZE = 512 * 1024;

/** Hostile shapes, their parameters drawn by fast-check: every one a valid body of about SIZE bytes. */
const hostileShape = fc.oneof(
  fc.record({ escapes: fc.integer({ min: 1000, max: 8000 }), text: fc.integer({ min: 0, max: 30_000 }), escape: fc.constantFrom('\\\\', '\\n', '\\\\\\n') }).map(({ escapes, text, escape }) => ({
    name: `${escapes} escapes "${escape}" then ${text} bytes of text per value`,
    body: bodyOf(SIZE, (i) => `m{job="heartbeat",instance="e${i}",note="${escape.repeat(escapes)}${'x'.repeat(text)}"} 1`),
  })),
  fc.integer({ min: 1000, max: 8000 }).map((labels) => ({
    name: `${labels} labels per line`,
    body: bodyOf(SIZE, (i) => `wide{${Array.from({ length: labels }, (_, k) => `l${k}="${k % 10}"`).join(',')},job="heartbeat",instance="w${i}"} 1`),
  })),
  fc.integer({ min: 0, max: 3 }).map((extra) => ({
    name: `tiny groups with ${extra} extra byte(s)`,
    body: bodyOf(SIZE, (i) => `a{job="${i.toString(36)}${'z'.repeat(extra)}"}1`),
  })),
  fc.constant({ name: 'a family change before every sample', body: bodyOf(SIZE, (i) => `#HELP f${i}\nf${i}{job="${i}"}1`) }),
  fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }), { minLength: 1, maxLength: 8 }).map((values) => ({
    name: 'non-Latin-1 label values',
    body: bodyOf(SIZE, (i) => `m{job="heartbeat",instance="${escapeLabelValue(`${values[i % values.length]}${i}`)}",v="${escapeLabelValue(values[(i + 1) % values.length] ?? '')}"} ${i}`),
  })),
  fc.integer({ min: 50_000, max: 400_000 }).map((length) => ({
    name: `tokens of ${length} bytes (metric name, label value, blanks)`,
    body: bodyOf(SIZE, (i) => [`${'n'.repeat(length)}{job="j",instance="${i}"} 1`, `m{job="j",instance="${i}",v="${'v'.repeat(length)}"} 1`, `m{job="j",instance="${i}"}${' '.repeat(length)}1`][i % 3] ?? ''),
  })),
);

describe('exposition scanning and indexing take time linear in the body, whatever its shape', () => {
  it('spends at most a few times as long per byte on a hostile body as on a Pushgateway-shaped one of the same size (best of 3, side by side)', () => {
    const plain = hostileBody('plain', SIZE);
    fc.assert(
      fc.property(hostileShape, ({ name, body }) => {
        const [plainMs, hostileMs] = bestOf(3, () => indexSnapshot(plain, FIXED_HASH_SEED), () => indexSnapshot(body, FIXED_HASH_SEED));
        const ratio = hostileMs / Buffer.byteLength(body) / (plainMs / Buffer.byteLength(plain));
        assert.ok(ratio < 8, `${name}: ${ratio.toFixed(1)}× the time per byte of a plain body (${hostileMs.toFixed(1)} ms vs ${plainMs.toFixed(1)} ms)`);
      }),
      { numRuns: 12 },
    );
  });

  it('finds a duplicate among 30,000 labels of one line quickly: as fast per byte as a plain body, within a few times', () => {
    const line = manyLabelsPush().replace('} 1', ',l0="again"} 1');
    const plain = hostileBody('plain', line.length);
    const [plainMs, hostileMs] = bestOf(3, () => indexSnapshot(plain, FIXED_HASH_SEED), () => assert.throws(() => indexSnapshot(line, FIXED_HASH_SEED), /line 1: duplicate label l0 in wide/));
    assert.ok(hostileMs / line.length < (8 * plainMs) / plain.length, `${hostileMs.toFixed(1)} ms vs ${plainMs.toFixed(1)} ms for a plain body of the same size`);
  });
});

/** A full garbage collection, for measuring what stays (the test process has no --expose-gc). */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
})();

describe('a snapshot holds memory linear in the body', () => {
  for (const shape of BODY_SHAPES) {
    it(`holds at most 2.5 bytes (body included) per body byte for a ${shape} body`, () => {
      const text = hostileBody(shape, 2 * 1024 * 1024);
      const bytes = Buffer.byteLength(text);
      collectGarbage();
      const before = process.memoryUsage();
      const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
      collectGarbage();
      const after = process.memoryUsage();
      const held = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
      assert.ok(snapshot.sampleCount > 0);
      assert.ok(held / bytes <= 2.5, `${(held / bytes).toFixed(2)} bytes per body byte`);
    });
  }
});

/** CPU time this process has used, in ms: unlike the wall clock it does not run while the process waits for a core. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The most CPU time the process spent between two turns of the event loop, from now until
 * `stop()`. CPU time, not wall time: on a loaded machine the process can wait tens of
 * milliseconds for a core in the middle of any turn, which says nothing about how the build
 * slices its work.
 */
function watchTurns(): { stop(): number } {
  let last = cpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, cpuMs() - last);
    },
  };
}

describe('indexing yields to the event loop', () => {
  for (const shape of ['tiny-groups', 'family-per-sample', 'many-labels'] as const) {
    it(`never holds the event loop for more than a small part of the build on a ${shape} body (CPU time, best of 5)`, async (t) => {
      const body = Buffer.from(hostileBody(shape, 4 * 1024 * 1024));
      const slot = new SnapshotSlot();
      const shares: string[] = [];
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 5; attempt++) {
        slot.begin(body.length);
        slot.append(body);
        const turns = watchTurns();
        await sleep(5);
        const started = cpuMs();
        const snapshot = await buildSnapshot(slot);
        const buildMs = cpuMs() - started;
        const longestMs = turns.stop();
        assert.ok(snapshot.sampleCount > 0);
        // A collection can still land in one turn now and then: the best of five shows what the build itself does.
        best = Math.min(best, longestMs / buildMs);
        shares.push(`${longestMs.toFixed(1)} ms of ${buildMs.toFixed(0)} ms CPU`);
      }
      t.diagnostic(`longest turn: ${shares.join(', ')}`);
      assert.ok(best <= 0.25, `longest turn: ${shares.join(', ')}`);
    });
  }
});

/** An independent, simple reading of the text format (regular expressions, strings), for valid bodies only. */
function referenceParse(text: string): { samples: Sample[]; families: Map<string, { help?: string; type?: string }> } {
  const samples: Sample[] = [];
  const families = new Map<string, { help?: string; type?: string }>();
  let context: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]*$/.test(line)) continue;
    const comment = /^[ \t]*#[ \t]*(HELP|TYPE)[ \t]+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:[ \t]([^]*))?$/.exec(line);
    if (comment) {
      const [, kind, name = '', rest = ''] = comment;
      const family = families.get(name) ?? {};
      if (kind === 'HELP') family.help = rest.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
      else family.type = rest.trim();
      families.set(name, family);
      context = name;
      continue;
    }
    if (/^[ \t]*#/.test(line)) continue;
    const sample = /^[ \t]*([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^]*)\})?[ \t]*(\S+)(?:[ \t]+(-?\d+))?[ \t]*$/.exec(line);
    assert.ok(sample, `reference cannot read ${JSON.stringify(line)}`);
    const [, name = '', labelText = '', value = '', timestamp] = sample;
    const labels = Object.create(null) as Record<string, string>;
    const pair = /[ \t,]*([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*=[ \t]*"((?:[^"\\]|\\[^])*)"[ \t]*/gy;
    for (let match = pair.exec(labelText); match; match = pair.exec(labelText)) {
      labels[match[1] ?? ''] = (match[2] ?? '').replace(/\\([^])/g, (_m, c: string) => (c === 'n' ? '\n' : c));
    }
    const suffixes = ['', '_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];
    const family = context !== undefined && suffixes.some((suffix) => `${context}${suffix}` === name) ? context : name;
    const number = value === 'NaN' ? Number.NaN : value === '+Inf' || value === 'Inf' ? Infinity : value === '-Inf' ? -Infinity : Number(value);
    samples.push({ name, value: number, timestampMs: timestamp === undefined ? undefined : Number(timestamp), family, job: labels.job, instance: labels.instance, service: labels.service, labels });
  }
  return { samples, families };
}

/** A series is its name and its non-empty labels: Prometheus reads `l=""` as no label `l`. */
const seriesOf = (sample: Sample) => JSON.stringify([sample.name, Object.entries(sample.labels).filter(([, value]) => value !== '').sort()]);
const lastPerSeries = (samples: Sample[]) => samples.filter((sample, k) => !samples.slice(k + 1).some((later) => seriesOf(later) === seriesOf(sample)));
const plainSample = (sample: Sample) => ({ name: sample.name, value: sample.value, timestampMs: sample.timestampMs, family: sample.family, labels: Object.entries(sample.labels) });

/** Random valid bodies in Pushgateway's layout (each family once, HELP and TYPE before its samples), with every liberty the format allows. */
const labelValue = fc.oneof(fc.constantFrom('', 'a', 'svc', 'x"y', 'p\\q', 'l1\nl2', '{},= #', 'サービス', '🚀'), fc.string({ unit: 'grapheme', maxLength: 8 }));
const labelName = fc.constantFrom('job', 'instance', 'service', 'le', 'a', 'b_2', '__proto__', 'constructor', 'toString');
const number = fc.oneof(fc.integer().map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => String(v)), fc.constantFrom('NaN', '+Inf', '-Inf', '1e3', '-2.5E-2', '0'));
const blank = fc.constantFrom('', ' ', '\t', '  ');
const sampleLine = (family: string) =>
  fc.record({
    suffix: fc.constantFrom('', '', '_total', '_sum', '_bucket', '_other'),
    labels: fc.uniqueArray(fc.tuple(labelName, labelValue), { maxLength: 5, selector: ([name]) => name }),
    job: fc.option(fc.constantFrom('heartbeat', 'batch', 'x"y'), { nil: undefined }),
    instance: fc.option(fc.constantFrom('svc1', 'svc2', '', 'サービス'), { nil: undefined }),
    value: number,
    timestamp: fc.option(fc.integer({ min: -1e12, max: 1e13 }), { nil: undefined }),
    pad: blank,
    trailingComma: fc.boolean(),
  }).map(({ suffix, labels, job, instance, value, timestamp, pad, trailingComma }) => {
    const pairs = labels.filter(([name]) => name !== 'job' && name !== 'instance');
    if (job !== undefined) pairs.push(['job', job]);
    if (instance !== undefined) pairs.splice(pairs.length === 0 ? 0 : 1, 0, ['instance', instance]);
    const set = pairs.map(([name, v]) => `${name}${pad}=${pad}"${escapeLabelValue(v)}"`).join(`,${pad}`);
    const labelText = pairs.length === 0 ? '' : `{${pad}${set}${trailingComma ? ',' : ''}${pad}}`;
    return `${pad}${family}${suffix}${labelText} ${value}${timestamp === undefined ? '' : ` ${timestamp}`}${pad}`;
  });
const familyBlock = fc.tuple(fc.constantFrom('m', 'loop_errors', 'rt', 'up', 'hb'), fc.nat(99)).chain(([base, n]) => {
  const family = `${base}${n}`;
  return fc.record({
    help: fc.option(fc.string({ maxLength: 12 }).map((help) => `# HELP ${family} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`), { nil: undefined }),
    type: fc.option(fc.constantFrom('gauge', 'counter', 'untyped', 'histogram', 'summary').map((type) => `# TYPE ${family} ${type}`), { nil: undefined }),
    samples: fc.array(sampleLine(family), { maxLength: 6 }),
    noise: fc.array(fc.constantFrom('', '   ', '# an ordinary comment', '#'), { maxLength: 2 }),
  }).map(({ help, type, samples, noise }) => [...noise, ...(help ? [help] : []), ...(type ? [type] : []), ...samples]);
});
const validBody = fc.tuple(fc.uniqueArray(familyBlock, { maxLength: 6, selector: (block) => block.find((line) => line.startsWith('# '))?.split(' ')[2] ?? JSON.stringify(block) }), fc.constantFrom('\n', '\r\n'), fc.boolean())
  .map(([blocks, newline, finalNewline]) => `${blocks.flat().join(newline)}${finalNewline ? newline : ''}`);

describe('the scanner and the index agree with a simple reference reading (property-based)', () => {
  it('parses random valid bodies into the same samples, labels, families and values', () => {
    fc.assert(
      fc.property(validBody, (text) => {
        const expected = referenceParse(text);
        const parsed = parseExposition(text, FIXED_HASH_SEED);
        assert.deepEqual(parsed.samples.map(plainSample), expected.samples.map(plainSample));
        for (const [name, family] of expected.families) {
          assert.equal(parsed.families.get(name)?.help, family.help);
          assert.equal(parsed.families.get(name)?.type, family.type);
        }
      }),
      { numRuns: 500, includeErrorInReport: true },
    );
  });

  it('indexes every group and service as the reference groups them, one sample per series (the last line wins)', () => {
    fc.assert(
      fc.property(validBody, (text) => {
        const pushed = referenceParse(text).samples.filter((sample) => sample.job !== undefined);
        const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
        const groups = new Map<string, Sample[]>();
        for (const sample of pushed) {
          const key = groupKey(sample.job ?? '', sample.instance ?? '');
          groups.set(key, [...(groups.get(key) ?? []), sample]);
        }
        assert.equal(snapshot.groups.size, groups.size);
        assert.deepEqual([...snapshot.groups.keys()], [...groups.keys()]);
        for (const [key, samples] of groups) assert.deepEqual(snapshot.groups.get(key)?.samples.map(plainSample), lastPerSeries(samples).map(plainSample));
        for (const service of new Set(pushed.map((sample) => sample.service))) {
          if (service === undefined) continue;
          assert.deepEqual(snapshot.samplesOfService(service).map(plainSample), lastPerSeries(pushed.filter((sample) => sample.service === service)).map(plainSample));
        }
        const families = referenceParse(text).families;
        for (const sample of pushed) {
          const family = families.get(sample.family);
          if (family === undefined) continue;
          assert.equal(snapshot.families.get(sample.family)?.help, family.help);
          assert.equal(snapshot.families.get(sample.family)?.type, family.type);
        }
        assert.equal(snapshot.groups.get(groupKey('no such job', 'svc1')), undefined);
        assert.deepEqual(snapshot.samplesOfService('no such service'), []);
      }),
      { numRuns: 500, includeErrorInReport: true },
    );
  });

  it('reads a malformed line as the same one-line error, wherever it stands', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('ok{job="a"} 1', '# TYPE ok gauge', ''), { maxLength: 5 }), (before) => {
        const text = [...before, 'x{a="1",a="2"} 2', 'y 1'].join('\n');
        assert.throws(() => indexSnapshot(text, FIXED_HASH_SEED), (error: unknown) => error instanceof ExpositionError && error.message === `line ${before.length + 1}: duplicate label a in x`);
      }),
      { numRuns: 50 },
    );
  });
});

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
