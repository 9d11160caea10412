import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import type { Sample } from '../../lib/core/exposition/exposition-types.ts';
import { escapeLabelValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

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

/** Asserts that the index of `text` holds the groups, services and families the reference reads in it. */
function assertIndexedAsReference(text: string): void {
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
}

/**
 * Bodies laid out as Pushgateway writes them: families in turn, each listing the groups in the same
 * order, with labels sorted by name (or job first, a liberty of other writers). A group may be left
 * out of a family or written twice in a row (a second series, `le`), so the group after a line's is
 * often, not always, the next one first seen: the index's guess of the next group is right and wrong
 * in every way. Instances include prefixes of each other and escapes.
 */
const pushgatewayOrderedBody = fc.record({
  groups: fc.uniqueArray(
    fc.record({
      job: fc.constantFrom('heartbeat', 'batch', 'x"y', 'j'),
      instance: fc.option(fc.constantFrom('svc1', 'svc10', 'svc', '', 'サービス', 'a\\b', 'svc1"', 's\nv'), { nil: undefined }),
      service: fc.option(fc.constantFrom('svc1', 'svc10', 'other'), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 8, selector: (group) => JSON.stringify([group.job, group.instance ?? '']) },
  ),
  families: fc.array(fc.record({ times: fc.array(fc.constantFrom(1, 1, 1, 0, 2), { minLength: 8, maxLength: 8 }), jobFirst: fc.boolean(), value: number }), { minLength: 1, maxLength: 4 }),
}).map(({ groups, families }) => families.flatMap(({ times, jobFirst, value }, f) => [
  `# TYPE fam${f} untyped`,
  ...groups.flatMap((group, g) => Array.from({ length: times[g] ?? 1 }, (_, repeat) => {
    const key: Array<[string, string]> = [['instance', group.instance ?? ''], ['job', group.job]].filter(([name]) => name === 'job' || group.instance !== undefined) as Array<[string, string]>;
    const rest: Array<[string, string]> = [...(repeat > 0 ? [['le', String(repeat)] as [string, string]] : []), ...(group.service === undefined ? [] : [['service', group.service] as [string, string]])];
    const pairs = jobFirst ? [...key.reverse(), ...rest] : [...key, ...rest];
    return `fam${f}{${pairs.map(([name, v]) => `${name}="${escapeLabelValue(v)}"`).join(',')}} ${value}`;
  })),
]).join('\n') + '\n');

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
    fc.assert(fc.property(validBody, assertIndexedAsReference), { numRuns: 500, includeErrorInReport: true });
  });

  it('indexes bodies in Pushgateway\'s order (each family lists the groups in the same order, some left out or repeated) as the reference does', () => {
    fc.assert(fc.property(pushgatewayOrderedBody, assertIndexedAsReference), { numRuns: 500, includeErrorInReport: true });
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
