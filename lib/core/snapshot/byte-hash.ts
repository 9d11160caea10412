/**
 * Polynomial hashing of byte ranges modulo a prime, with a random base per index: keys are chosen
 * by whoever pushes, and with a fixed hash they could pile every group into one bucket (hash
 * flooding, docs/security-model.md). For any two distinct keys of up to L bytes, a random base
 * makes them collide with probability at most L / (3 · PRIME) — whatever the keys (the difference
 * is a non-zero polynomial with at most L / 3 roots). The core takes the bases as an argument;
 * an edge draws them (lib/edges/random-hash-seed.ts).
 */
export const HASH_PRIME = 67_108_859; // the largest prime below 2^26: products stay exact in a double
const INVERSE_PRIME = 1 / HASH_PRIME;

/** Bases are drawn from [MIN_HASH_BASE, HASH_PRIME): a small base would mix short keys poorly. */
export const MIN_HASH_BASE = 1 << 16;

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

/**
 * A range of four bytes or more has no length digit: its last digit tells its length's remainder
 * mod 3, each kind of digit having values of its own (all at least FIRST_DIGIT, above any length
 * digit of a shorter range, and under HASH_PRIME). A key of a dozen bytes costs three steps, not four.
 */
const FIRST_DIGIT = 5;
/** Three-byte digits: [FIRST_DIGIT, FIRST_DIGIT + 2^24). */
const TWO_BYTE_TAIL = FIRST_DIGIT + (1 << 24);
/** The two bytes left after the three-byte digits: [TWO_BYTE_TAIL, TWO_BYTE_TAIL + 2^16); then one byte left: [ONE_BYTE_TAIL, ONE_BYTE_TAIL + 2^8). */
const ONE_BYTE_TAIL = TWO_BYTE_TAIL + (1 << 16);

/** The three bytes at `i` as one number, under 2^24. */
function threeBytesAt(bytes: Uint8Array, i: number): number {
  return ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
}

/**
 * Hash of `bytes[start, end)`. A range of at most three bytes is the two-digit polynomial (its
 * bytes as one number, plus one; its length plus one): one step. A longer one is the polynomial of
 * its three-byte digits and the tail of one or two bytes after them, each digit in its kind's
 * values: one step a digit after the first, which starts the hash (step(0, base, digit) is the digit
 * itself). Two ranges give the same polynomial only when they are the same bytes: the same number
 * of digits, the last of the same kind, so the same length.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number, base: number): number {
  const length = end - start;
  if (length <= 3) {
    let value = 0;
    for (let i = start; i < end; i++) value = (value << 8) | (bytes[i] as number);
    // The empty range: step(0, base, 1), its length digit alone.
    return step(length > 0 ? value + 1 : 0, base, length + 1);
  }
  let h = threeBytesAt(bytes, start) + FIRST_DIGIT;
  let i = start + 3;
  for (; i + 3 <= end; i += 3) h = step(h, base, threeBytesAt(bytes, i) + FIRST_DIGIT);
  const left = end - i;
  if (left === 2) return step(h, base, (((bytes[i] as number) << 8) | (bytes[i + 1] as number)) + TWO_BYTE_TAIL);
  if (left === 1) return step(h, base, (bytes[i] as number) + ONE_BYTE_TAIL);
  return h;
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
