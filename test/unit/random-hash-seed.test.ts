import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_HASH_BASE, MIN_HASH_BASE } from '../../lib/core/snapshot/byte-hash.ts';
import { randomHashSeed } from '../../lib/edges/random-hash-seed.ts';

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

  it('spreads the bases over the whole range', () => {
    const halves = [0, 0];
    const middle = (MIN_HASH_BASE + MAX_HASH_BASE) / 2;
    for (let i = 0; i < 2000; i++) halves[randomHashSeed().base < middle ? 0 : 1]! += 1;
    assert.ok(halves[0]! > 850 && halves[1]! > 850, `bases lean to one half: ${halves.join(' / ')}`);
  });
});
