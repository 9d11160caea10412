import { INT_BLOCK_MASK, IntBlocks } from './int-blocks.ts';

/** Ints per line in `KeyedLines`' one block store (a power of two, so a line never straddles two blocks). */
const STRIDE = 4;
const LINE = 0;
/**
 * A key's first line: the key's newest line, or, while the key has no other line, −3 − the mark
 * noted with it (≤ −2). A later line: the previous line of its key (-1 when `keepOlder` is false).
 */
const NEWEST_OR_OLDER = 1;
/** A key's first line: the first line of the next key in its bucket, -1 at the end. A later line: -2 − its key's first line. */
const LINK = 2;
/**
 * A key's first line: its full hash. Keys sharing a bucket but not a hash are told apart without
 * re-reading their labels (a 1 MiB label set would be scanned once per line added). A later line:
 * the mark its caller noted with it (`add`).
 */
const HASH_OR_MARK = 3;

/**
 * Each bucket is two ints: its first key, and a tag of the keys chained from it, one bit per key
 * set by five bits of the key's hash that the bucket index does not use (while the table has
 * under 2^21 buckets). A line whose bit is clear is of a new key: it needs no walk of the chain,
 * whose keys lie anywhere in the table's memory. A body where every line is a new key (one group
 * or family per line) otherwise pays a cache miss per key chained before it (docs/performance-history.md).
 * The tag is kept inverted, so that one fill with -1 empties every bucket.
 */
const BUCKET_INTS = 2;
const TAGS = 1;
const TAG_SHIFT = 21;

/** The tag bit of a key hashing to `hash`. */
const tagOf = (hash: number): number => 1 << ((hash >>> TAG_SHIFT) & 31);

/** No mark: what a caller that keeps none passes to `add` and `addToKey`, and gets back from `markOf`. */
export const NO_MARK = -1;

/**
 * Tells whether an earlier line (`entry` of the table `kind` names, the newest of its key) has the
 * key of the line being added; `mark` is what was noted with that line, or NO_MARK. One object per
 * read with shared methods, not a closure per read: compiled code that embeds a read's closures is
 * thrown away by a full garbage collection (docs/performance.md).
 */
