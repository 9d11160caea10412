const BLOCK_BITS = 14;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_SIZE - 1;

/**
 * A growable array of int32 in blocks of 16,384: growing never copies, and memory follows what
 * is used (an array sized for the worst case up front would be zeroed, and made resident, by the
 * allocator whenever it reuses freed memory).
 */
export class IntBlocks {
  private readonly blocks: Int32Array[] = [];

  get(index: number): number {
    return (this.blocks[index >>> BLOCK_BITS] as Int32Array)[index & BLOCK_MASK] as number;
  }

  set(index: number, value: number): void {
    (this.blockAt(index))[index & BLOCK_MASK] = value;
  }

  /**
   * The block holding `index` (made if it is the next one), indexed by `index & BLOCK_MASK`: a
   * caller writing several neighbouring ints (a record whose size divides BLOCK_SIZE) finds it once.
   */
  blockAt(index: number): Int32Array {
    const block = index >>> BLOCK_BITS;
    if (block === this.blocks.length) this.blocks.push(new Int32Array(BLOCK_SIZE));
    return this.blocks[block] as Int32Array;
  }
}

export const INT_BLOCK_MASK = BLOCK_MASK;
