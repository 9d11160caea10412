import { combineHashes, hashBytes, randomHashBase } from './byte-hash.ts';
import { ExporterError, ExpositionError } from '../errors.ts';
import {
  decodeSample, KEY_INSTANCE, KEY_JOB, KEY_SERVICE, keyBit, keyLabelsAt, lineEndOf, metadataAt, metadataNameEnd, metadataNameStart, scanExposition,
  type ExpositionSink, type FamilyMetadata, type Labels, type Sample, type ScannedSample,
} from '../exposition/exposition-parser.ts';
import { escapeLabelValue } from '../exposition/exposition-renderer.ts';
import { runSliced, runToEnd, type SlicedWork } from '../../edges/time-slicing.ts';

export const PUSH_TIME_METRIC = 'push_time_seconds';
export const PUSH_FAILURE_TIME_METRIC = 'push_failure_time_seconds';

/** Samples pushed under one Pushgateway grouping key, addressed by its `job` and `instance`. */
export interface PushGroup {
  readonly job: string;
  readonly instance: string;
  /**
   * One sample per series (metric name and label set): when a body repeats a series, its last line wins.
   * At most MAX_LOOKUP_SAMPLES lines and MAX_LOOKUP_BYTES of line text: a larger group keeps its last
   * lines and sets `truncated` (docs/probe-rules.md#pass-through).
   */
  readonly samples: readonly Sample[];
  /** Whether `samples` leaves out some of the group's lines. */
  readonly truncated?: boolean;
  /**
   * The samples of these metrics, found by name among all the group's lines however many other
   * series it holds (the same bound applies to each name). Absent: filter `samples`.
   */
  named?(metrics: readonly string[]): readonly Sample[];
  /** Pushgateway's `push_time_seconds` for the group, when it exposes one. */
  readonly pushTimeSeconds: number | undefined;
}

/** The group's samples of these metrics, whatever else it holds. */
export function samplesNamed(group: PushGroup, metrics: readonly string[]): readonly Sample[] {
  return group.named === undefined ? group.samples.filter((sample) => metrics.includes(sample.name)) : group.named(metrics);
}

/**
 * One read of the Pushgateway, indexed once so that each probe is a hash lookup: by group
 * (`job`, `instance`) and by the `service` label. Samples are decoded only when a probe asks
 * for them: a 60k-group snapshot is scanned once and mostly never materialized.
 */
export interface Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  /**
   * Pushed samples labelled `service="<name>"`, in any group (one per series), bounded as a group's
   * `samples`; with `metric`, only that metric's, found by name among all of the service's lines.
   */
  samplesOfService(name: string, metric?: string): readonly Sample[];
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  readonly sampleCount: number;
  /** Invalid lines left out of the snapshot, and why the first one is invalid (docs/operations.md#failure-modes). */
  readonly invalidLines?: number;
  readonly firstInvalidLine?: string | undefined;
}

/** The key of `groups`: length-prefixed, so no job or instance text can make two groups share one. */
export function groupKey(job: string, instance: string): string {
  return `${job.length}:${job}${instance}`;
}

function splitGroupKey(key: string): [job: string, instance: string] | undefined {
  const colon = key.indexOf(':');
  const size = Number(key.slice(0, colon));
  if (colon <= 0 || !Number.isSafeInteger(size) || size < 0 || colon + 1 + size > key.length) return undefined;
  return [key.slice(colon + 1, colon + 1 + size), key.slice(colon + 1 + size)];
}

const NONE: readonly Sample[] = [];
const GROUP_KEY = keyBit(KEY_JOB) | keyBit(KEY_INSTANCE);
const SERVICE_KEY = keyBit(KEY_SERVICE);

/**
 * The most lines one lookup decodes, in count and in bytes of line text: a group (or a service's
 * samples) over it keeps its last lines. Pushgateway groups hold a few samples; the bounds keep a
 * probe's memory and time to a few MB and ms even when a pusher floods its own group with wide,
 * distinct series (docs/security-model.md). Lookups by metric name apply them to each name.
 */