export interface KeyMatcher {
  sameKey(kind: number, entry: number, mark: number): boolean;
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
 * or line. A key is its first line: each bucket chains the first lines of the keys hashed to it
 * (and tags them: BUCKET_INTS), and each first line points at its key's newest line, each later
 * line at the previous one and at its key. Lines are entries in body order. Keys stay in the body;
 * comparing them is the caller's.
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
    this.startLinking(buckets);
    this.entries = 0;
  }

  /**
   * Doubles the buckets until there are at least `buckets` (a power of two), keeping every key: a
   * body indexed while it streams in grows its tables with it. Each doubling splits every chain in
   * two by one more bit of the full hash; a table grown as its body grows splits chains holding
   * half the keys, a quarter, and so on: about two passes over the keys in all. It ends with at
   * least the buckets a table sized for the whole body has.
   */
  grow(buckets: number): void {
    while (this.mask + 1 < buckets) {
      const old = this.mask + 1;
      if (this.heads.length < 2 * old * BUCKET_INTS) {
        const heads = new Int32Array(2 * old * BUCKET_INTS);
        heads.set(this.heads.subarray(0, old * BUCKET_INTS));
        this.heads = heads;
      }
      for (let bucket = 0; bucket < old; bucket++) {
        let low = -1;
        let high = -1;
        let lowTags = 0;
        let highTags = 0;
        for (let key = this.heads[bucket * BUCKET_INTS] as number; key !== -1;) {
          const next = this.field(key, LINK);
          const hash = this.field(key, HASH_OR_MARK);
          if ((hash & old) === 0) {
            this.setField(key, LINK, low);
            low = key;
            lowTags |= tagOf(hash);
          } else {
            this.setField(key, LINK, high);
            high = key;
            highTags |= tagOf(hash);
          }
          key = next;
        }
        this.heads[bucket * BUCKET_INTS] = low;
        this.heads[bucket * BUCKET_INTS + TAGS] = ~lowTags;
        this.heads[(bucket + old) * BUCKET_INTS] = high;
        this.heads[(bucket + old) * BUCKET_INTS + TAGS] = ~highTags;
      }
      this.mask = 2 * old - 1;
    }
  }

  /**
   * Adds a line whose key hashes to `hash`, noting `mark` with it; `matcher.sameKey(kind, entry,
   * mark)` tells whether an earlier line has the same key. Returns the line's key.
   */
  add(hash: number, lineStart: number, kind: number, matcher: KeyMatcher, mark: number): number {
    const at = (hash & this.mask) * BUCKET_INTS;
    const key = this.keyIn(at, hash | 0, kind, matcher);
    if (key !== -1) {
      this.addToKey(key, lineStart, mark);
      return key;
    }
    const entry = this.entries;
    const block = this.store.blockAt(entry * STRIDE);
    const slot = (entry * STRIDE) & INT_BLOCK_MASK;
    block[slot + LINE] = lineStart;
    this.startKey(block, slot, entry, at, hash | 0, mark);
    this.entries = entry + 1;
    return entry;
  }

  /**
   * Adds a line of `key`, noting `mark` with it: for a caller that has compared the line with the
   * key's newest line itself (no hash, no bucket).
   */
  addToKey(key: number, lineStart: number, mark: number): void {
    const entry = this.entries;
    const block = this.store.blockAt(entry * STRIDE);
    const slot = (entry * STRIDE) & INT_BLOCK_MASK;
    block[slot + LINE] = lineStart;
    this.joinKey(block, slot, entry, key, mark);
    this.entries = entry + 1;
  }

  /**
   * Appends a line in no key yet: a table built after the read (the family tables,
   * family-lines.ts) has the read note its lines, in body order, and puts them under their keys
   * later with `startLinking` and `link`. Until then only `line`, `entries` and `lastBefore` are
   * of use.
   */
  note(lineStart: number): void {
    this.store.set(this.entries * STRIDE + LINE, lineStart);
    this.entries += 1;
  }

  /** Empties the buckets (a power of two of them) for the noted lines to be linked again from the first. */
  startLinking(buckets: number): void {
    if (this.heads.length < buckets * BUCKET_INTS) this.heads = new Int32Array(buckets * BUCKET_INTS);
    this.heads.fill(-1, 0, buckets * BUCKET_INTS);
    this.mask = buckets - 1;
    this.keys = 0;
  }

  /**
   * Puts noted line `entry` under its key, as `add` would have added it: every line before it is
   * linked already, and none after it.
   */
  link(entry: number, hash: number, kind: number, matcher: KeyMatcher, mark: number): void {
    const at = (hash & this.mask) * BUCKET_INTS;
    const key = this.keyIn(at, hash | 0, kind, matcher);
    const block = this.store.blockAt(entry * STRIDE);
    const slot = (entry * STRIDE) & INT_BLOCK_MASK;
    if (key !== -1) this.joinKey(block, slot, entry, key, mark);
    else this.startKey(block, slot, entry, at, hash | 0, mark);
  }

  /** The key in the bucket at `at` of a line whose full hash is `full`, or -1 (see `add`). */
  private keyIn(at: number, full: number, kind: number, matcher: KeyMatcher): number {
    const heads = this.heads;
    let key = (~(heads[at + TAGS] as number) & tagOf(full)) === 0 ? -1 : (heads[at] as number);
    while (key !== -1 && (this.field(key, HASH_OR_MARK) !== full || !matcher.sameKey(kind, this.newestOf(key), this.markOf(key)))) {
      key = this.field(key, LINK);
    }
    return key;
  }

  /** Makes `entry` (at `slot` of `block`, its line set) the first line of a new key in the bucket at `at`. */
  private startKey(block: Int32Array, slot: number, entry: number, at: number, full: number, mark: number): void {
    const heads = this.heads;
    block[slot + NEWEST_OR_OLDER] = -3 - mark;
    block[slot + LINK] = heads[at] as number;
    block[slot + HASH_OR_MARK] = full;
    heads[at] = entry;
    heads[at + TAGS] = (heads[at + TAGS] as number) & ~tagOf(full);
    this.keys += 1;
  }

  /** Makes `entry` (at `slot` of `block`, its line set) the newest line of `key`. */
  private joinKey(block: Int32Array, slot: number, entry: number, key: number, mark: number): void {
    block[slot + NEWEST_OR_OLDER] = this.keepOlder ? this.newestOf(key) : -1;
    block[slot + LINK] = -2 - key;
    block[slot + HASH_OR_MARK] = mark;
    this.setField(key, NEWEST_OR_OLDER, entry);
  }

  /** The key of the line at `entry`. */
  keyOf(entry: number): number {
    const link = this.field(entry, LINK);
    return link <= -2 ? -2 - link : entry;
  }

  /** The newest line of `key`. */
  newestOf(key: number): number {
    const newest = this.field(key, NEWEST_OR_OLDER);
    return newest <= -2 ? key : newest;
  }

  /** The mark noted with the newest line of `key`. */
  markOf(key: number): number {
    const newest = this.field(key, NEWEST_OR_OLDER);
    return newest <= -2 ? -3 - newest : this.field(newest, HASH_OR_MARK);
  }

  /** The newest line of the key hashing to `hash` that `isKey` accepts, or -1. */
  newest(hash: number, isKey: (entry: number) => boolean): number {
    const at = (hash & this.mask) * BUCKET_INTS;
    if ((~(this.heads[at + TAGS] as number) & tagOf(hash | 0)) === 0) return -1;
    for (let key = this.heads[at] as number; key !== -1; key = this.field(key, LINK)) {
      if (this.field(key, HASH_OR_MARK) === (hash | 0) && isKey(this.newestOf(key))) return this.newestOf(key);
    }
    return -1;
  }

  /** The previous line of the same key, or -1. */
  olderOf(entry: number): number {
    return this.field(entry, LINK) <= -2 ? this.field(entry, NEWEST_OR_OLDER) : -1;
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
      for (let key = this.heads[bucket * BUCKET_INTS] as number; key !== -1; key = this.field(key, LINK)) yield this.newestOf(key);
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

/** The fewest buckets a table has. */
export const MIN_BUCKETS = 16;

/** Power-of-two bucket count near one per `bytesPerBucket` bytes of body (or per that many of any count). */
export const bucketsFor = (bodyBytes: number, bytesPerBucket: number): number => Math.max(MIN_BUCKETS, 2 ** Math.ceil(Math.log2(Math.max(1, bodyBytes / bytesPerBucket))));
