/**
 * Polynomial hashing of byte ranges modulo a prime, with a random base per index: keys are chosen
 * by whoever pushes, and with a fixed hash they could pile every group into one bucket (hash
 * flooding, docs/security-model.md). For any two distinct keys of up to L bytes, a random base
 * makes them collide with probability at most ⌈L / 3⌉ / 67,042,650 (the bases drawn) — whatever
 * the keys (their difference is a non-zero polynomial of degree ⌈L / 3⌉ at most, with as many roots
 * at most).
 * The core takes the bases as an argument; an edge draws them (lib/edges/random-hash-seed.ts).
 */

/**
 * The largest safe prime below 2^26: products stay exact in a double, and (HASH_PRIME − 1) / 2 =
 * 33,554,093 is prime too. A base's period (the least k with base^k ≡ 1) divides HASH_PRIME − 1, so
 * with a safe prime it is 1, 2, 33,554,093 or 67,108,186. On a base of period k, digits k apart are
 * interchangeable in every key, and x^k ≡ c has up to gcd(k, HASH_PRIME − 1) roots: a prime with
 * small factors in HASH_PRIME − 1 gives keys that collide on thousands of bases at once, a pusher
 * needing to know none of them. With this prime, for any distance a line can hold (1 MiB, 349,526
 * digits) that is at most 2 (docs/security-model.md#time-and-memory-bounds).
 */
export const HASH_PRIME = 67_108_187;
const INVERSE_PRIME = 1 / HASH_PRIME;

/** Bases are drawn from [MIN_HASH_BASE, MAX_HASH_BASE]: a small base would mix short keys poorly. */
export const MIN_HASH_BASE = 1 << 16;

/** HASH_PRIME − 1 ≡ −1 has period 2: a key and the key with two digits swapped two apart would hash the same. */
export const MAX_HASH_BASE = HASH_PRIME - 2;

/** The bases of one index: `base` hashes byte ranges, `pairBase` combines a job's and an instance's hashes. */
export interface HashSeed {
  readonly base: number;
  readonly pairBase: number;
}

/** (h · base + digit) mod HASH_PRIME, for h, base ≤ 2^26 and digit ≤ 2^26: exact in doubles (under 2^53). */
function step(h: number, base: number, digit: number): number {
  const x = h * base + digit;
  const r = x - Math.floor(x * INVERSE_PRIME) * HASH_PRIME;
  return r < 0 ? r + HASH_PRIME : r >= HASH_PRIME ? r - HASH_PRIME : r;
}

/** The three-byte digit at `i`, plus one (so no digit is 0): at most 2^24, under HASH_PRIME. */
function digitAt(bytes: Uint8Array, i: number): number {
  return (((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)) + 1;
}

/** The digit of the one or two bytes `[i, end)` left after the three-byte digits, plus one. */
function tailDigitAt(bytes: Uint8Array, i: number, end: number): number {
  let tail = 0;
  for (; i < end; i++) tail = (tail << 8) | (bytes[i] as number);
  return tail + 1;
}

/**
 * Hash of `bytes[start, end)`, three bytes per step, then the length (so a short tail cannot pose
 * as a longer range). The first digit starts the hash without a step: step(0, base, digit) is the
 * digit itself, a digit being under HASH_PRIME, so a key costs one step fewer for the same hash.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number, base: number): number {
  const length = end - start;
  // Under three bytes, the tail is the only digit (none for an empty range).
  if (length < 3) return step(length > 0 ? tailDigitAt(bytes, start, end) : 0, base, length + 1);
  let h = digitAt(bytes, start);
  let i = start + 3;
  for (; i + 3 <= end; i += 3) h = step(h, base, digitAt(bytes, i));
  if (i < end) h = step(h, base, tailDigitAt(bytes, i, end));
  return step(h, base, length + 1);
}

/** The hash of an empty range, whatever the base: its length digit alone. */
export const EMPTY_RANGE_HASH = 1;

/**
 * Hash of a pair of hashes (a group's job and instance), in that order. A pair whose second hash
 * is an empty range's (a group with no instance, or `instance=""`, which is the same group) hashes
 * as its first alone: one step fewer a line for a body of job-only groups. A non-empty instance
 * with that hash only makes its key collide, which the table's key compare settles.
 */
export function combineHashes(first: number, second: number, base: number): number {
  if (second === EMPTY_RANGE_HASH) return first;
  // step(0, base, first + 1) is first + 1 mod HASH_PRIME, and step reduces first + 1 ≤ HASH_PRIME
  // itself (its h may be up to 2^26): the same hash as two steps, one step fewer.
  return step(first + 1, base, second + 1);
}
