import { IndexedSnapshot } from './indexed-snapshot.ts';
import type { Snapshot } from './snapshot.ts';
import { SnapshotSlot } from './snapshot-slot.ts';

/**
 * Two slots: the snapshot in use, and the one a read fills. At most one read is in progress
 * (SnapshotSource sees to it), so a process holds at most two snapshots, whatever happens.
 */
export class SnapshotMemory {
  private readonly slots = [new SnapshotSlot(), new SnapshotSlot()] as const;
  private lastFilled: SnapshotSlot | undefined;

  /** The slot the next read fills (of at most `maxBytes`): never the one holding `inUse`, else not the one filled last. */
  slotFor(inUse: Snapshot | undefined, maxBytes: number): SnapshotSlot {
    const [a, b] = this.slots;
    const busy = inUse instanceof IndexedSnapshot ? inUse.slot : this.lastFilled;
    const slot = busy === a ? b : a;
    // Sized as the last body read, and a little more: the same Pushgateway sends about the same every time.
    slot.begin(Math.ceil(1.05 * Math.max(a.length, b.length)), maxBytes);
    this.lastFilled = slot;
    return slot;
  }
}
