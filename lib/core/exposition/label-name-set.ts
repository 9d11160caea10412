import { hashBytes } from '../snapshot/byte-hash.ts';
import { CHAR_CLASS, LABEL_REST } from './byte-scanning.ts';

/**
 * The label names of one line, to find a duplicate in time linear in the line: a few are compared
 * directly; beyond that they go into an open-addressing hash set sized for the whole line at once
 * (so it never grows), seeded like the index, so no chosen set of names can make it degrade.
 * One set serves every line of a scan (lib/core/exposition/line-scan.ts): a line is scanned in one go.
 */
export class LabelNameSet {
  private static readonly DIRECT = 8;
  private readonly starts = new Int32Array(LabelNameSet.DIRECT);
  private readonly ends = new Int32Array(LabelNameSet.DIRECT);
  private count = 0;
  /** Name start + 1 per slot (0: empty), and the name's hash; `mask` + 1 slots in use, -1 before the set is needed. */
  private table = new Int32Array(0);
  private hashes = new Int32Array(0);
  private mask = -1;
  private labelBytes = 0;

  constructor(private readonly base: number) {}

  /** Starts a line whose labels take at most `labelBytes` bytes. */
  reset(labelBytes: number): void {
    this.count = 0;
    this.mask = -1;
    this.labelBytes = labelBytes;
  }

  /** Adds a name; true when the line already had it. */
  add(bytes: Buffer, start: number, end: number): boolean {
    if (this.mask < 0) {
      for (let k = 0; k < this.count; k++) {
        if (sameRange(bytes, this.starts[k] as number, this.ends[k] as number, start, end)) return true;
      }
      if (this.count < LabelNameSet.DIRECT) {
        this.starts[this.count] = start;
        this.ends[this.count] = end;
        this.count++;
        return false;
      }
      // A label takes at least 4 bytes (`a=""`) and a separator: at most half the slots fill.
      const size = 2 ** Math.max(5, Math.ceil(Math.log2((2 * this.labelBytes) / 5 + 2)));
      if (this.table.length < size) {
        this.table = new Int32Array(size);
        this.hashes = new Int32Array(size);
      } else {
        this.table.fill(0, 0, size);
      }
      this.mask = size - 1;
      for (let k = 0; k < LabelNameSet.DIRECT; k++) this.insert(bytes, this.starts[k] as number, this.ends[k] as number);
    }
    if (this.insert(bytes, start, end)) return true;
    // No count kept from here: `count` is read only while the names are compared directly.
    return false;
  }

  private insert(bytes: Buffer, start: number, end: number): boolean {
    const hash = hashBytes(bytes, start, end, this.base);
    let slot = hash & this.mask;
    for (;;) {
      const stored = this.table[slot] as number;
      if (stored === 0) {
        this.table[slot] = start + 1;
        this.hashes[slot] = hash;
        return false;
      }
      if (this.hashes[slot] === hash && sameName(bytes, stored - 1, start, end)) return true;
      slot = (slot + 1) & this.mask;
    }
  }
}

function sameRange(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aEnd - aStart;
  if (bEnd - bStart !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}

/**
 * Whether the label name stored at `stored` is `bytes[start, end)`: names end where their characters do.
 * No bound on `stored + size`: once the loop matched, it is at most where the stored name ends, whose line goes on with "=" or a blank.
 */
function sameName(bytes: Buffer, stored: number, start: number, end: number): boolean {
  const size = end - start;
  for (let k = 0; k < size; k++) if (bytes[stored + k] !== bytes[start + k]) return false;
  return ((CHAR_CLASS[bytes[stored + size] as number] as number) & LABEL_REST) === 0;
}

