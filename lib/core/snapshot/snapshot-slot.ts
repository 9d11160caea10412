import { keepShape } from '../shape-anchors.ts';
import { KeyedLines } from './keyed-lines.ts';
import { ServiceLines } from './service-lines.ts';

/**
 * The memory of one snapshot — its body and its index — kept between reads and refilled: a warm
 * process reads the Pushgateway every few seconds, and memory that is freed and allocated again
 * is only returned when the garbage collector gets to it (late, for large buffers), so a fresh
 * allocation per read would let old bodies pile up.
 */
export class SnapshotSlot {
  body: Buffer = Buffer.alloc(0);
  length = 0;
  /** Whether the whole body is in: a read indexes the body while it streams (index-slot.ts). */
  complete = true;
  /** The size this body is expected to reach (`begin`'s hint, or the adopted body's): its index is sized for it. */
  expectedBytes = 0;
  private maxBytes = Number.POSITIVE_INFINITY;
  /** Bumped when the slot is refilled: a snapshot of an older generation must no longer be read. */
  generation = 0;
  readonly groups = new KeyedLines(true);
  /** Built after the read, from `serviceLines` (service-table.ts). */
  readonly services = new KeyedLines(true);
  readonly serviceLines = new ServiceLines();
  /** `# HELP` and `# TYPE` lines, by family name (the newest of each kind wins, as in a full parse). */
  readonly helps = new KeyedLines(false);
  readonly types = new KeyedLines(false);

  /** Starts a new body of at most `maxBytes`; `expectedBytes` pre-sizes it (no copy as it grows). */
  begin(expectedBytes = 0, maxBytes = Number.POSITIVE_INFINITY): void {
    this.generation += 1;
    this.length = 0;
    this.complete = false;
    this.maxBytes = maxBytes;
    const size = Math.min(maxBytes, expectedBytes);
    this.expectedBytes = size;
    if (this.body.length < size) this.body = Buffer.allocUnsafeSlow(size);
  }

  /** Appends a chunk of the body; the caller enforces the size limit. */
  append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.body.length) {
      const grown = Buffer.allocUnsafeSlow(Math.min(this.maxBytes, Math.max(needed, Math.ceil(1.5 * this.body.length), 256 * 1024)));
      this.body.copy(grown, 0, 0, this.length);
      this.body = grown;
    }
    this.body.set(chunk, this.length);
    this.length = needed;
  }

  /** The last chunk is in. */
  end(): void {
    this.complete = true;
  }

  /** Uses `bytes` as the body, without copying (tests and tools index a string once). */
  adopt(bytes: Buffer): void {
    this.generation += 1;
    this.body = bytes;
    this.length = bytes.length;
    this.expectedBytes = bytes.length;
    this.complete = true;
  }
}

// A process reuses its slots, but a tool indexing a text makes one per call: one kept, so the maps
// of a slot and its tables survive a full collection (lib/core/shape-anchors.ts).
keepShape(new SnapshotSlot());
