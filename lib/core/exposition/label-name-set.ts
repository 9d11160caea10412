import { hashBytes } from '../snapshot/byte-hash.ts';
import { CHAR_CLASS, LABEL_REST } from './byte-scanning.ts';

/**
 * Each label-name character's number, 1 to 63 in byte order (0: not one), from the scanner's own
 * classes: a name of up to four characters is a number under 2^24 in base 64 with no digit 0, a
 * different key for every name, read without a step of the polynomial hash (the hash was a third of a
 * line of 30,000 labels, docs/performance.md).
 */
const NAME_CHARACTER = new Uint8Array(256);
for (let code = 0, next = 1; code < 256; code++) if (((CHAR_CLASS[code] as number) & LABEL_REST) !== 0) NAME_CHARACTER[code] = next++;
/** The longest name read as one number: 64^4 = 2^24. */
const SHORT_NAME = 4;

/** A key (under 2^26) is read in four chunks of seven bits, each through a table of random words. */
const CHUNK_BITS = 7;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

/**
 * The tables of simple tabulation for `base`: 4 × 128 words from splitmix32 seeded by the base, so a
 * scan's slots are as secret as its seed. The core takes no randomness of its own; the base is drawn
 * per read (lib/edges/random-hash-seed.ts).
 */
function tabulationFor(base: number): Int32Array {
  const words = new Int32Array(4 << CHUNK_BITS);
  let state = base | 0;
  for (let k = 0; k < words.length; k++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    words[k] = z ^ (z >>> 16);
  }
  return words;
}

/**
 * The label names of one line, to find a duplicate in time linear in the line: a few are compared
 * directly; beyond that they go into an open-addressing set sized for the whole line at once (so it
 * never grows). A name's key (a short name's number, a longer one's seeded polynomial hash) picks its
 * slot by simple tabulation: with linear probing, the expected probes per name are constant whatever
 * the keys (Pătraşcu and Thorup, "The power of simple tabulation hashing"), where a slot linear in the
 * key (key · base mod the prime) let names such as `a000`…`azzz`, dense keys, crowd one run of slots
 * on some bases and make a line quadratic (docs/performance.md).
 * One set serves every line of a scan (lib/core/exposition/line-scan.ts): a line is scanned in one go.
 */
export class LabelNameSet {
  private static readonly DIRECT = 8;
  private readonly starts = new Int32Array(LabelNameSet.DIRECT);
  private readonly ends = new Int32Array(LabelNameSet.DIRECT);
  private count = 0;
  /**
   * Name start + 1 per slot (0: empty); `mask` + 1 slots in use, -1 before the set is needed. No hash
   * is kept beside it: a probe compares the names' bytes, and at most half the slots fill, so a new
   * name meets few others, while a second array written at random slots cost a fifth of a line of
   * 30,000 labels (docs/performance.md).
   */
  private table = new Int32Array(0);
  private mask = -1;
  private labelBytes = 0;

  /** The tabulation's words, drawn when a line first needs the set (most scans never do). */
  private tabulation: Int32Array = new Int32Array(0);

  constructor(private readonly base: number) {}

  /** Starts a line whose labels take at most `labelBytes` bytes. */
  reset(labelBytes: number): void {
    this.count = 0;
    this.mask = -1;
    this.labelBytes = labelBytes;
  }

  /**
   * The first slot of a name: its key (a short name's number, or its bytes' hash) through the tables.
   * The key only picks where the probe starts; names are told apart by their bytes.
   */
  private slotOf(bytes: Buffer, start: number, end: number): number {
    let key = 0;
    if (end - start <= SHORT_NAME) {
      for (let i = start; i < end; i++) key = key * 64 + (NAME_CHARACTER[bytes[i] as number] as number);
    } else {
      key = hashBytes(bytes, start, end, this.base);
    }
    const words = this.tabulation;
    return (
      (words[key & CHUNK_MASK] as number)
      ^ (words[(1 << CHUNK_BITS) + ((key >>> CHUNK_BITS) & CHUNK_MASK)] as number)
      ^ (words[(2 << CHUNK_BITS) + ((key >>> (2 * CHUNK_BITS)) & CHUNK_MASK)] as number)
      ^ (words[(3 << CHUNK_BITS) + (key >>> (3 * CHUNK_BITS))] as number)
    ) & this.mask;
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
      if (this.table.length < size) this.table = new Int32Array(size);
      else this.table.fill(0, 0, size);
      this.mask = size - 1;
      if (this.tabulation.length === 0) this.tabulation = tabulationFor(this.base);
      for (let k = 0; k < LabelNameSet.DIRECT; k++) this.insert(bytes, this.starts[k] as number, this.ends[k] as number);
    }
    if (this.insert(bytes, start, end)) return true;
    // No count kept from here: `count` is read only while the names are compared directly.
    return false;
  }

  private insert(bytes: Buffer, start: number, end: number): boolean {
    let slot = this.slotOf(bytes, start, end);
    for (;;) {
      const stored = this.table[slot] as number;
      if (stored === 0) {
        this.table[slot] = start + 1;
        return false;
      }
      if (sameName(bytes, stored - 1, start, end)) return true;
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