export const MAX_LOOKUP_SAMPLES = 1000;
export const MAX_LOOKUP_BYTES = 64 * 1024;

const BLOCK_BITS = 14;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const BLOCK_MASK = BLOCK_SIZE - 1;

/**
 * A growable array of int32 in blocks of 16,384: growing never copies, and memory follows what
 * is used (an array sized for the worst case up front would be zeroed, and made resident, by the
 * allocator whenever it reuses freed memory).
 */
class IntBlocks {
  private readonly blocks: Int32Array[] = [];

  get(index: number): number {
    return (this.blocks[index >>> BLOCK_BITS] as Int32Array)[index & BLOCK_MASK] as number;
  }

  set(index: number, value: number): void {
    const block = index >>> BLOCK_BITS;
    if (block === this.blocks.length) this.blocks.push(new Int32Array(BLOCK_SIZE));
    (this.blocks[block] as Int32Array)[index & BLOCK_MASK] = value;
  }
}

/**
 * Lines grouped by key, in int32 blocks — 16 bytes a line whatever its length, no object per key
 * or line: each bucket chains the newest line of every key hashed to it, and each line links to
 * the previous line of its key. Keys stay in the body; comparing them is the caller's.
 */
export class KeyedLines {
  /** Start of each line, in body order. */
  readonly line = new IntBlocks();
  /** The previous line of the same key, -1 for its first (unused when `keepOlder` is false). */
  private readonly older = new IntBlocks();
  /** For a key's newest line: the newest line of the next key in the bucket, -1 at the end. */
  private readonly nextKey = new IntBlocks();
  /**
   * For a key's newest line: its full hash. Keys sharing a bucket but not a hash are told apart
   * without re-reading their labels (a 1 MiB label set would be scanned once per line added).
   */
  private readonly keyHash = new IntBlocks();
  private heads = new Int32Array(0);
  entries = 0;
  keys = 0;
  private mask = 0;

  constructor(private readonly keepOlder: boolean) {}

  /** Empties the table for `buckets` buckets (a power of two); storage is kept between reads. */
  reset(buckets: number): void {
    if (this.heads.length < buckets) this.heads = new Int32Array(buckets);
    this.heads.fill(-1, 0, buckets);
    this.mask = buckets - 1;
    this.entries = 0;
    this.keys = 0;
  }

  /** Adds a line whose key hashes to `hash`; `sameKey(entry)` tells whether an earlier line has the same key. */
  add(hash: number, lineStart: number, sameKey: (entry: number) => boolean): void {
    const entry = this.entries;
    const bucket = hash & this.mask;
    let previous = -1;
    let head = this.heads[bucket] as number;
    while (head !== -1 && (this.keyHash.get(head) !== (hash | 0) || !sameKey(head))) {
      previous = head;
      head = this.nextKey.get(head);
    }
    this.line.set(entry, lineStart);
    this.keyHash.set(entry, hash | 0);
    this.entries = entry + 1;
    if (head === -1) {
      if (this.keepOlder) this.older.set(entry, -1);
      this.nextKey.set(entry, this.heads[bucket] as number);
      this.heads[bucket] = entry;
      this.keys += 1;
      return;
    }
    // The key's newest line takes its place in the bucket's chain.
    if (this.keepOlder) this.older.set(entry, head);
    this.nextKey.set(entry, this.nextKey.get(head));
    if (previous === -1) this.heads[bucket] = entry;
    else this.nextKey.set(previous, entry);
  }

  /** The newest line of the key hashing to `hash` that `isKey` accepts, or -1. */
  newest(hash: number, isKey: (entry: number) => boolean): number {
    for (let head = this.heads[hash & this.mask] as number; head !== -1; head = this.nextKey.get(head)) {
      if (this.keyHash.get(head) === (hash | 0) && isKey(head)) return head;
    }
    return -1;
  }

  /** The previous line of the same key, or -1. */
  olderOf(entry: number): number {
    return this.keepOlder ? this.older.get(entry) : -1;
  }

