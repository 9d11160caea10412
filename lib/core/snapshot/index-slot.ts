import { ExporterError, ExpositionError } from '../errors.ts';
import { viewOf } from '../exposition/byte-scanning.ts';
import { scanStreamedExposition, type ExpositionSink } from '../exposition/exposition-scanner.ts';
import { KEY_INSTANCE, KEY_JOB, keyBit, keyLabelsAt } from '../exposition/key-labels.ts';
import { newScannedSample, type ScannedMetadata, type ScannedSample } from '../exposition/scanned-line.ts';
import { keepShape } from '../shape-anchors.ts';
import { runToEnd, type SlicedWork } from '../sliced-work.ts';
import { combineHashes, EMPTY_RANGE_HASH, hashBytes, MIN_HASH_BASE, type HashSeed } from './byte-hash.ts';
import { IndexedSnapshot } from './indexed-snapshot.ts';
import { bucketsFor, MIN_BUCKETS, type KeyedLines, type KeyMatcher } from './keyed-lines.ts';
import { sameLabelsAt, sameValue } from './label-text.ts';
import type { ServiceLines } from './service-lines.ts';
import { SnapshotSlot } from './snapshot-slot.ts';

const GROUP_KEY = keyBit(KEY_JOB) | keyBit(KEY_INSTANCE);

/** Work on a body that may still be arriving: it yields `true` while it waits for more of it. */
export type StreamedWork<T> = Generator<boolean, T, void>;

/**
 * Scans the body in `slot` (validating every line) and indexes it by group, yielding between
 * steps. The `service` table and the HELP and TYPE tables by family name are built later, from
 * lines the read notes, when a lookup first needs them or in the background once the snapshot is
 * in use (IndexedSnapshot.indexLater). The body may still be streaming in (`slot.complete` false):
 * then it indexes every whole line there is and yields `true` until more comes (a read runs it
 * after each chunk, so the index is nearly done when the last byte arrives); see `afterBody`.
 * Time and memory are linear in the body: the scan reads each byte a bounded number of times, and
 * each indexed or noted line costs 16 bytes per table it is in.
 *
 * Strict, any invalid line throws. Otherwise an invalid line is left out and counted, as long as
 * the body as a whole is Pushgateway's exposition (see `notAnExposition`). `seed` seeds every hash
 * of the index: a read draws a random one (lib/edges/random-hash-seed.ts, docs/security-model.md).
 */
export function* indexSlot(slot: SnapshotSlot, strict: boolean, seed: HashSeed): StreamedWork<IndexedSnapshot> {
  const indexer = new SlotIndexer(slot, strict, seed);
  yield* scanStreamedExposition(slot, indexer, seed.base);
  const { bytes, sampleCount, firstInvalid } = indexer;
  if (!strict) notAnExposition(bytes, sampleCount, firstInvalid, indexer.ownMetrics);
  return new IndexedSnapshot(slot, bytes, seed, sampleCount, indexer.skippedLines, indexer.invalidLines, firstInvalid?.message);
}

/**
 * Body bytes per bucket of the group table: fewer keys a bucket leave fewer tags that send a new
 * key down a chain. Since 2026-12-02 (was 128): 0.16–0.31 bytes more per body byte (bucket counts
 * round up to a power of two) for 4–5% off tiny-groups in bench row 11 (docs/performance-history.md,
 * "2026-12-02, fourteenth session").
 */
const GROUP_BUCKET_BYTES = 64;

/** Which of the slot's tables a key comparison is for (KeyMatcher's `kind`): the read keys only the group table. */
const GROUPS = 0;

/**
 * One read's indexing state, as the scan's sink and the tables' key matcher. Its methods are shared
 * by every read (no closure per read): V8 compiles code that embeds a read's closures as weakly
 * held, and a full garbage collection between reads then throws that code away, leaving the next
 * read several times slower until it is compiled again (docs/performance.md).
 */
class SlotIndexer implements ExpositionSink, KeyMatcher {
  bytes: Buffer;
  /** `bytes` as a DataView, for comparing label text four bytes at a time. */
  private view: DataView;
  sampleCount = 0;
  skippedLines = 0;
  invalidLines = 0;
  firstInvalid: ExpositionError | undefined = undefined;
  ownMetrics = false;
  /** Absent in strict mode: the scan then throws at the first invalid line. */
  readonly invalid: ExpositionSink['invalid'];
  private readonly base: number;
  private readonly pairBase: number;
  private readonly groups: KeyedLines;
  private readonly serviceLines: ServiceLines;
  private readonly helps: KeyedLines;
  private readonly types: KeyedLines;
  private lastJobStart = 0;
  private lastJobEnd = 0;
  private lastJobHash: number;
  /** The group (its first line's entry) of the last sample line with a job, -1 before the first. */
  private lastGroup = -1;
  /** The key labels of the sample line being indexed (by the hash: not set for a line whose group was foreseen). */
  private labelsAt = -1;
  private jobStart = -1;
  private jobEnd = -1;
  private instanceStart = -1;
  private instanceEnd = -1;
  /** An earlier line's key labels, read again when its label text differs. */
  private readonly other: ScannedSample = newScannedSample();

