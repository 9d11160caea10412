import { INT_BLOCK_MASK, IntBlocks } from './int-blocks.ts';

/** Ints per line (a power of two, so a line never straddles two blocks). */
const STRIDE = 4;

/**
 * The lines a read found with a `service` label, with where their label set and `service` value
 * are, in body order: what the service table is built from later (service-table.ts), so the read
 * itself only notes them (16 bytes a line, no hashing, no table walk). Storage is kept between reads.
 */
export class ServiceLines {
  private readonly store = new IntBlocks();
  count = 0;

  reset(): void {
    this.count = 0;
  }

  add(lineStart: number, labelsAt: number, serviceStart: number, serviceEnd: number): void {
    const at = this.count * STRIDE;
    const block = this.store.blockAt(at);
    const slot = at & INT_BLOCK_MASK;
    block[slot] = lineStart;
    block[slot + 1] = labelsAt;
    block[slot + 2] = serviceStart;
    block[slot + 3] = serviceEnd;
    this.count += 1;
  }

  lineStart(line: number): number {
    return this.store.get(line * STRIDE);
  }

  labelsAt(line: number): number {
    return this.store.get(line * STRIDE + 1);
  }

  serviceStart(line: number): number {
    return this.store.get(line * STRIDE + 2);
  }

  serviceEnd(line: number): number {
    return this.store.get(line * STRIDE + 3);
  }
}