  /** Line starts of a key, oldest first, from its newest entry: the last `limit` at most. */
  linesOf(newest: number, limit = Number.POSITIVE_INFINITY): number[] {
    const lines: number[] = [];
    for (let entry = newest; entry !== -1 && lines.length < limit; entry = this.keepOlder ? this.older.get(entry) : -1) lines.push(this.line.get(entry));
    return lines.reverse();
  }

  /** The newest entry of every key. */
  allKeys(): number[] {
    const newest: number[] = [];
    for (let bucket = 0; bucket <= this.mask; bucket++) {
      for (let head = this.heads[bucket] as number; head !== -1; head = this.nextKey.get(head)) newest.push(head);
    }
    return newest;
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
const bucketsFor = (bodyBytes: number, bytesPerBucket: number): number => 2 ** Math.max(4, Math.ceil(Math.log2(Math.max(1, bodyBytes / bytesPerBucket))));

/**
 * The memory of one snapshot — its body and its index — kept between reads and refilled: a warm
 * process reads the Pushgateway every few seconds, and memory that is freed and allocated again
 * is only returned when the garbage collector gets to it (late, for large buffers), so a fresh
 * allocation per read would let old bodies pile up.
 */
export class SnapshotSlot {
  body: Buffer = Buffer.alloc(0);
  length = 0;
  private maxBytes = Number.POSITIVE_INFINITY;
  /** Bumped when the slot is refilled: a snapshot of an older generation must no longer be read. */
  generation = 0;
  readonly groups = new KeyedLines(true);
  readonly services = new KeyedLines(true);
  /** `# HELP` and `# TYPE` lines, by family name (the newest of each kind wins, as in a full parse). */
  readonly helps = new KeyedLines(false);
  readonly types = new KeyedLines(false);

  /** Starts a new body of at most `maxBytes`; `expectedBytes` pre-sizes it (no copy as it grows). */
  begin(expectedBytes = 0, maxBytes = Number.POSITIVE_INFINITY): void {
    this.generation += 1;
    this.length = 0;
    this.maxBytes = maxBytes;
    const size = Math.min(maxBytes, expectedBytes);
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

  /** Uses `bytes` as the body, without copying (tests and tools index a string once). */
  adopt(bytes: Buffer): void {
    this.generation += 1;
    this.body = bytes;
    this.length = bytes.length;
  }
}

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

/**
 * A snapshot over a slot's body and index: a lookup hashes the key, walks its bucket (a few
 * keys) and decodes only the key's own lines, keeping what it decoded in a bounded cache.
 */
export class IndexedSnapshot implements Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  private readonly generation: number;
  private readonly cache = new MaterializedCache();
  private readonly probe: ScannedSample = { lineNumber: 0, start: 0, end: 0, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };

  constructor(
    readonly slot: SnapshotSlot,
    private readonly bytes: Buffer,
    private readonly base: number,
    private readonly pairBase: number,
    readonly sampleCount: number,
    /** Lines over MAX_LINE_BYTES, left out. */
    readonly skippedLines: number,
    /** Lines that are not valid exposition, left out (docs/operations.md#failure-modes). */
    readonly invalidLines: number = 0,
    /** Why the first of them is invalid ("line N: …"); undefined when none is. */
    readonly firstInvalidLine: string | undefined = undefined,
  ) {
    this.generation = slot.generation;
    this.groups = new IndexView<PushGroup>(
      (key) => {
        const parts = splitGroupKey(key);
        return parts === undefined ? undefined : this.group(parts[0], parts[1]);
      },
      () => this.groupCount,
      () => this.allGroups().map((group) => [groupKey(group.job, group.instance), group]),
    );
    this.families = new IndexView<FamilyMetadata>(
      (name) => this.family(name),
      () => this.allFamilies().length,
      () => this.allFamilies().map((family) => [family.name, family]),
    );
  }

  get bodyBytes(): number {
    return this.bytes.length;
  }

  get groupCount(): number {
    return this.slot.groups.keys;
  }

  samplesOfService(name: string, metric?: string): readonly Sample[] {
    this.assertLive();
    const cacheKey = metric === undefined ? `s${name}` : `n${metric.length}:${metric}${name}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached === null ? NONE : (cached as readonly Sample[]);
    const raw = Buffer.from(escapeLabelValue(name), 'utf8');
    const table = this.slot.services;
    const newest = table.newest(hashBytes(raw, 0, raw.length, this.base), (entry) => {
      const probe = this.keysAt(table.line.get(entry), SERVICE_KEY);
      return this.rangeIs(probe.serviceStart, probe.serviceEnd, raw);
    });
    let samples: readonly Sample[] = NONE;
    let bytes = 0;
    if (newest !== -1) {
      const window = metric === undefined ? this.lastLines(table, newest) : { lines: this.linesNamed(table, newest, [metric]), truncated: false, bytes: 0 };
      samples = onePerSeries(this.decodeLines(window.lines));
      bytes = window.bytes;
    }
    this.cache.set(cacheKey, samples.length === 0 ? null : samples, samples.length, bytes);
    return samples;
  }

  group(job: string, instance: string): PushGroup | undefined {
    this.assertLive();
    const cacheKey = `g${groupKey(job, instance)}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached === null ? undefined : (cached as PushGroup);
    const rawJob = Buffer.from(escapeLabelValue(job), 'utf8');
    const rawInstance = Buffer.from(escapeLabelValue(instance), 'utf8');
    const hash = combineHashes(hashBytes(rawJob, 0, rawJob.length, this.base), hashBytes(rawInstance, 0, rawInstance.length, this.base), this.pairBase);
    const table = this.slot.groups;
    const newest = table.newest(hash, (entry) => {
      const probe = this.keysAt(table.line.get(entry), GROUP_KEY);
      return this.rangeIs(probe.jobStart, probe.jobEnd, rawJob) && this.rangeIs(probe.instanceStart, probe.instanceEnd, rawInstance);
    });
    if (newest === -1) {
      this.cache.set(cacheKey, null, 0, 0);
      return undefined;
    }
    // The window of samples is decoded when first read: judging replicas reads only named metrics.
    const group: LookedUpGroup = new LookedUpGroup(job, instance, () => {
      this.assertLive();
      const window = this.lastLines(table, newest);
      const samples = onePerSeries(this.decodeLines(window.lines));
      this.cache.set(cacheKey, group, samples.length, window.bytes);
      return { samples, truncated: window.truncated };
    }, (metrics) => {
      this.assertLive();
      return this.decodeLines(this.linesNamed(table, newest, metrics));
    });
    this.cache.set(cacheKey, group, 0, 0);
    return group;
  }

  /**
   * A key's last lines within MAX_LOOKUP_SAMPLES and MAX_LOOKUP_BYTES, oldest first: the walk
   * stops at the first line that does not fit, so its cost follows the bound, not the key's size.
   */
  private lastLines(table: KeyedLines, newest: number): { lines: number[]; truncated: boolean; bytes: number } {
    const lines: number[] = [];
    let bytes = 0;
    let entry = newest;
    for (; entry !== -1 && lines.length < MAX_LOOKUP_SAMPLES; entry = table.olderOf(entry)) {
      const start = table.line.get(entry);
      const size = lineEndOf(this.bytes, start) - start + 1;
      if (bytes + size > MAX_LOOKUP_BYTES) break;
      bytes += size;
      lines.push(start);
    }
    return { lines: lines.reverse(), truncated: entry !== -1, bytes };
  }

  /**
   * The lines of a key whose metric name is one of `metrics`, oldest first, each name within
   * MAX_LOOKUP_SAMPLES and MAX_LOOKUP_BYTES (its last lines). Walks every line of the key but
   * reads only the bytes of its name: a few ns a line.
   */
  private linesNamed(table: KeyedLines, newest: number, metrics: readonly string[]): number[] {
    const names = metrics.map((metric) => Buffer.from(metric, 'latin1'));
    const counts = names.map(() => 0);
    const sizes = names.map(() => 0);
    const lines: number[] = [];
    const body = this.bytes;
    for (let entry = newest; entry !== -1; entry = table.olderOf(entry)) {
      const start = table.line.get(entry);
      for (let k = 0; k < names.length; k++) {
        const name = names[k] as Buffer;
        const after = body[start + name.length];
        if (after !== OPEN_BRACE && after !== SPACE && after !== TAB) continue;
        // A byte loop: Buffer.compare's native call costs more than these few bytes.
        let same = true;
        for (let i = 0; i < name.length && same; i++) same = body[start + i] === name[i];
        if (!same) continue;
        const size = lineEndOf(body, start) - start + 1;
        if ((counts[k] as number) < MAX_LOOKUP_SAMPLES && (sizes[k] as number) + size <= MAX_LOOKUP_BYTES) {
          counts[k] = (counts[k] as number) + 1;
          sizes[k] = (sizes[k] as number) + size;
          lines.push(start);
        }
        break;
      }
    }
    return lines.reverse();
  }

  /** Every group, in the order of its first line: for tests and tools (it decodes the whole index). */
  allGroups(): PushGroup[] {
    this.assertLive();
    const table = this.slot.groups;
    return table.allKeys()
      .map((newest) => ({ newest, lines: table.linesOf(newest) }))
      .sort((a, b) => (a.lines[0] as number) - (b.lines[0] as number))
      .map(({ lines }) => {
        const samples = this.decodeLines(lines);
        return materializeGroup(samples[0]?.job ?? '', samples[0]?.instance ?? '', samples);
      });
  }

  family(name: string): FamilyMetadata | undefined {
    this.assertLive();
    const cacheKey = `f${name}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached === null ? undefined : (cached as FamilyMetadata);
    const raw = Buffer.from(name, 'utf8');
    const hash = hashBytes(raw, 0, raw.length, this.base);
    const newest = (table: KeyedLines) => {
      const entry = table.newest(hash, (candidate) => {
        const nameStart = metadataNameStart(this.bytes, table.line.get(candidate));
        return this.rangeIs(nameStart, metadataNameEnd(this.bytes, nameStart), raw);
      });
      return entry === -1 ? undefined : this.metadataText(table.line.get(entry));
    };
    const help = newest(this.slot.helps);
    const type = newest(this.slot.types);
    const family = help === undefined && type === undefined ? undefined : { name, help, type };
    this.cache.set(cacheKey, family ?? null, 1, 0);
    return family;
  }

  /** Every family with a `# HELP` or `# TYPE` line: for tests and tools. */
  allFamilies(): FamilyMetadata[] {
    this.assertLive();
    const names = new Set<string>();
    for (const table of [this.slot.helps, this.slot.types]) {
      for (const entry of table.allKeys().sort((a, b) => table.line.get(a) - table.line.get(b))) names.add(this.familyNameAt(table.line.get(entry)));
    }
    return [...names].map((name) => this.family(name) as FamilyMetadata);
  }

  private assertLive(): void {
    if (this.slot.generation !== this.generation) {
      throw new ExporterError('SNAPSHOT_RELEASED', 'internal error: a Pushgateway snapshot was read after a newer read reused its memory');
    }
  }

  private keysAt(lineStart: number, wanted: number): ScannedSample {
    keyLabelsAt(this.bytes, lineStart, this.probe, wanted);
    return this.probe;
  }

  /** Whether the raw label value at `[start, end)` (start -1: absent, which reads as empty) is `raw`. */
  private rangeIs(start: number, end: number, raw: Buffer): boolean {
    if (start < 0) return raw.length === 0;
    return end - start === raw.length && this.bytes.compare(raw, 0, raw.length, start, end) === 0;
  }

  private decodeLines(lines: readonly number[]): Sample[] {
    const { helps, types } = this.slot;
    return lines.map((start) => {
      // The family in force: the name of the last HELP or TYPE line before the sample.
      const help = helps.lastBefore(start);
      const type = types.lastBefore(start);
      const context = Math.max(help === -1 ? -1 : helps.line.get(help), type === -1 ? -1 : types.line.get(type));
      return decodeSample(this.bytes, start, lineEndOf(this.bytes, start), context === -1 ? undefined : this.familyNameAt(context));
    });
  }

  private metadataText(line: number): string {
    return metadataAt(this.bytes, line, lineEndOf(this.bytes, line)).text;
  }

  private familyNameAt(metadataLine: number): string {
    const nameStart = metadataNameStart(this.bytes, metadataLine);
    return this.bytes.toString('latin1', nameStart, metadataNameEnd(this.bytes, nameStart));
  }
}

const OPEN_BRACE = 0x7b;
const SPACE = 0x20;
const TAB = 0x09;

function newestPushTime(samples: readonly Sample[]): number | undefined {
  let pushTimeSeconds: number | undefined;
  for (const sample of samples) {
    if (sample.name === PUSH_TIME_METRIC && (pushTimeSeconds === undefined || sample.value > pushTimeSeconds)) pushTimeSeconds = sample.value;
  }
  return pushTimeSeconds;
}

function materializeGroup(job: string, instance: string, decoded: Sample[]): PushGroup {
  const samples = onePerSeries(decoded);
  return { job, instance, samples, pushTimeSeconds: newestPushTime(samples) };
}

/**
 * A group found by a lookup: a bounded window of its samples, and its samples of given metrics
 * found by name among all its lines, decoded once per name and kept.
 */
class LookedUpGroup implements PushGroup {
  private readonly byName = new Map<string, readonly Sample[]>();
  private pushTime: { value: number | undefined } | undefined;
  private window: { samples: readonly Sample[]; truncated: boolean } | undefined;

  constructor(
    readonly job: string,
    readonly instance: string,
    private readonly decodeWindow: () => { samples: readonly Sample[]; truncated: boolean },
    private readonly find: (metrics: readonly string[]) => Sample[],
  ) {}

  get samples(): readonly Sample[] {
    this.window ??= this.decodeWindow();
    return this.window.samples;
  }

  get truncated(): boolean {
    this.window ??= this.decodeWindow();
    return this.window.truncated;
  }

  get pushTimeSeconds(): number | undefined {
    this.pushTime ??= { value: newestPushTime(this.named([PUSH_TIME_METRIC])) };
    return this.pushTime.value;
  }

  named(metrics: readonly string[]): readonly Sample[] {
    // One walk of the group for every name not looked up yet (push_time_seconds rides along: every probe wants it).
    const missing = [...new Set([...metrics, PUSH_TIME_METRIC])].filter((metric) => !this.byName.has(metric));
    if (missing.length > 0) {
      const found = onePerSeries(this.find(missing));
      for (const metric of missing) this.byName.set(metric, found.filter((sample) => sample.name === metric));
    }
    const wanted = [...new Set(metrics)];
    return wanted.length === 1 ? (this.byName.get(wanted[0] as string) as readonly Sample[]) : wanted.flatMap((metric) => this.byName.get(metric) as readonly Sample[]);
  }
}

/**
 * One sample per series — metric name and label set, in any label order. Pushgateway never sends
 * a series twice, but a body can (a group pushed with and without a grouping label, consistency
 * checks off): the last line wins, as a later write wins in Pushgateway itself, and Prometheus
 * would reject the second copy as a duplicate sample.
 */
export function onePerSeries(samples: Sample[]): Sample[] {
  if (samples.length < 2) return samples;
  const names = new Set<string>();
  let repeated = false;
  for (const sample of samples) {
    if (names.has(sample.name)) {
      repeated = true;
      break;
    }
    names.add(sample.name);
  }
  if (!repeated) return samples;
  const seen = new Set<string>();
  const kept: Sample[] = [];
  for (let k = samples.length - 1; k >= 0; k--) {
    const sample = samples[k] as Sample;
    const id = seriesId(sample.name, sample.labels);
    if (seen.has(id)) continue;
    seen.add(id);
    kept.push(sample);
  }
  return kept.reverse();
}

/** The identity of a series: its name and its non-empty labels (Prometheus treats `l=""` as no label `l`). */
export function seriesId(name: string, labels: Labels): string {
  const names = Object.keys(labels).filter((label) => labels[label] !== '').sort();
  return JSON.stringify([name, ...names.map((label) => [label, labels[label]])]);
}

type Materialized = PushGroup | readonly Sample[] | FamilyMetadata | null;

/**
 * What lookups decoded, kept for the snapshot's life up to a bound: warm probes skip decoding,
 * and a stream of lookups (unlisted targets, /probes over thousands of services) cannot grow the
 * heap past it. Oldest out first.
 */
class MaterializedCache {
  private static readonly MAX_ENTRIES = 4096;
  private static readonly MAX_SAMPLES = 20_000;
  /** Line text behind the cached samples: a few lookups at the byte bound, a few MB of objects. */
  private static readonly MAX_BYTES = 4 * MAX_LOOKUP_BYTES;
  private bytes = 0;
  private readonly entries = new Map<string, { value: Materialized; weight: number; bytes: number }>();
  private weight = 0;

  get(key: string): Materialized | undefined {
    return this.entries.get(key)?.value;
  }

  set(key: string, value: Materialized, samples: number, bytes = 0): void {
    const weight = samples + 1;
    const known = this.entries.get(key);
    if (known !== undefined) {
      // A group weighed again once its samples are decoded.
      this.entries.delete(key);
      this.weight -= known.weight;
      this.bytes -= known.bytes;
    }
    if (weight > MaterializedCache.MAX_SAMPLES || bytes > MaterializedCache.MAX_BYTES) return;
    this.entries.set(key, { value, weight, bytes });
    this.weight += weight;
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= MaterializedCache.MAX_ENTRIES && this.weight <= MaterializedCache.MAX_SAMPLES && this.bytes <= MaterializedCache.MAX_BYTES) break;
      this.entries.delete(oldest);
      this.weight -= entry.weight;
      this.bytes -= entry.bytes;
    }
  }
}

/**
 * A read-only map over the index: `get` is a hash lookup; size and iteration build every entry
 * (tests and tools). `Snapshot.groups` (by groupKey) and `Snapshot.families` (the newest HELP and
 * TYPE of each family, by name) are both this.
 */
class IndexView<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly lookup: (key: string) => V | undefined,
    private readonly count: () => number,
    private readonly list: () => [string, V][],
  ) {}

  get size(): number {
    return this.count();
  }

  get(key: string): V | undefined {
    return this.lookup(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.all()) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[string, V]> {
    return this.all().entries();
  }

  keys(): MapIterator<string> {
    return this.all().keys();
  }

  values(): MapIterator<V> {
    return this.all().values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  private all(): Map<string, V> {
    return new Map(this.list());
  }
}

/**
 * Scans the body in `slot` (validating every line) and indexes it by group, service and family,
 * yielding between steps. Time and memory are linear in the body: the scan reads each byte a
 * bounded number of times, and each indexed line costs 16 bytes per table it is in.
 *
 * Strict, any invalid line throws. Otherwise an invalid line is left out and counted, as long as
 * the body as a whole is Pushgateway's exposition (see `notAnExposition`).
 */
function* indexSlot(slot: SnapshotSlot, strict: boolean): SlicedWork<IndexedSnapshot> {
  const bytes = slot.body.subarray(0, slot.length);
  const length = bytes.length;
  const base = randomHashBase();
  const pairBase = randomHashBase();
  const { groups, services, helps, types } = slot;
  // Buckets scale with the body: the smallest possible lines (11 bytes) put about six keys in a
  // bucket, Pushgateway-shaped bodies less than one.
  groups.reset(bucketsFor(length, 64));
  services.reset(bucketsFor(length, 128));
  helps.reset(bucketsFor(length, 256));
  types.reset(bucketsFor(length, 256));
  const emptyHash = hashBytes(bytes, 0, 0, base);

  let sampleCount = 0;
  let skippedLines = 0;
  let invalidLines = 0;
  let firstInvalid: ExpositionError | undefined;
  let ownMetrics = false;
  let nameStart = 0;
  let nameEnd = 0;
  const current = { jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
  const other: ScannedSample = { lineNumber: 0, start: 0, end: 0, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
  const keysOf = (lineStart: number, wanted: number): ScannedSample => {
    keyLabelsAt(bytes, lineStart, other, wanted);
    return other;
  };
  const sameGroup = (entry: number): boolean => {
    const them = keysOf(groups.line.get(entry), GROUP_KEY);
    return sameValue(bytes, them.jobStart, them.jobEnd, current.jobStart, current.jobEnd)
      && sameValue(bytes, them.instanceStart, them.instanceEnd, current.instanceStart, current.instanceEnd);
  };
  const sameService = (entry: number): boolean => {
    const them = keysOf(services.line.get(entry), SERVICE_KEY);
    return sameValue(bytes, them.serviceStart, them.serviceEnd, current.serviceStart, current.serviceEnd);
  };
  const sameName = (table: KeyedLines) => (entry: number): boolean => {
    const start = metadataNameStart(bytes, table.line.get(entry));
    return sameValue(bytes, start, metadataNameEnd(bytes, start), nameStart, nameEnd);
  };
  const sameHelp = sameName(helps);
  const sameType = sameName(types);

  const sink: ExpositionSink = {
    sample(line) {
      sampleCount += 1;
      // Pushgateway's own metrics carry no job label; everything pushed does.
      if (line.jobStart < 0) {
        ownMetrics ||= isBuildInfo(bytes, line.start, line.end);
        return;
      }
      current.jobStart = line.jobStart;
      current.jobEnd = line.jobEnd;
      current.instanceStart = line.instanceStart;
      current.instanceEnd = line.instanceEnd;
      current.serviceStart = line.serviceStart;
      current.serviceEnd = line.serviceEnd;
      const instanceHash = line.instanceStart < 0 ? emptyHash : hashBytes(bytes, line.instanceStart, line.instanceEnd, base);
      groups.add(combineHashes(hashBytes(bytes, line.jobStart, line.jobEnd, base), instanceHash, pairBase), line.start, sameGroup);
      if (line.serviceStart >= 0) services.add(hashBytes(bytes, line.serviceStart, line.serviceEnd, base), line.start, sameService);
    },
    metadata(line) {
      nameStart = line.nameStart;
      nameEnd = line.nameEnd;
      const hash = hashBytes(bytes, nameStart, nameEnd, base);
      if (line.kind === 'HELP') helps.add(hash, line.start, sameHelp);
      else types.add(hash, line.start, sameType);
    },
    skipped() {
      skippedLines += 1;
    },
    ...(strict ? {} : {
      invalid(why: () => string, lineNumber: number) {
        invalidLines += 1;
        firstInvalid ??= new ExpositionError(why(), lineNumber);
      },
    }),
  };
  yield* scanExposition(bytes, sink, base);
  if (!strict) notAnExposition(bytes, sampleCount, firstInvalid, ownMetrics);
  return new IndexedSnapshot(slot, bytes, base, pairBase, sampleCount, skippedLines, invalidLines, firstInvalid?.message);
}

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

/** Whether two raw label values in the body are the same (start -1: absent, which equals empty). */
function sameValue(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aStart < 0 ? 0 : aEnd - aStart;
  if ((bStart < 0 ? 0 : bEnd - bStart) !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}

/** Indexes the body a read put in `slot`, a slice at a time (see time-slicing.ts). */
export function buildSnapshot(slot: SnapshotSlot, signal?: AbortSignal): Promise<IndexedSnapshot> {
  return runSliced(indexSlot(slot, false), signal);
}

/**
 * Scans Pushgateway's `/metrics` text (validating every line) and indexes it, in one go: tests and
 * tools. Strict by default (any invalid line throws); `{ strict: false }` indexes as a read does.
 */
export function indexSnapshot(text: string | Buffer, options: { readonly strict?: boolean } = {}): IndexedSnapshot {
  const slot = new SnapshotSlot();
  slot.adopt(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  return runToEnd(indexSlot(slot, options.strict ?? true));
}

export const EMPTY_SNAPSHOT: Snapshot = {
  groups: new Map(),
  samplesOfService: () => NONE,
  families: new Map(),
  sampleCount: 0,
};
