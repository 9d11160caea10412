import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { escapeLabelValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { EMPTY_RANGE_HASH, hashBytes, HASH_PRIME } from '../../lib/core/snapshot/byte-hash.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The index matches a line to its group (and service) by the line's label text up to the key values
// when it can, by the values themselves otherwise (lib/core/snapshot/index-slot.ts): either way a
// group is exactly its job and instance, however its lines write their labels.

/** Group key → sample lines (name and value), as a full parse groups them. */
function parsedGroups(body: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const sample of parseExposition(body, FIXED_HASH_SEED).samples) {
    if (sample.job === undefined) continue;
    const key = groupKey(sample.job, sample.instance ?? '');
    groups.set(key, [...(groups.get(key) ?? []), `${sample.name} ${sample.value}`]);
  }
  return groups;
}

/**
 * A seed under which a key's hash is its length alone (base 0): every two keys of the same length
 * collide, so every line is matched by comparing keys — the paths a random seed takes only rarely.
 */
const COLLIDING_SEED = { base: 0, pairBase: 0 };

/**
 * A seed under which the instance `a` hashes as an empty range does (1): a group with no instance
 * hashes as its job alone (byte-hash.ts combineHashes), so `{job="j",instance="a"}` and `{job="j"}`
 * then share a hash, and only the key compare tells them apart. hash("a") = 98 · base + 2 mod P
 * (the digit of "a", then of its length), which is 1 for base = −1/98 mod P.
 */
const EMPTY_LOOKALIKE_SEED = (() => {
  const p = BigInt(HASH_PRIME);
  let inverse = 1n;
  for (let power = p - 2n, square = 98n; power > 0n; power >>= 1n, square = (square * square) % p) if (power & 1n) inverse = (inverse * square) % p;
  return { base: Number((p - inverse) % p), pairBase: FIXED_HASH_SEED.pairBase };
})();

function indexedGroups(body: string, seed = FIXED_HASH_SEED): Map<string, string[]> {
  const snapshot = indexSnapshot(body, seed);
  return new Map([...snapshot.groups.entries()].map(([key, group]) => [key, group.samples.map((sample) => `${sample.name} ${sample.value}`)]));
}

const value = fc.constantFrom('a', 'ab', 'a"b', 'a\\b', 'a\nb', '', 'svc1', 'svc10', 'heartbeat');
const line = fc.record({
  name: fc.constantFrom('m', 'mm', 'push_time_seconds'),
  job: value,
  instance: fc.option(value, { nil: undefined }),
  service: fc.option(value, { nil: undefined }),
  extra: fc.option(fc.constantFrom('a', 'instance_x', 'jo', 'zz'), { nil: undefined }),
  order: fc.integer({ min: 0, max: 23 }),
});

describe('snapshot › a group is its job and instance, however its lines write their labels', () => {
  it('groups lines as a full parse does: any label order, extra labels before or between the keys, escapes, missing instance (property)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), (lines) => {
        const body = lines.map((l, n) => {
          const labels = [[l.extra ?? '', 'x'], ['job', l.job], ['instance', l.instance], ['service', l.service]]
            .filter((pair): pair is [string, string] => pair[0] !== '' && pair[1] !== undefined);
          // A permutation of the labels chosen by `order`.
          const ordered: [string, string][] = [];
          let pick = l.order;
          while (labels.length > 0) {
            ordered.push(labels.splice(pick % labels.length, 1)[0] as [string, string]);
            pick = Math.floor(pick / 2) + 1;
          }
          return `${l.name}{${ordered.map(([name, text]) => `${name}="${escapeLabelValue(text)}"`).join(',')}} ${n}\n`;
        }).join('');
        const parsed = parsedGroups(body);
        for (const seed of [FIXED_HASH_SEED, COLLIDING_SEED, EMPTY_LOOKALIKE_SEED]) {
          const indexed = indexedGroups(body, seed);
          assert.deepEqual([...indexed.keys()].sort(), [...parsed.keys()].sort());
          // A series written twice keeps its last line: compare the set of lines each group answers with.
          for (const [key, samples] of indexed) assert.ok(samples.every((sample) => parsed.get(key)?.includes(sample)), key);
          assert.equal(indexSnapshot(body, seed).groupCount, parsed.size);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('tells apart groups whose label text is the same up to the job but not the instance, and services differing after a shared prefix', () => {
    const body = 'a{instance="svc1",job="j",service="s1"} 1\nb{instance="svc1",job="j",service="s1"} 2\nb{instance="svc10",job="j",service="s10"} 3\nc{instance="svc1",job="jj",service="s1"} 4\n';
    for (const seed of [FIXED_HASH_SEED, COLLIDING_SEED]) {
      const snapshot = indexSnapshot(body, seed);
      assert.equal(snapshot.groupCount, 3);
      assert.deepEqual(snapshot.groups.get(groupKey('j', 'svc1'))?.samples.map((s) => s.value), [1, 2]);
      assert.deepEqual(snapshot.groups.get(groupKey('j', 'svc10'))?.samples.map((s) => s.value), [3]);
      assert.deepEqual(snapshot.samplesOfService('s1').map((s) => s.value), [1, 2, 4]);
      assert.deepEqual(snapshot.samplesOfService('s10').map((s) => s.value), [3]);
    }
  });

  it('tells a group with no instance from one whose instance hashes as an empty one', () => {
    assert.equal(hashBytes(Buffer.from('a'), 0, 1, EMPTY_LOOKALIKE_SEED.base), EMPTY_RANGE_HASH);
    const body = 'm{instance="a",job="j"} 1\nm{job="j"} 2\nn{instance="",job="j"} 3\nn{instance="a",job="j"} 4\no{job="j",instance="a"} 5\n';
    for (const seed of [FIXED_HASH_SEED, EMPTY_LOOKALIKE_SEED]) {
      const snapshot = indexSnapshot(body, seed);
      assert.equal(snapshot.groupCount, 2);
      assert.deepEqual(snapshot.group('j', 'a')?.samples.map((s) => s.value), [1, 4, 5]);
      assert.deepEqual(snapshot.group('j', '')?.samples.map((s) => s.value), [2, 3]);
    }
  });
});
