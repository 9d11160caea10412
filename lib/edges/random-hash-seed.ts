import { MAX_HASH_BASE, MIN_HASH_BASE, type HashSeed } from '../core/snapshot/byte-hash.ts';

const RANGE = MAX_HASH_BASE + 1 - MIN_HASH_BASE;
const BASE_BITS = 2 ** 26; // RANGE < 2^26: a 26-bit draw lands in range more than 99.9% of the time

/**
 * 32 random bytes from the operating system's generator, the source node:crypto's own
 * generator seeds from. Read from /dev/urandom, which node's fs reaches without loading
 * node:crypto (about 2% more instructions at a cold start, docs/performance.md); where there is
 * no /dev/urandom (Windows), from node:crypto.
 */
function osRandomBytes(): Uint32Array {
  // node:fs through getBuiltinModule: its ES module import loads fs/promises and readline at a cold start.
  const { closeSync, openSync, readSync } = process.getBuiltinModule('node:fs');
  const words = new Uint32Array(8);
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    if (readSync(fd, words) === words.byteLength) return words;
  } catch {
    // no /dev/urandom here: node:crypto below
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return process.getBuiltinModule('node:crypto').getRandomValues(words);
}

/**
 * A base uniform in [MIN_HASH_BASE, MAX_HASH_BASE] from the words at `next` on, taking new words from
 * `refill` when they run out (rejection sampling: no modulo bias). Exported for its tests.
 */
export function drawBase(words: Uint32Array, next: { at: number }, refill: () => Uint32Array = osRandomBytes): number {
  for (;;) {
    if (next.at === words.length) {
      words.set(refill());
      next.at = 0;
    }
    const draw = (words[next.at++] as number) % BASE_BITS;
    if (draw < RANGE) return MIN_HASH_BASE + draw;
  }
}

/**
 * New random hash bases for one index of the Pushgateway's body: keys are chosen by whoever
 * pushes, and only bases they cannot know keep them from piling into one bucket
 * (docs/security-model.md).
 */
export function randomHashSeed(): HashSeed {
  const words = osRandomBytes();
  const next = { at: 0 };
  return { base: drawBase(words, next), pairBase: drawBase(words, next) };
}
