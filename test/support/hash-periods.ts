import { HASH_PRIME } from '../../lib/core/snapshot/byte-hash.ts';

/**
 * Exact modular arithmetic for tests of lib/core/snapshot/byte-hash.ts's prime and bases: a base's
 * period (the least k with base^k ≡ 1 mod HASH_PRIME) divides HASH_PRIME − 1.
 */
const P = BigInt(HASH_PRIME);

/** base^exponent mod HASH_PRIME. */
export function power(base: number, exponent: number): number {
  let result = 1n;
  let square = BigInt(base) % P;
  for (let e = BigInt(exponent); e > 0n; e >>= 1n, square = (square * square) % P) if (e & 1n) result = (result * square) % P;
  return Number(result);
}

/** Whether `n` is prime, by trial division (n below 2^26). */
export function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** The distinct prime factors of `n`. */
export function primeFactors(n: number): number[] {
  const factors: number[] = [];
  for (let d = 2; d * d <= n; d++) {
    if (n % d !== 0) continue;
    factors.push(d);
    while (n % d === 0) n /= d;
  }
  return n > 1 ? [...factors, n] : factors;
}

/** The period of `base`: the least divisor k of HASH_PRIME − 1 with base^k ≡ 1. */
export function periodOf(base: number): number {
  let period = HASH_PRIME - 1;
  for (const q of primeFactors(HASH_PRIME - 1)) while (period % q === 0 && power(base, period / q) === 1) period /= q;
  return period;
}