  constructor(slot: SnapshotSlot, strict: boolean, seed: HashSeed) {
    const bytes = slot.body.subarray(0, slot.length);
    const length = bytes.length;
    this.bytes = bytes;
    this.view = viewOf(bytes);
    this.base = seed.base;
    this.pairBase = seed.pairBase;
    this.groups = slot.groups;
    this.serviceLines = slot.serviceLines;
    this.serviceLines.reset();
    this.helps = slot.helps;
    this.types = slot.types;
    // Buckets scale with the body: the smallest possible lines (11 bytes) put about six keys in a
    // group bucket, Pushgateway-shaped bodies less than one; a bucket's tag spares most new keys the
    // walk of its chain (keyed-lines.ts), and fewer keys a bucket leave fewer tags that mislead.
    // Sized for the body the slot expects, not for what has arrived: a read expects the last body's
    // size (the same Pushgateway sends about the same), so the tables need not grow while the body
    // streams in. Not for the slot's room, which only grows: after one large body, every small one
    // would get (and walk) its large tables.
    const expected = Math.max(length, slot.expectedBytes);
    this.groups.reset(bucketsFor(expected, GROUP_BUCKET_BYTES));
    // The HELP and TYPE lines are only noted: they are keyed after the read (family-lines.ts).
    this.helps.reset(MIN_BUCKETS);
    this.types.reset(MIN_BUCKETS);
    this.lastJobHash = EMPTY_RANGE_HASH;
    this.invalid = strict ? undefined : SlotIndexer.prototype.recordInvalid;
  }

  sample(line: Readonly<ScannedSample>): void {
    this.sampleCount += 1;
    const bytes = this.bytes;
    // Pushgateway's own metrics carry no job label; everything pushed does.
    if (line.jobStart < 0) {
      this.ownMetrics ||= isBuildInfo(bytes, line.start, line.end);
      return;
    }
    const groups = this.groups;
    const last = this.lastGroup;
    if (line.instanceStart >= 0 && last >= 0) {
      // Pushgateway writes the series of every family in the same order of groups: a line's group
      // is most often the group whose line came, in the family before, right after the previous
      // line's group's (the line after the previous line's older line), or the previous line's own.
      // Either is checked on the bytes, as sameGroup checks first, and then needs no hash and no
      // bucket. The previous line is the newest entry, of group `last`.
      const until = Math.max(line.jobEnd, line.instanceEnd) + 1;
      const older = groups.olderOf(groups.entries - 1);
      const next = older >= 0 ? groups.keyOf(older + 1) : -1;
      const key = next >= 0 && next !== last && this.labelsMatch(next, line.labelsAt, until) ? next : this.labelsMatch(last, line.labelsAt, until) ? last : -1;
      if (key >= 0) {
        groups.addToKey(key, line.start, line.labelsAt);
        this.lastGroup = key;
        if (line.serviceStart >= 0) this.serviceLines.add(line.start, line.labelsAt, line.serviceStart, line.serviceEnd);
        return;
      }
    }
    this.labelsAt = line.labelsAt;
    this.jobStart = line.jobStart;
    this.jobEnd = line.jobEnd;
    this.instanceStart = line.instanceStart;
    this.instanceEnd = line.instanceEnd;
    const base = this.base;
    const instanceHash = line.instanceStart < 0 ? EMPTY_RANGE_HASH : hashBytes(bytes, line.instanceStart, line.instanceEnd, base);
    // Most lines name the job the line before named: its hash is kept, and reused when the bytes are the same.
    if (!sameValue(bytes, line.jobStart, line.jobEnd, this.lastJobStart, this.lastJobEnd)) {
      this.lastJobStart = line.jobStart;
      this.lastJobEnd = line.jobEnd;
      this.lastJobHash = hashBytes(bytes, line.jobStart, line.jobEnd, base);
    }
    this.lastGroup = groups.add(combineHashes(this.lastJobHash, instanceHash, this.pairBase), line.start, GROUPS, this, line.labelsAt);
    if (line.serviceStart >= 0) this.serviceLines.add(line.start, line.labelsAt, line.serviceStart, line.serviceEnd);
  }

  metadata(line: Readonly<ScannedMetadata>): void {
    (line.kind === 'HELP' ? this.helps : this.types).note(line.start);
  }

  rebind(body: Buffer): void {
    this.bytes = body;
    this.view = viewOf(body);
    // The group table grows with the body, to at least the buckets it would have had for the whole of it.
    this.groups.grow(bucketsFor(body.length, GROUP_BUCKET_BYTES));
  }

  skipped(): void {
    this.skippedLines += 1;
  }

  private recordInvalid(this: SlotIndexer, why: () => string, lineNumber: number): void {
    this.invalidLines += 1;
    this.firstInvalid ??= new ExpositionError(why(), lineNumber);
  }

  sameKey(_kind: number, entry: number, mark: number): boolean {
    return this.sameGroup(entry, mark);
  }

  /** Whether the newest line of group `key` (its mark: where its label set starts) has the label text `[labelsAt, until)` of the line being indexed. */
  private labelsMatch(key: number, labelsAt: number, until: number): boolean {
    return sameLabelsAt(this.view, this.groups.markOf(key), labelsAt, until);
  }

