import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { scanExposition, type ExpositionSink } from '../../lib/core/exposition/exposition-scanner.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The scanner compares a line's metric and label names with the last valid line's (lib/core/exposition/last-line.ts)
// instead of checking them character by character: a line must read the same whatever line came before it.

/** The samples of `text` as plain data, or the error it gives without its "line N: ". */
function reading(text: string): unknown {
  try {
    return parseExposition(text, FIXED_HASH_SEED).samples.map((sample) => ({ name: sample.name, labels: Object.entries(sample.labels), job: sample.job, instance: sample.instance, service: sample.service }));
  } catch (error) {
    assert.ok(error instanceof ExpositionError, String(error));
    return error.message.replace(/^line \d+: /, '');
  }
}

const lineOf = (name: string, labels: readonly string[], value = 'v') => `${name}${labels.length === 0 ? '' : `{${labels.map((label, k) => `${label}="${value}${k}"`).join(',')}}`} 1`;

describe('names repeated from the last valid line', () => {
  it('finds a duplicate label whose first use repeats the last line\'s names, wherever it stands', () => {
    const before = lineOf('m', ['a', 'b', 'c']);
    for (const labels of [['a', 'a'], ['a', 'b', 'a'], ['a', 'b', 'c', 'b'], ['b', 'a', 'b']]) {
      assert.throws(() => parseExposition(`${before}\n${lineOf('m', labels)}\n`, FIXED_HASH_SEED), /line 2: duplicate label/, labels.join());
    }
    const nine = Array.from({ length: 9 }, (_, k) => `l${k}`);
    assert.throws(() => parseExposition(`${lineOf('m', nine)}\n${lineOf('m', [...nine, 'l8'])}\n`, FIXED_HASH_SEED), /line 2: duplicate label l8 in m/);
    assert.throws(() => parseExposition(`${lineOf('m', nine)}\n${lineOf('m', [...nine, 'l0'])}\n`, FIXED_HASH_SEED), /line 2: duplicate label l0 in m/);
  });

  it('reads a name that goes on past a repeated one as the longer name', () => {
    assert.deepEqual(reading(`${lineOf('mm', ['ab'])}\n${lineOf('mmx', ['abc', 'ab'])}\n`), [
      { name: 'mm', labels: [['ab', 'v0']], job: undefined, instance: undefined, service: undefined },
      { name: 'mmx', labels: [['abc', 'v0'], ['ab', 'v1']], job: undefined, instance: undefined, service: undefined },
    ]);
    // Key labels are known by name, repeated or not.
    assert.deepEqual(indexSnapshot(`${lineOf('m', ['job', 'instance'])}\n${lineOf('m', ['job', 'instance'], 'w')}\n`, FIXED_HASH_SEED).groups.size, 2);
    assert.deepEqual(reading(`${lineOf('m', ['instance', 'job', 'service'])}\n${lineOf('m', ['instance', 'job', 'services'])}\n`.replace(/v(\d)/g, 'x$1')), [
      { name: 'm', labels: [['instance', 'x0'], ['job', 'x1'], ['service', 'x2']], job: 'x1', instance: 'x0', service: 'x2' },
      { name: 'm', labels: [['instance', 'x0'], ['job', 'x1'], ['services', 'x2']], job: 'x1', instance: 'x0', service: undefined },
    ]);
  });

  it('finds a duplicate among names that repeat an older line\'s, after a line with fewer labels', () => {
    // The last line remembers only its own names: none of an older line's may pass for them.
    // (Lines take turns in two halves of its memory: the line two before the last wrote the same half.)
    const ten = Array.from({ length: 10 }, (_, k) => `l${k}`);
    for (const lines of [[['y', 'x'], ['q'], ['x'], ['x', 'x']], [['a', 'b', 'c'], ['q'], ['a'], ['a', 'b', 'a']], [ten, ['q'], ['l0'], ['l0', 'l1', 'l0']]]) {
      const text = lines.map((labels) => `${lineOf('m', labels)}\n`).join('');
      assert.throws(() => parseExposition(text, FIXED_HASH_SEED), new RegExp(`line ${lines.length}: duplicate label`), text);
    }
    // Past the eight names remembered, a line's own names never pass for the last line's.
    assert.throws(() => parseExposition(`${lineOf('m', ten)}\n${lineOf('m', [...ten.slice(0, 9), 'l8'])}\n`, FIXED_HASH_SEED), /line 2: duplicate label l8/);
    for (const before of ['', `${lineOf('m', ['q'])}\n`]) {
      assert.throws(() => parseExposition(`${before}${lineOf('m', ten)}\n${lineOf('m', [...ten.slice(0, 8), 'l0'])}\n`, FIXED_HASH_SEED), /duplicate label l0/);
    }
    // A last line without its line feed, shorter than the name before it, is read within the body.
    assert.throws(() => parseExposition('loop_heartbeat 1\nloop', FIXED_HASH_SEED), /line 2: expected a value after loop/);
  });

  it('reads a line the same after any valid line as alone (property-based)', () => {
    const name = fc.constantFrom('m', 'mm', 'm_total', 'n:1', 'job');
    const label = fc.constantFrom('a', 'b', 'ab', 'abc', 'job', 'jobs', 'instance', 'service', 'le', 'x_1', 'l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8');
    fc.assert(
      fc.property(name, fc.uniqueArray(label, { maxLength: 10 }), fc.option(fc.uniqueArray(label, { maxLength: 10 }), { nil: undefined }), name, fc.nat(10), fc.array(label, { maxLength: 4 }), (firstName, olderLabels, middleLabels, secondName, repeated, more) => {
        // The second line repeats some of an earlier line's names, in its order, then has any names;
        // a middle line, when there is one, stands between them with names of its own.
        const secondLabels = [...olderLabels.slice(0, repeated), ...more];
        const first = middleLabels === undefined ? lineOf(firstName, olderLabels) : `${lineOf(firstName, olderLabels)}\n${lineOf(firstName, middleLabels, 'u')}`;
        const second = lineOf(secondName, secondLabels, 'w');
        const alone = reading(`${second}\n`);
        const after = reading(`${first}\n${second}\n`);
        assert.deepEqual(after, typeof alone === 'string' ? alone : [...(reading(`${first}\n`) as unknown[]), ...(alone as unknown[])]);
        // The index groups by the key labels so read, too.
        if (typeof after !== 'string') {
          const pushed = (after as Array<{ job?: string; instance?: string; service?: string }>).filter((sample) => sample.job !== undefined);
          const snapshot = indexSnapshot(`${first}\n${second}\n`, FIXED_HASH_SEED);
          assert.deepEqual([...snapshot.groups.keys()], [...new Set(pushed.map((sample) => groupKey(sample.job ?? '', sample.instance ?? '')))]);
          for (const service of pushed.map((sample) => sample.service)) if (service !== undefined) assert.ok(snapshot.samplesOfService(service).length > 0, service);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

/** What the scanner hands the sink for each line of `lines`: the key labels' values of a sample, or why the line is refused. */
function scannedLines(lines: readonly string[]): unknown[] {
  const bytes = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
  const text = (start: number, end: number): string | undefined => (start < 0 ? undefined : bytes.toString('utf8', start, end));
  const heard: unknown[] = [];
  const sink: ExpositionSink = {
    sample: (line) => heard.push({ job: text(line.jobStart, line.jobEnd), instance: text(line.instanceStart, line.instanceEnd), service: text(line.serviceStart, line.serviceEnd) }),
    metadata: () => undefined,
    skipped: () => undefined,
    invalid: (why) => heard.push(why()),
  };
  const work = scanExposition(bytes, sink, FIXED_HASH_SEED.base);
  while (work.next().done !== true);
  return heard;
}

/** Each line as the scanner reads it alone, in a body of its own. */
const eachAlone = (lines: readonly string[]): unknown[] => lines.flatMap((line) => scannedLines([line]));

describe('names repeated from the last valid line, after older and invalid lines', () => {
  const eight = Array.from({ length: 8 }, (_, k) => `l${k}`);

  it('remembers no names for a last line without labels, whatever older lines left', () => {
    // Lines 1 and 3 leave `a` twice in the memory line 5 takes over without writing it.
    const lines = [lineOf('m', ['x', 'a']), 'm 1', lineOf('m', ['a']), 'm 1', 'm 1', lineOf('m', ['a', 'a'])];
    assert.deepEqual(scannedLines(lines).at(-1), 'duplicate label a in m');
    assert.deepEqual(scannedLines(lines), eachAlone(lines));
  });

  it('keeps the last valid line\'s names through a refused line, however many names that one has', () => {
    const lines = [lineOf('m', ['a', 'b']), lineOf('m', [...eight, 'b']).replace(/ 1$/, ' x'), lineOf('m', ['b', 'b'])];
    assert.deepEqual(scannedLines(lines).slice(1), ['invalid value "x" for m', 'duplicate label b in m']);
    assert.deepEqual(scannedLines(lines), eachAlone(lines));
  });

  it('compares the kth name with the last line\'s kth, and takes its key label from it', () => {
    // Line 2 leaves `x` as its eighth name; line 4's `x` is no job, though line 3's second name is.
    const lines = ['m 1', lineOf('m', [...eight.slice(0, 7), 'x']), lineOf('m', ['a', 'job']), lineOf('m', ['a', 'x'])];
    assert.deepEqual(scannedLines(lines).at(-1), { job: undefined, instance: undefined, service: undefined });
    assert.deepEqual(scannedLines(lines), eachAlone(lines));
    const older = [lineOf('m', [...eight.slice(0, 7), 'z']), lineOf('m', ['a', 'c']), lineOf('m', ['a', 'z', 'z'])];
    assert.deepEqual(scannedLines(older).at(-1), 'duplicate label z in m');
  });

  it('remembers each name\'s own end, not where a later name starts', () => {
    // The second line repeats the first up to its fourth name, then has a blank there.
    const lines = [lineOf('m', ['a', 'b', 'c', 'd']), lineOf('m', ['a', 'b', 'c', 'd']).replace(',d', ', d')];
    assert.deepEqual(scannedLines(lines), [{ job: undefined, instance: undefined, service: undefined }, { job: undefined, instance: undefined, service: undefined }]);
  });

  it('reads every line of a body as alone, valid and invalid lines mixed (property-based)', () => {
    const label = fc.constantFrom('a', 'b', 'x', 'job', 'instance', 'service', ...eight, 'l8');
    const line = fc.record({ name: fc.constantFrom('m', 'mm', 'n'), labels: fc.array(label, { maxLength: 11 }), valid: fc.boolean() });
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 7 }), (generated) => {
        const lines = generated.map(({ name, labels, valid }, n) => lineOf(name, labels, `v${n}_`).replace(/ 1$/, valid ? ' 1' : ' x'));
        assert.deepEqual(scannedLines(lines), eachAlone(lines));
      }),
      { numRuns: 1000 },
    );
  });
});
