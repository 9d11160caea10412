import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
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
