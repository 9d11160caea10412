import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HASH_PRIME, MAX_HASH_BASE, MIN_HASH_BASE } from '../../lib/core/snapshot/byte-hash.ts';
import { drawBase, randomHashSeed } from '../../lib/edges/random-hash-seed.ts';

// docs/security-model.md: every index draws new bases a pusher cannot know.
describe('randomHashSeed (lib/edges/random-hash-seed.ts)', () => {
  it('draws integer bases in [MIN_HASH_BASE, MAX_HASH_BASE], so never HASH_PRIME − 1 (period 2), new ones per call', () => {
    const bases = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const { base, pairBase } = randomHashSeed();
      for (const value of [base, pairBase]) {
        assert.ok(Number.isInteger(value) && value >= MIN_HASH_BASE && value <= MAX_HASH_BASE, `base out of range: ${value}`);
        bases.add(value);
      }
    }
    // 4000 draws from 67 million values: a repeat or two is possible, hundreds are not.
    assert.ok(bases.size > 3990, `only ${bases.size} distinct bases in 4000 draws`);
  });

  it('maps each 26-bit draw to one base, MIN_HASH_BASE to MAX_HASH_BASE, and draws again past it, refilling its words when they run out', () => {
    const span = MAX_HASH_BASE - MIN_HASH_BASE;
    // The high bits of a word are dropped: 2^26 · k + x draws x.
    const words = Uint32Array.from([span, span + 1, 2 ** 26 - 1, 0, 2 ** 26 * 5 + 7, span + 1]);
    const next = { at: 0 };
    const refill = () => Uint32Array.from([2 ** 26 * 63 + span, 3, 3, 3, 3, 3]);
    const drawn = [drawBase(words, next, refill), drawBase(words, next, refill), drawBase(words, next, refill), drawBase(words, next, refill)];
    // The last draw of the first words is past the range: the refilled words give the next base.
    assert.deepEqual(drawn, [MAX_HASH_BASE, MIN_HASH_BASE, MIN_HASH_BASE + 7, MAX_HASH_BASE]);
    assert.equal(MAX_HASH_BASE, HASH_PRIME - 2, 'HASH_PRIME − 1 (period 2) is past the range');
  });

  it('spreads the bases over the whole range', () => {
    const halves = [0, 0];
    const middle = (MIN_HASH_BASE + MAX_HASH_BASE) / 2;
    for (let i = 0; i < 2000; i++) halves[randomHashSeed().base < middle ? 0 : 1]! += 1;
    assert.ok(halves[0]! > 850 && halves[1]! > 850, `bases lean to one half: ${halves.join(' / ')}`);
  });
});
