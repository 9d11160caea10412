import { INT_BLOCK_MASK, IntBlocks } from './int-blocks.ts';

/** Ints per line in `KeyedLines`' one block store (a power of two, so a line never straddles two blocks). */
const STRIDE = 4;
const LINE = 0;
/** The previous line of the same key, -1 for its first (unused when `keepOlder` is false). */
const OLDER = 1;
/** For a key's newest line: the newest line of the next key in the bucket, -1 at the end. */
const NEXT_KEY = 2;
/**
 * For a key's newest line: its full hash. Keys sharing a bucket but not a hash are told apart
 * without re-reading their labels (a 1 MiB label set would be scanned once per line added).
 */
const KEY_HASH = 3;

/**
 * Tells whether an earlier line (`entry` of the table `kind` names) has the key of the line being
 * added. One object per read with shared methods, not a closure per read: compiled code that
 * embeds a read's closures is thrown away by a full garbage collection (docs/performance.md).
 */
export interface KeyMatcher {
  sameKey(kind: number, entry: number): boolean;
}

/** The line starts of a KeyedLines, by entry. */
class LineStarts {
  constructor(private readonly store: IntBlocks) {}

  get(entry: number): number {
    return this.store.get(entry * STRIDE + LINE);
  }
}

/**
 * Lines grouped by key, in int32 blocks — 16 bytes a line whatever its length, no object per key
 * or line: each bucket chains the newest line of every key hashed to it, and each line links to
 * the previous line of its key. A line's four ints sit side by side (one block found per line
 * added). Keys stay in the body; comparing them is the caller's.
 */
export class KeyedLines {
  private readonly store = new IntBlocks();
  /** Start of each line, in body order. */
  readonly line = new LineStarts(this.store);
  private heads = new Int32Array(0);
  entries = 0;
  keys = 0;
  private mask = 0;

  constructor(private readonly keepOlder: boolean) {}

  private field(entry: number, field: number): number {
    return this.store.get(entry * STRIDE + field);
  }

  private setField(entry: number, field: number, value: number): void {
    this.store.set(entry * STRIDE + field, value);
  }

  /** Empties the table for `buckets` buckets (a power of two); storage is kept between reads. */
  reset(buckets: number): void {
    if (this.heads.length < buckets) this.heads = new Int32Array(buckets);
    this.heads.fill(-1, 0, buckets);
    this.mask = buckets - 1;
    this.entries = 0;
    this.keys = 0;
  }

  /**
   * Doubles the buckets until there are at least `buckets` (a power of two), keeping every key: a
   * body indexed while it streams in grows its tables with it. Each doubling splits every chain in
   * two by one more bit of the full hash; a table grown as its body grows splits chains holding
   * half the keys, a quarter, and so on: about two passes over the keys in all. It ends with the
   * buckets a table sized for the whole body has.
   */
  grow(buckets: number): void {
    while (this.mask + 1 < buckets) {
      const old = this.mask + 1;
      if (this.heads.length < 2 * old) {
        const heads = new Int32Array(2 * old);
        heads.set(this.heads.subarray(0, old));
        this.heads = heads;
      }
      for (let bucket = 0; bucket < old; bucket++) {
        let low = -1;
        let high = -1;
        for (let head = this.heads[bucket] as number; head !== -1;) {
          const next = this.field(head, NEXT_KEY);
          if ((this.field(head, KEY_HASH) & old) === 0) {
            this.setField(head, NEXT_KEY, low);
            low = head;
          } else {
            this.setField(head, NEXT_KEY, high);
            high = head;
          }
          head = next;
        }
        this.heads[bucket] = low;
        this.heads[bucket + old] = high;
      }
      this.mask = 2 * old - 1;
    }
  }

  /** Adds a line whose key hashes to `hash`; `matcher.sameKey(kind, entry)` tells whether an earlier line has the same key. */
  add(hash: number, lineStart: number, kind: number, matcher: KeyMatcher): void {
    const entry = this.entries;
    const bucket = hash & this.mask;
    const full = hash | 0;
    let previous = -1;
    let head = this.heads[bucket] as number;
    while (head !== -1 && (this.field(head, KEY_HASH) !== full || !matcher.sameKey(kind, head))) {
      previous = head;
      head = this.field(head, NEXT_KEY);
    }
    const at = entry * STRIDE;
    const block = this.store.blockAt(at);
    const slot = at & INT_BLOCK_MASK;
    block[slot + LINE] = lineStart;
    block[slot + KEY_HASH] = full;
    this.entries = entry + 1;
    if (head === -1) {
      block[slot + OLDER] = -1;
      block[slot + NEXT_KEY] = this.heads[bucket] as number;
      this.heads[bucket] = entry;
      this.keys += 1;
      return;
    }
    // The key's newest line takes its place in the bucket's chain.
    block[slot + OLDER] = this.keepOlder ? head : -1;
    block[slot + NEXT_KEY] = this.field(head, NEXT_KEY);
    if (previous === -1) this.heads[bucket] = entry;
    else this.setField(previous, NEXT_KEY, entry);
  }

  /** The newest line of the key hashing to `hash` that `isKey` accepts, or -1. */
  newest(hash: number, isKey: (entry: number) => boolean): number {
    for (let head = this.heads[hash & this.mask] as number; head !== -1; head = this.field(head, NEXT_KEY)) {
      if (this.field(head, KEY_HASH) === (hash | 0) && isKey(head)) return head;
    }
    return -1;
  }

  /** The previous line of the same key, or -1. */
  olderOf(entry: number): number {
    return this.keepOlder ? this.field(entry, OLDER) : -1;
  }

  /** Line starts of a key, oldest first, from its newest entry: the last `limit` at most. */
  linesOf(newest: number, limit = Number.POSITIVE_INFINITY): number[] {
    const lines: number[] = [];
    for (let entry = newest; entry !== -1 && lines.length < limit; entry = this.olderOf(entry)) lines.push(this.line.get(entry));
    return lines.reverse();
  }

  /** The newest entry of every key. */
  allKeys(): number[] {
    return [...this.eachKey()];
  }

  /** The newest entry of every key, one at a time: a walk in slices (discovery) holds no array of 60k keys. */
  *eachKey(): Generator<number, void, void> {
    for (let bucket = 0; bucket <= this.mask; bucket++) {
      for (let head = this.heads[bucket] as number; head !== -1; head = this.field(head, NEXT_KEY)) yield head;
    }
  }

  /** The entry of the last line starting before `position` (lines are in body order), or -1. */
  lastBefore(position: number): number {
    let low = 0;
    let high = this.entries - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.line.get(middle) < position) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }
}

/** Power-of-two bucket count near one per `bytesPerBucket` bytes of body. */
export const bucketsFor = (bodyBytes: number, bytesPerBucket: number): number => 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, bodyBytes / bytesPerBucket))));
