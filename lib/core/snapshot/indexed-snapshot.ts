import { ExporterError } from '../errors.ts';
import { lineEndOf } from '../exposition/byte-scanning.ts';
import { escapeLabelValue } from '../exposition/exposition-renderer.ts';
import type { FamilyMetadata, Sample } from '../exposition/exposition-types.ts';
import { KEY_INSTANCE, KEY_JOB, KEY_SERVICE, keyBit, keyLabelsAt } from '../exposition/key-labels.ts';
import { decodeSample, unescapeLabelValue } from '../exposition/sample-decoder.ts';
import { newScannedSample, type ScannedSample } from '../exposition/scanned-line.ts';
import type { SlicedWork } from '../sliced-work.ts';
import { combineHashes, hashBytes, type HashSeed } from './byte-hash.ts';
import { DeferredBuild } from './deferred-build.ts';
import { buildFamilyTables, familyNameAt, familyNamed, familyNames } from './family-lines.ts';
import { IndexView } from './index-view.ts';
import type { KeyedLines } from './keyed-lines.ts';
import { LookedUpGroup, materializeGroup } from './looked-up-group.ts';
import { MaterializedCache } from './materialized-cache.ts';
import { onePerSeries } from './series-identity.ts';
import { buildServiceTable } from './service-table.ts';
import { groupKey, type HeartbeatPusher, MAX_LOOKUP_BYTES, PUSHER_STEP, MAX_LOOKUP_SAMPLES, type PushGroup, type Snapshot, splitGroupKey } from './snapshot.ts';
import type { SnapshotSlot } from './snapshot-slot.ts';

const NONE: readonly Sample[] = [];
const GROUP_KEY = keyBit(KEY_JOB) | keyBit(KEY_INSTANCE);
const SERVICE_KEY = keyBit(KEY_SERVICE);

/**
 * A snapshot over a slot's body and index: a lookup hashes the key, walks its bucket (a few
 * keys) and decodes only the key's own lines, keeping what it decoded in a bounded cache.
 */
export class IndexedSnapshot implements Snapshot {
  readonly groups: ReadonlyMap<string, PushGroup>;
  readonly families: ReadonlyMap<string, FamilyMetadata>;
  private readonly generation: number;
  private readonly base: number;
  private readonly pairBase: number;
  private readonly cache = new MaterializedCache();
  private readonly probe: ScannedSample = newScannedSample();
  /** The `service` table (service-table.ts), built after the read. */
  private readonly serviceBuild: DeferredBuild;
  /** The HELP and TYPE tables by family name (family-lines.ts), built after the read. */
  private readonly familyBuild: DeferredBuild;

