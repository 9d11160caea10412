import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { scanExposition, type ExpositionSink } from '../../lib/core/exposition/exposition-scanner.ts';
import { combineHashes, EMPTY_RANGE_HASH, hashBytes, HASH_PRIME, MAX_HASH_BASE, MIN_HASH_BASE } from '../../lib/core/snapshot/byte-hash.ts';
import { MAX_LINE_BYTES } from '../../lib/core/exposition/exposition-scanner.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { randomHashSeed } from '../../lib/edges/random-hash-seed.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { isPrime, periodOf, power, primeFactors } from '../support/hash-periods.ts';

const wide = (name: string, labels: number, repeat?: number) =>
  `${name}{${Array.from({ length: labels }, (_, k) => `l${k}="v"`).join(',')}${repeat === undefined ? '' : `,l${repeat}="again"`}} 1\n`;

describe('indexing with a given hash seed', () => {
  it('finds the same groups, services and families whatever the seed', () => {
    const body = [
      '# HELP hb Heartbeat.', '# TYPE hb gauge',
      ...Array.from({ length: 300 }, (_, k) => `hb{instance="i${k}",job="heartbeat",service="s${k % 7}"} ${k}`),
    ].join('\n');
    const seeds = [FIXED_HASH_SEED, randomHashSeed(), { base: MIN_HASH_BASE, pairBase: HASH_PRIME - 1 }];
    const views = seeds.map((hashSeed) => {
      const snapshot = indexSnapshot(`${body}\n`, hashSeed);
      return [snapshot.groups.size, snapshot.groups.get(groupKey('heartbeat', 'i123'))?.samples[0]?.value, snapshot.samplesOfService('s3').length, snapshot.families.get('hb')?.type];
    });
    for (const view of views) assert.deepEqual(view, [300, 123, 43, 'gauge']);
  });
});

describe('scanExposition state', () => {
  it('keeps each scan to itself: two scans in progress at once report their own invalid lines', () => {
    // Lines of more than 8 labels use the duplicate-label hash set; 40 KiB bodies yield mid-way.
    const bodyA = Buffer.from(wide('a', 12).repeat(400) + wide('a', 12, 3) + wide('a', 12).repeat(400));
    const bodyB = Buffer.from(wide('b', 20).repeat(300) + 'b{x="1" 2\n' + wide('b', 20).repeat(300));
    const seen: string[] = [];
    const sink = (tag: string): ExpositionSink => ({
      sample: () => undefined, metadata: () => undefined, skipped: () => undefined,
      invalid: (why, lineNumber) => seen.push(`${tag} ${lineNumber}: ${why()}`),
    });
    const a = scanExposition(bodyA, sink('A'), FIXED_HASH_SEED.base);
    const b = scanExposition(bodyB, sink('B'), randomHashSeed().base);
    let doneA = false;
    let doneB = false;
    while (!doneA || !doneB) {
      if (!doneA) doneA = a.next().done === true;
      if (!doneB) doneB = b.next().done === true;
    }
    assert.deepEqual(seen.sort(), ['A 401: duplicate label l3 in a', 'B 301: expected "," or "}" in labels of b']);
  });
});

