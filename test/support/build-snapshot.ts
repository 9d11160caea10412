import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { afterBody, indexSlot } from '../../lib/core/snapshot/index-slot.ts';
import type { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { randomHashSeed } from '../../lib/edges/random-hash-seed.ts';
import { runSliced } from '../../lib/edges/time-slicing.ts';

/**
 * Indexes a complete body in `slot` as a read does once its last byte is in: tolerant of invalid
 * lines, a slice at a time, on a fresh random hash seed (lib/edges/cache/snapshot-source.ts).
 */
export function buildSnapshot(slot: SnapshotSlot, signal?: AbortSignal): Promise<IndexedSnapshot> {
  slot.end();
  return runSliced(afterBody(indexSlot(slot, false, randomHashSeed())), signal);
}
