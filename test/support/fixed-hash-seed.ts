import type { HashSeed } from '../../lib/core/snapshot/byte-hash.ts';

/**
 * A fixed seed, for tests only: indexes that come out the same on every run. Every production read
 * indexes with a random one (lib/edges/random-hash-seed.ts), since a known base lets a pusher
 * choose colliding keys.
 */
export const FIXED_HASH_SEED: HashSeed = { base: 40_503_031, pairBase: 52_837_219 };