describe('byte hashes', () => {
  const P = BigInt(HASH_PRIME);
  /** The polynomial the hashes are, in exact integers: digits read in order, each step h · base + digit mod P. */
  const polynomial = (digits: readonly number[], base: number): number => Number(digits.reduce((h, digit) => (h * BigInt(base) + BigInt(digit)) % P, 0n));
  const hash = fc.oneof(fc.integer({ min: 0, max: HASH_PRIME - 1 }), fc.constantFrom(0, HASH_PRIME - 2, HASH_PRIME - 1));
  const base = fc.oneof(fc.integer({ min: MIN_HASH_BASE, max: HASH_PRIME - 1 }), fc.constantFrom(MIN_HASH_BASE, HASH_PRIME - 1));

  it('combines a pair of hashes as the two-digit polynomial (first + 1, second + 1), the largest hashes included, and a pair with an empty second as its first (property-based)', () => {
    const second = fc.oneof(hash, fc.constant(EMPTY_RANGE_HASH));
    fc.assert(
      fc.property(hash, second, base, (first, other, b) => combineHashes(first, other, b) === (other === EMPTY_RANGE_HASH ? first : polynomial([first + 1, other + 1], b))),
      { numRuns: 2000 },
    );
    assert.equal(hashBytes(Buffer.alloc(0), 0, 0, MIN_HASH_BASE), EMPTY_RANGE_HASH);
  });

  it('reduces a step landing on or just below a multiple of the prime exactly, where the float quotient rounds either way (property-based)', () => {
    // second + 1 is chosen so that (first + 1) · base + second + 1 is k · P or k · P − 1 for some k.
    fc.assert(
      fc.property(hash, base, fc.boolean(), (first, b, below) => {
        const rest = Number((BigInt(first + 1) * BigInt(b)) % P);
        const second = ((HASH_PRIME - rest - (below ? 1 : 0)) % HASH_PRIME + HASH_PRIME - 1) % HASH_PRIME;
        fc.pre(second !== EMPTY_RANGE_HASH);
        return combineHashes(first, second, b) === polynomial([first + 1, second + 1], b);
      }),
      { numRuns: 5000 },
    );
  });

  it('hashes a byte range as the polynomial of its three-byte digits, its tail and its length, wherever it starts (property-based)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), base, fc.uint8Array({ maxLength: 5 }), fc.uint8Array({ maxLength: 5 }), (bytes, b, before, after) => {
        const digits: number[] = [];
        let i = 0;
        for (; i + 3 <= bytes.length; i += 3) digits.push((((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)) + 1);
        if (i < bytes.length) digits.push(bytes.subarray(i).reduce((tail, byte) => (tail << 8) | byte, 0) + 1);
        digits.push(bytes.length + 1);
        const within = Buffer.concat([before, bytes, after]);
        return hashBytes(within, before.length, before.length + bytes.length, b) === polynomial(digits, b);
      }),
      { numRuns: 2000 },
    );
  });

  it('multiplies every digit a key chooses by the base after adding it: two keys that differ only in their last bytes differ in hash by an amount that moves with the base (property-based)', () => {
    // Were the last digit added after the last multiplication, the difference would be the digits'
    // difference whatever the base, and a pusher would choose the buckets (a change tried and reverted
    // on 2026-12-02; docs/performance-history.md).
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 3 }), fc.uint8Array({ minLength: 3, maxLength: 3 }), base, base, base, (key, changed, bytes, b1, b2, b3) => {
        fc.pre(b1 !== b2 && b2 !== b3 && b1 !== b3);
        const other = Uint8Array.from(key);
        for (let k = 0; k < Math.min(changed, key.length); k++) other[key.length - 1 - k] = bytes[k] as number;
        fc.pre(Buffer.compare(Buffer.from(key), Buffer.from(other)) !== 0);
        const difference = (b: number) => (hashBytes(key, 0, key.length, b) - hashBytes(other, 0, other.length, b) + HASH_PRIME) % HASH_PRIME;
        // Equal under one pair of bases by chance at a few bases in the prime's; under three, never.
        assert.ok(difference(b1) !== difference(b2) || difference(b2) !== difference(b3), `the same difference, ${difference(b1)}, under three bases`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the prime and the bases drawn (docs/security-model.md#time-and-memory-bounds)', () => {
  /** A key of `digits` three-byte digits, and the same key with digits `i` and `i + distance` swapped. */
  const swappedPair = (digits: number, i: number, distance: number, seed: number) => {
    const key = Buffer.alloc(3 * digits);
    for (let k = 0; k < key.length; k++) key[k] = (seed * 7919 + k * 104_729) % 251;
    key.set([1, 2, 3], 3 * i);
    key.set([4, 5, 6], 3 * (i + distance));
    const swapped = Buffer.from(key);
    swapped.set([4, 5, 6], 3 * i);
    swapped.set([1, 2, 3], 3 * (i + distance));
    return [key, swapped] as const;
  };

  it('hashes modulo a safe prime whose odd factor is longer than any key a line holds, so x^k ≡ c has at most two roots for any distance k in a key', () => {
    // The prime before, 67,108,859, had 2 · 479 · 70,051 as its prime minus one: 140,100 bases of period
    // 70,051 or 140,102, on all of which keys swapped 140,102 digits apart collided (a review, 2026-12-03).
    assert.ok(isPrime(HASH_PRIME));
    assert.deepEqual(primeFactors(HASH_PRIME - 1), [2, (HASH_PRIME - 1) / 2]);
    assert.ok((HASH_PRIME - 1) / 2 > MAX_LINE_BYTES / 3, 'a distance within a line shares no factor but 2 with the prime minus one');
    assert.ok(HASH_PRIME < 2 ** 26, 'products of two residues stay exact in a double');
  });

  it('draws no base of short period: every base in [MIN_HASH_BASE, MAX_HASH_BASE] has a period of 33,554,093 or more, HASH_PRIME − 1 (period 2) is left out', () => {
    assert.equal(periodOf(HASH_PRIME - 1), 2);
    assert.equal(MAX_HASH_BASE, HASH_PRIME - 2);
    for (const b of [MIN_HASH_BASE, MIN_HASH_BASE + 1, MAX_HASH_BASE, MAX_HASH_BASE - 1]) assert.ok(periodOf(b) >= (HASH_PRIME - 1) / 2, `base ${b}`);
    fc.assert(fc.property(fc.integer({ min: MIN_HASH_BASE, max: MAX_HASH_BASE }), (b) => periodOf(b) >= (HASH_PRIME - 1) / 2), { numRuns: 2000 });
  });

  it('collides a key with the key whose digits `distance` apart are swapped exactly when base^distance is 1: on no base drawn (property-based)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: MIN_HASH_BASE, max: MAX_HASH_BASE }), fc.constant(HASH_PRIME - 1)),
        fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(2, 4, 479, 958)),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        (b, distance, i, seed) => {
          const [key, swapped] = swappedPair(i + distance + 1 + (seed % 3), i, distance, seed);
          const collides = hashBytes(key, 0, key.length, b) === hashBytes(swapped, 0, swapped.length, b);
          assert.equal(collides, power(b, distance) === 1, `base ${b}, distance ${distance}`);
          if (b <= MAX_HASH_BASE) assert.equal(collides, false);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('420 KB keys with two digits 140,102 apart swapped collide on HASH_PRIME − 1, which is never drawn, and on no base that is', () => {
    const [key, swapped] = swappedPair(140_104, 1, 140_102, 5);
    assert.equal(hashBytes(key, 0, key.length, HASH_PRIME - 1), hashBytes(swapped, 0, swapped.length, HASH_PRIME - 1));
    for (const b of [FIXED_HASH_SEED.base, randomHashSeed().base, MIN_HASH_BASE, MAX_HASH_BASE]) {
      assert.notEqual(hashBytes(key, 0, key.length, b), hashBytes(swapped, 0, swapped.length, b), `base ${b}`);
    }
  });
});
