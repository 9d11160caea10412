import { HASH_PRIME } from '../../lib/core/snapshot/byte-hash.ts';

/**
 * The multiplicative periods of hash bases, in exact integers, for tests of
 * lib/core/snapshot/byte-hash.ts's `hasLongPeriod`: HASH_PRIME − 1 = 2 · 479 · 70,051, and a base's
 * period divides it.
 */
const P = BigInt(HASH_PRIME);

/** The divisors of HASH_PRIME − 1 below 33,554,429: a key of more digits than one of them can collide with itself swapped. */
export const SHORT_PERIODS = [1, 2, 479, 958, 70_051, 140_102] as const;

/** base^exponent mod HASH_PRIME. */
export function power(base: number, exponent: number): number {
  let result = 1n;
  let square = BigInt(base) % P;
  for (let e = BigInt(exponent); e > 0n; e >>= 1n, square = (square * square) % P) if (e & 1n) result = (result * square) % P;
  return Number(result);
}

/** Whether some short period divides the base's: base^k is 1 for one of them. */
export const isShortPeriod = (base: number): boolean => SHORT_PERIODS.some((period) => power(base, period) === 1);

/** The smallest generator of the multiplicative group: no base^((P − 1) / q) is 1 for a prime q of P − 1. */
const GENERATOR = (() => {
  for (let g = 2; ; g++) if ([2, 479, 70_051].every((q) => power(g, (HASH_PRIME - 1) / q) !== 1)) return g;
})();

/** A base whose period is exactly `period` (a divisor of HASH_PRIME − 1), the first at or above `atLeast`. */
export function elementOfPeriod(period: number, atLeast = 0): number {
  const step = (HASH_PRIME - 1) / period;
  // GENERATOR^(step · j) has period exactly `period` when j shares no factor with it.
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  for (let j = 1; j < 1000; j++) {
    if (gcd(j, period) !== 1) continue;
    const element = power(GENERATOR, step * j);
    if (element >= atLeast) return element;
  }
  throw new Error(`no base of period ${period} at or above ${atLeast} among the first tries`);
}