  /** Whether the line at `entry` (its label set at `mark`) is of the group of the line being indexed. */
  private sameGroup(entry: number, mark: number): boolean {
    const bytes = this.bytes;
    const lineStart = this.groups.line.get(entry);
    // Most lines of a group repeat its label text up to the later of job and instance (Pushgateway
    // writes every line of a group with the same labels, sorted): then they have the same key.
    const until = Math.max(this.jobEnd, this.instanceEnd) + 1;
    if (this.instanceStart >= 0 && sameLabelsAt(this.view, mark, this.labelsAt, until)) return true;
    const them = this.keysOf(lineStart, GROUP_KEY);
    return sameValue(bytes, them.jobStart, them.jobEnd, this.jobStart, this.jobEnd)
      && sameValue(bytes, them.instanceStart, them.instanceEnd, this.instanceStart, this.instanceEnd);
  }

  private keysOf(lineStart: number, wanted: number): ScannedSample {
    keyLabelsAt(this.bytes, lineStart, this.other, wanted);
    return this.other;
  }
}

// A read's indexer dies with the read: one kept, so its maps survive a full collection (lib/core/shape-anchors.ts).
keepShape(new SlotIndexer(new SnapshotSlot(), false, { base: MIN_HASH_BASE, pairBase: MIN_HASH_BASE }));

const BUILD_INFO = Buffer.from('pushgateway_build_info', 'latin1');

/** Whether the sample line at `[start, end)` is Pushgateway's `pushgateway_build_info`. */
function isBuildInfo(bytes: Buffer, start: number, end: number): boolean {
  const after = start + BUILD_INFO.length;
  return after < end && bytes.compare(BUILD_INFO, 0, BUILD_INFO.length, start, after) === 0 && (bytes[after] === 0x7b /* { */ || bytes[after] === 0x20 || bytes[after] === 0x09);
}

/**
 * Throws when a body with invalid lines is not Pushgateway's exposition at all, or when the body
 * was cut short (docs/operations.md#failure-modes): then the read fails rather than answer from
 * part of it. A pushed line Pushgateway writes but the format forbids (a metric name such as
 * `a.b` pushed in protobuf) is left out; a page of something else (HTML, an error text) is not an
 * exposition with a few bad lines. Pushgateway always writes its own `pushgateway_build_info`,
 * and ends its body with a line feed.
 */
function notAnExposition(bytes: Buffer, validSamples: number, firstInvalid: ExpositionError | undefined, ownMetrics: boolean): void {
  const length = bytes.length;
  if (length === 0) {
    throw new ExporterError('EXPOSITION_INVALID', 'empty body, but Pushgateway always sends its own metrics (a pushed metric with an empty name makes it send nothing: delete that group)');
  }
  if (firstInvalid !== undefined && validSamples === 0) throw firstInvalid;
  if (bytes[length - 1] !== 0x0a) {
    const from = bytes.lastIndexOf(0x0a, length - 1) + 1;
    const lastLine = bytes.toString('utf8', from, Math.min(length, from + 80));
    throw new ExporterError(
      'EXPOSITION_INVALID',
      `body cut short in the middle of a line (${JSON.stringify(lastLine)}): Pushgateway stops writing /metrics at a pushed metric family it cannot write, such as a GAUGE_HISTOGRAM: delete that group`,
    );
  }
  if (firstInvalid !== undefined && !ownMetrics) throw firstInvalid;
}

/**
 * Scans Pushgateway's `/metrics` text (validating every line) and indexes it, in one go: tests and
 * tools. Strict by default (any invalid line throws); `{ strict: false }` indexes as a read does.
 * No production read comes this way (lib/edges/cache/snapshot-source.ts indexes as the body
 * streams in, on a random seed); callers pass a seed of their own (a test's fixed one). `slot`
 * fills a slot the caller keeps, reusing its tables' memory as a read reuses its slot (a snapshot
 * indexed into it before can no longer be read); without it, a new slot.
 */
export function indexSnapshot(text: string | Buffer, hashSeed: HashSeed, options: { readonly strict?: boolean; readonly slot?: SnapshotSlot } = {}): IndexedSnapshot {
  const slot = options.slot ?? new SnapshotSlot();
  slot.adopt(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return runToEnd(afterBody(indexSlot(slot, options.strict ?? true, hashSeed)));
}

/**
 * The rest of streamed work once its body is complete (it no longer waits), as sliced work. The
 * caller marks the body complete first.
 */
export function* afterBody<T>(work: StreamedWork<T>): SlicedWork<T> {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    yield;
  }
}

/**
 * Runs streamed work on what has arrived, until it waits for more or `budgetMs` of `now()` have
 * passed (the rest then runs at the next chunk, or after the body): a read calls it after each
 * chunk, and it never holds the event loop longer than a slice.
 */
export function advance(work: StreamedWork<unknown>, now: () => number, budgetMs: number): void {
  const until = now() + budgetMs;
  for (;;) {
    const step = work.next();
    if (step.done || step.value || now() >= until) return;
  }
}