  constructor(
    readonly slot: SnapshotSlot,
    private readonly bytes: Buffer,
    seed: HashSeed,
    readonly sampleCount: number,
    /** Lines over MAX_LINE_BYTES, left out. */
    readonly skippedLines: number,
    /** Lines that are not valid exposition, left out (docs/operations.md#failure-modes). */
    readonly invalidLines: number = 0,
    /** Why the first of them is invalid ("line N: …"); undefined when none is. */
    readonly firstInvalidLine: string | undefined = undefined,
  ) {
    this.generation = slot.generation;
    this.base = seed.base;
    this.pairBase = seed.pairBase;
    this.serviceBuild = new DeferredBuild(() => buildServiceTable(slot, bytes, seed.base));
    this.familyBuild = new DeferredBuild(() => buildFamilyTables(slot, bytes, seed.base));
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

  /**
   * Builds the tables the read left for later, as sliced work for an edge to run in the background
   * once the snapshot is in use: the family tables (what `families` reads: the HELP and TYPE of a
   * probe's pass-through samples), then the `service` table (what samplesOfService and
   * heartbeatPushers read). A lookup that comes first finishes the table it needs at once. It
   * stops, unfinished, once the slot is refilled (the snapshot is then dead). A build that throws
   * (a bug) ends it: the edge logs the error, and each lookup then builds its table itself or
   * throws the same error (deferred-build.ts).
   */
  *indexLater(): SlicedWork<void> {
    for (const build of [this.familyBuild, this.serviceBuild]) {
      while (!build.done && this.slot.generation === this.generation) {
        build.step();
        yield;
      }
    }
  }

  /** The `service` table, built now if the background build has not finished it. */
  private services(): KeyedLines {
    this.serviceBuild.finish();
    return this.slot.services;
  }

  samplesOfService(name: string, metric?: string): readonly Sample[] {
    this.assertLive();
    const cacheKey = metric === undefined ? `s${name}` : `n${metric.length}:${metric}${name}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached === null ? NONE : (cached as readonly Sample[]);
    const raw = Buffer.from(escapeLabelValue(name), 'utf8');
    const table = this.services();
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

  /**
   * Who pushed `metric` (Snapshot.heartbeatPushers): one walk of the index's group keys and service
   * keys, comparing the name bytes of each line and reading the job, instance and service label
   * bytes of the lines of `metric`, so its cost is linear in the body however the names are chosen.
   * It yields every PUSHER_STEP keys or lines; a newer read reusing the slot between two slices ends it
   * (SNAPSHOT_RELEASED), as any other late read of this snapshot.
   */
  *heartbeatPushers(metric: string, job: string): SlicedWork<readonly HeartbeatPusher[]> {
    this.assertLive();
    const pushers: HeartbeatPusher[] = [];
    const name = Buffer.from(metric, 'latin1');
    const rawJob = Buffer.from(escapeLabelValue(job), 'utf8');
    let steps = 0;
    const groups = this.slot.groups;
    for (const newest of groups.eachKey()) {
      if (++steps % PUSHER_STEP === 0) {
        yield;
        this.assertLive();
      }
      let probe = this.keysAt(groups.line.get(newest), GROUP_KEY);
      if (!this.rangeIs(probe.jobStart, probe.jobEnd, rawJob)) continue;
      const line = this.firstLineNamed(groups, newest, name);
      if (line === -1) continue;
      probe = this.keysAt(line, GROUP_KEY);
      const instance = this.labelText(probe.instanceStart, probe.instanceEnd);
      pushers.push({ name: instance, job, instance });
    }
    const services = this.services();
    for (const newest of services.eachKey()) {
      let service: string | undefined;
      let lastJob: string | undefined;
      let lastInstance: string | undefined;
      for (let entry = newest; entry !== -1; entry = services.olderOf(entry)) {
        if (++steps % PUSHER_STEP === 0) {
          yield;
          this.assertLive();
        }
        const line = services.line.get(entry);
        if (!this.startsWithName(line, name)) continue;
        const probe = this.keysAt(line, SERVICE_KEY | GROUP_KEY);
        service ??= this.labelText(probe.serviceStart, probe.serviceEnd);
        if (service === '') break; // names nothing to probe (and is no label to its series' later lines)
        const pushedJob = this.labelText(probe.jobStart, probe.jobEnd);
        const instance = this.labelText(probe.instanceStart, probe.instanceEnd);
        // Lines of one key come in body order, one group's together: repeats of a group are next to each other.
        if (pushedJob !== lastJob || instance !== lastInstance) pushers.push({ name: service, job: pushedJob, instance });
        lastJob = pushedJob;
        lastInstance = instance;
      }
    }
    return pushers;
  }

  /** The newest line of a key whose metric name is `name`, or -1. */
  private firstLineNamed(table: KeyedLines, newest: number, name: Buffer): number {
    for (let entry = newest; entry !== -1; entry = table.olderOf(entry)) {
      const line = table.line.get(entry);
      if (this.startsWithName(line, name)) return line;
    }
    return -1;
  }

  /** Whether the sample line at `start` is of the metric `name`. */
  private startsWithName(start: number, name: Buffer): boolean {
    const after = this.bytes[start + name.length];
    if (after !== OPEN_BRACE && after !== SPACE && after !== TAB) return false;
    for (let i = 0; i < name.length; i++) if (this.bytes[start + i] !== name[i]) return false;
    return true;
  }

  /** A label value at `[start, end)` (start -1: absent, read as empty), unescaped. */
  private labelText(start: number, end: number): string {
    return start < 0 ? '' : unescapeLabelValue(this.bytes, start, end);
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
    this.familyBuild.finish();
    const family = familyNamed(this.bytes, this.slot, this.base, name);
    this.cache.set(cacheKey, family ?? null, 1, 0);
    return family;
  }

  /** Every family with a `# HELP` or `# TYPE` line: for tests and tools. */
  allFamilies(): FamilyMetadata[] {
    this.assertLive();
    this.familyBuild.finish();
    return familyNames(this.bytes, this.slot).map((name) => this.family(name) as FamilyMetadata);
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
      return decodeSample(this.bytes, start, lineEndOf(this.bytes, start), context === -1 ? undefined : familyNameAt(this.bytes, context));
    });
  }
}

const OPEN_BRACE = 0x7b;
const SPACE = 0x20;
const TAB = 0x09;
