import { randomInt } from 'node:crypto';
import { HASH_PRIME, MIN_HASH_BASE, type HashSeed } from '../core/snapshot/byte-hash.ts';

/**
 * New random hash bases for one index of the Pushgateway's body: keys are chosen by whoever
 * pushes, and only bases they cannot know keep them from piling into one bucket
 * (docs/security-model.md).
 */
export function randomHashSeed(): HashSeed {
  return { base: randomInt(MIN_HASH_BASE, HASH_PRIME), pairBase: randomInt(MIN_HASH_BASE, HASH_PRIME) };
}
