import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bucketsFor, KeyedLines, NO_MARK, type KeyMatcher } from '../../lib/core/snapshot/keyed-lines.ts';

/** A matcher over a list of keys by line start: `keyAt[lineStart]` is the key of that line. */
function matcherFor(table: KeyedLines, keyAt: Map<number, string>, adding: { key: string }, marks: Array<[number, number]>): KeyMatcher {
  return {
    sameKey(_kind: number, entry: number, mark: number): boolean {
      marks.push([entry, mark]);
      return keyAt.get(table.line.get(entry)) === adding.key;
    },
  };
}

/**
 * Adds line after line of the keys `adds` names (each line the key's own `add`, or `addToKey` when
 * `direct` and the key is known), growing the table to `growTo` buckets after line `growAt`; then
 * checks that each add returned the key's first line, and that every key is found with its lines.
 */
function addAndFindKeys(adds: ReadonlyArray<readonly [number, boolean]>, hashOf: (key: number) => number, growAt: number, growTo: number): KeyedLines {
  const table = new KeyedLines(true);
  table.reset(16);
  const keyAt = new Map<number, number>();
  let adding = 0;
  const matcher: KeyMatcher = { sameKey: (_kind, entry) => keyAt.get(table.line.get(entry)) === adding };
  const expected = new Map<number, number[]>();
  const keyIds = new Map<number, number>();
  adds.forEach(([key, direct], line) => {
    keyAt.set(line, key);
    adding = key;
    const known = keyIds.get(key);
    if (direct && known !== undefined) {
      table.addToKey(known, line, line);
    } else {
      const firstLine = table.entries;
      assert.equal(table.add(hashOf(key), line, 0, matcher, line), known ?? firstLine);
    }
    keyIds.set(key, table.keyOf(table.entries - 1));
    expected.set(key, [...(expected.get(key) ?? []), line]);
    if (line === growAt) table.grow(growTo);
  });
  assert.equal(table.keys, expected.size);
  for (const [key, lines] of expected) {
    const newest = table.newest(hashOf(key), (entry) => keyAt.get(table.line.get(entry)) === key);
    assert.deepEqual(table.linesOf(newest), lines);
    assert.equal(table.keyOf(newest), keyIds.get(key));
  }
  return table;
}

describe('keyed lines: keys, their lines and their marks', () => {
  it('tells keys sharing a bucket apart by their stored hash, without comparing their text', () => {
    const table = new KeyedLines(true);
    table.reset(16);
    let compared = 0;
    // Key A is line 0 (hash 0), key B lines 1–1000 (hash 16), key C line 2000 (hash 32): one bucket of 16.
    const keyOf = (line: number): string => (line === 0 ? 'A' : line < 2000 ? 'B' : 'C');
    // `kind` carries the key being added (0: A, 1: B, 2: C).
    const matcher = {
      sameKey(kind: number, entry: number): boolean {
        compared += 1;
        return keyOf(table.line.get(entry)) === 'ABC'[kind];
      },
    };
    table.add(0, 0, 0, matcher, NO_MARK);
    for (let line = 1; line <= 1000; line++) table.add(16, line, 1, matcher, NO_MARK);
    table.add(32, 2000, 2, matcher, NO_MARK);
    // Only B's own lines are compared with B (once each after its first); A and C are skipped by hash.
    assert.equal(compared, 999);
    assert.equal(table.newest(16, () => true), 1000);
    assert.equal(table.keys, 3);
  });

  it('chains each key\'s lines newest first, numbers keys by their first line and keeps the mark of each newest later line', () => {
    const table = new KeyedLines(true);
    table.reset(16);
    const keyAt = new Map<number, string>();
    const adding = { key: '' };
    const marks: Array<[number, number]> = [];
    const matcher = matcherFor(table, keyAt, adding, marks);
    const add = (line: number, key: string, hash: number, mark: number): number => {
      keyAt.set(line, key);
      adding.key = key;
      return table.add(hash, line, 0, matcher, mark);
    };
    assert.equal(add(100, 'a', 1, 1000), 0);
    assert.equal(add(200, 'b', 17, 2000), 1); // the same bucket as a, another hash
    assert.equal(add(300, 'a', 1, 3000), 0);
    table.addToKey(1, 400, 4000); // a line of b, added without its hash
    keyAt.set(400, 'b');
    assert.equal(add(500, 'a', 1, 5000), 0);
    assert.deepEqual([table.keys, table.entries], [2, 5]);
    assert.deepEqual([0, 1, 2, 3, 4].map((entry) => table.keyOf(entry)), [0, 1, 0, 1, 0]);
    assert.deepEqual([table.newestOf(0), table.newestOf(1)], [4, 3]);
    assert.deepEqual([table.markOf(0), table.markOf(1)], [5000, 4000]);
    assert.deepEqual(table.linesOf(table.newestOf(0)), [100, 300, 500]);
    assert.deepEqual(table.linesOf(table.newestOf(1)), [200, 400]);
    assert.equal(table.olderOf(0), -1);
    assert.equal(table.newest(1, () => true), 4);
    assert.equal(table.newest(17, () => true), 3);
    assert.equal(table.newest(33, () => true), -1);
    assert.deepEqual(table.allKeys().sort(), [3, 4]);
    // Only a's own lines were compared, each against a's newest line and the mark noted with it.
    assert.deepEqual(marks, [[0, 1000], [2, 3000]]);
  });

  it('keeps only the newest line of a key when it keeps no older lines', () => {
    const table = new KeyedLines(false);
    table.reset(16);
    const same: KeyMatcher = { sameKey: () => true };
    table.add(5, 10, 0, same, NO_MARK);
    table.add(5, 20, 0, same, 7);
    table.addToKey(0, 30, 8);
    assert.equal(table.newest(5, () => true), 2);
    assert.equal(table.olderOf(2), -1);
    assert.equal(table.markOf(0), 8);
    assert.deepEqual(table.linesOf(2), [30]);
    assert.equal(table.lastBefore(25), 1);
  });

  it('finds every key, with its lines in order, after growing from 16 buckets with keys of every hash (property-based)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(40), fc.boolean()), { minLength: 1, maxLength: 300 }), fc.integer({ min: 5, max: 12 }), (adds, growBits) => {
        addAndFindKeys(adds, (key) => (key * 2654435761) | 0, Math.floor(adds.length / 2), 2 ** growBits);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every key when keys share buckets, tag bits and whole hashes, through a grow (property-based)', () => {
    // A hash is built from a few values of each part the table reads: its bucket (low bits), its
    // bucket after growing (the next bits), its tag (bits 21–25) and the rest, so that keys often
    // share a bucket and a tag bit but not a hash, a bucket but not a tag bit, or a whole hash.
    const part = (values: number[]) => fc.constantFrom(...values);
    const hash = fc.tuple(part([0, 5]), part([0, 1 << 4, 1 << 9]), part([0, 1, 31]), part([0, 1 << 14])).map(([low, grown, tag, rest]) => (tag << 21) | rest | grown | low);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(30), fc.boolean()), { minLength: 1, maxLength: 200 }), fc.array(hash, { minLength: 31, maxLength: 31 }), fc.integer({ min: 0, max: 199 }), (adds, hashes, growAt) => {
        const table = addAndFindKeys(adds, (key) => hashes[key] as number, growAt, 1024);
        // A hash no key has is found nowhere, whatever its bucket holds.
        for (const other of [1 << 25, (31 << 21) | 7]) {
          if (!hashes.includes(other)) assert.equal(table.newest(other, () => true), -1);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('finds its keys after growing into bucket memory an earlier, larger use left behind', () => {
    // A slot's table keeps its memory from read to read: reset for fewer buckets than it once had,
    // then grown while a body streams in, the upper buckets hold what the larger use wrote there.
    const keyAt = new Map<number, number>();
    let adding = 0;
    const table = new KeyedLines(true);
    const matcher: KeyMatcher = { sameKey: (_kind, entry) => keyAt.get(table.line.get(entry)) === adding };
    const add = (key: number, line: number): number => {
      keyAt.set(line, key);
      adding = key;
      return table.add((key * 2654435761) >>> 6, line, 0, matcher, NO_MARK);
    };
    table.reset(1024);
    for (let line = 0; line < 3000; line++) add(line % 1500, line);
    // Keys the larger use did not have: what it left in the upper buckets says nothing of them.
    table.reset(16);
    keyAt.clear();
    for (let line = 0; line < 200; line++) add(100_000 + (line % 100), line);
    table.grow(1024);
    for (let line = 200; line < 400; line++) assert.equal(add(100_000 + (line % 100), line), line % 100, `line ${line}`);
    assert.equal(table.keys, 100);
  });

  it('finds its keys after a reset for more buckets than its memory has', () => {
    const table = new KeyedLines(false);
    const same: KeyMatcher = { sameKey: () => true };
    table.reset(16);
    table.add(3, 0, 0, same, NO_MARK);
    // Twice the buckets of the last reset: the bucket memory must grow with them.
    table.reset(32);
    for (let key = 0; key < 32; key++) table.add(key, key, 0, same, NO_MARK);
    for (let key = 0; key < 32; key++) assert.equal(table.newest(key, () => true), key, `key ${key}`);
  });

  it('keeps keys, lines and marks past the first block of entries (4,096 lines), and finds the last line before a position', () => {
    // Line n starts at n and is of key n % KEYS (hash: the key + 1), noted with mark n: the first
    // KEYS lines are new keys, so entries past the first block are made by both ways of adding.
    const KEYS = 5003;
    const table = new KeyedLines(true);
    table.reset(1024);
    let adding = 0;
    const matcher: KeyMatcher = { sameKey: (_kind, entry) => table.line.get(entry) % KEYS === adding };
    const count = 10_000;
    for (let line = 0; line < count; line++) {
      adding = line % KEYS;
      table.add(adding + 1, line, 0, matcher, line);
    }
    assert.deepEqual([table.keys, table.entries], [KEYS, count]);
    for (const key of [0, 6, 4095, 4096, 4996, 4997, 5002]) {
      const expected = Array.from({ length: count }, (_, line) => line).filter((line) => line % KEYS === key);
      const newest = table.newest(key + 1, () => true);
      assert.deepEqual(table.linesOf(newest), expected);
      assert.deepEqual(table.linesOf(newest, 1), expected.slice(-1));
      assert.equal(table.markOf(table.keyOf(newest)), expected.at(-1));
    }
    assert.deepEqual([0, 1, 4096, 5000, count, count + 5].map((position) => table.lastBefore(position)), [-1, 0, 4095, 4999, count - 1, count - 1]);
  });

  it('has a power of two of buckets, at least 16, near one per the bytes given', () => {
    assert.deepEqual([0, 1, 128 * 16, 128 * 17, 1 << 20, 3_208_386].map((bytes) => bucketsFor(bytes, 128)), [16, 16, 16, 32, 8192, 32_768]);
  });
});
