import { ExporterError, ExpositionError } from '../errors.ts';
import { scanStreamedExposition, type ExpositionSink } from '../exposition/exposition-scanner.ts';
import { KEY_INSTANCE, KEY_JOB, KEY_SERVICE, keyBit, keyLabelsAt } from '../exposition/key-labels.ts';
import { metadataNameEnd, metadataNameStart } from '../exposition/metadata-lines.ts';
import type { ScannedSample } from '../exposition/scanned-line.ts';
import { runToEnd, type SlicedWork } from '../sliced-work.ts';
import { combineHashes, hashBytes, type HashSeed } from './byte-hash.ts';
import { IndexedSnapshot } from './indexed-snapshot.ts';
import { bucketsFor, type KeyedLines } from './keyed-lines.ts';
import { SnapshotSlot } from './snapshot-slot.ts';

const GROUP_KEY = keyBit(KEY_JOB) | keyBit(KEY_INSTANCE);
const SERVICE_KEY = keyBit(KEY_SERVICE);

/** Work on a body that may still be arriving: it yields `true` while it waits for more of it. */
export type StreamedWork<T> = Generator<boolean, T, void>;

/**
 * Scans the body in `slot` (validating every line) and indexes it by group, service and family,
 * yielding between steps. The body may still be streaming in (`slot.complete` false): then it
 * indexes every whole line there is and yields `true` until more comes (a read runs it after
 * each chunk, so the index is nearly done when the last byte arrives); see `afterBody`. Time and memory are linear in the body: the scan reads each byte a
 * bounded number of times, and each indexed line costs 16 bytes per table it is in.
 *
 * Strict, any invalid line throws. Otherwise an invalid line is left out and counted, as long as
 * the body as a whole is Pushgateway's exposition (see `notAnExposition`). `seed` seeds every hash
 * of the index: a read draws a random one (lib/edges/random-hash-seed.ts, docs/security-model.md).
 */
export function* indexSlot(slot: SnapshotSlot, strict: boolean, seed: HashSeed): StreamedWork<IndexedSnapshot> {
  let bytes = slot.body.subarray(0, slot.length);
  const length = bytes.length;
  const { base, pairBase } = seed;
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
  let lastJobStart = 0;
  let lastJobEnd = 0;
  let lastJobHash = emptyHash;
  let nameEnd = 0;
  const current = { labelsAt: -1, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
  const other: ScannedSample = { lineNumber: 0, start: 0, end: 0, labelsAt: -1, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
  const keysOf = (lineStart: number, wanted: number): ScannedSample => {
    keyLabelsAt(bytes, lineStart, other, wanted);
    return other;
  };
  const sameGroup = (entry: number): boolean => {
    const lineStart = groups.line.get(entry);
    // Most lines of a group repeat its label text up to the later of job and instance (Pushgateway
    // writes every line of a group with the same labels, sorted): then they have the same key.
    if (current.instanceStart >= 0 && sameLabelText(bytes, lineStart, current.labelsAt, Math.max(current.jobEnd, current.instanceEnd) + 1)) return true;
    const them = keysOf(lineStart, GROUP_KEY);
    return sameValue(bytes, them.jobStart, them.jobEnd, current.jobStart, current.jobEnd)
      && sameValue(bytes, them.instanceStart, them.instanceEnd, current.instanceStart, current.instanceEnd);
  };
  const sameService = (entry: number): boolean => {
    const lineStart = services.line.get(entry);
    if (sameLabelText(bytes, lineStart, current.labelsAt, current.serviceEnd + 1)) return true;
    const them = keysOf(lineStart, SERVICE_KEY);
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
      current.labelsAt = line.labelsAt;
      current.jobStart = line.jobStart;
      current.jobEnd = line.jobEnd;
      current.instanceStart = line.instanceStart;
      current.instanceEnd = line.instanceEnd;
      current.serviceStart = line.serviceStart;
      current.serviceEnd = line.serviceEnd;
      const instanceHash = line.instanceStart < 0 ? emptyHash : hashBytes(bytes, line.instanceStart, line.instanceEnd, base);
      // Most lines name the job the line before named: its hash is kept, and reused when the bytes are the same.
      if (!sameValue(bytes, line.jobStart, line.jobEnd, lastJobStart, lastJobEnd)) {
        lastJobStart = line.jobStart;
        lastJobEnd = line.jobEnd;
        lastJobHash = hashBytes(bytes, lastJobStart, lastJobEnd, base);
      }
      groups.add(combineHashes(lastJobHash, instanceHash, pairBase), line.start, sameGroup);
      if (line.serviceStart >= 0) services.add(hashBytes(bytes, line.serviceStart, line.serviceEnd, base), line.start, sameService);
    },
    metadata(line) {
      nameStart = line.nameStart;
      nameEnd = line.nameEnd;
      const hash = hashBytes(bytes, nameStart, nameEnd, base);
      if (line.kind === 'HELP') helps.add(hash, line.start, sameHelp);
      else types.add(hash, line.start, sameType);
    },
    rebind(body) {
      bytes = body;
      // The tables grow with the body, to the buckets they would have had for the whole of it.
      groups.grow(bucketsFor(body.length, 64));
      services.grow(bucketsFor(body.length, 128));
      helps.grow(bucketsFor(body.length, 256));
      types.grow(bucketsFor(body.length, 256));
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
  yield* scanStreamedExposition(slot, sink, base);
  if (!strict) notAnExposition(bytes, sampleCount, firstInvalid, ownMetrics);
  return new IndexedSnapshot(slot, bytes, seed, sampleCount, skippedLines, invalidLines, firstInvalid?.message);
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

/**
 * Whether the label set of the valid line at `lineStart` begins with the bytes `[labelsAt, until)`
 * of the line being indexed (`labelsAt` its `{`). The labels are read from the `{` on, the same way
 * whatever comes before it, so two label sets with the same first bytes hold the same labels and
 * values in those bytes; a valid line names each label once. False says nothing: compare the keys.
 */
function sameLabelText(bytes: Buffer, lineStart: number, labelsAt: number, until: number): boolean {
  // A line indexed with a key label has a label set: its first `{` ends its metric name. Bounded
  // by the line's end all the same, so the invariant can never cost a scan past it.
  let at = lineStart;
  while (at < bytes.length && bytes[at] !== 0x7b /* { */) {
    if (bytes[at] === 0x0a /* \n */) return false;
    at++;
  }
  const size = until - labelsAt;
  if (at + size > bytes.length) return false;
  for (let k = 0; k < size; k++) if (bytes[at + k] !== bytes[labelsAt + k]) return false;
  return true;
}

/** Whether two raw label values in the body are the same (start -1: absent, which equals empty). */
function sameValue(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aStart < 0 ? 0 : aEnd - aStart;
  if ((bStart < 0 ? 0 : bEnd - bStart) !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}

/**
 * Scans Pushgateway's `/metrics` text (validating every line) and indexes it, in one go: tests and
 * tools. Strict by default (any invalid line throws); `{ strict: false }` indexes as a read does.
 * No production read comes this way (lib/edges/cache/snapshot-source.ts indexes as the body
 * streams in, on a random seed); callers pass a seed of their own (a test's fixed one).
 */
export function indexSnapshot(text: string | Buffer, hashSeed: HashSeed, options: { readonly strict?: boolean } = {}): IndexedSnapshot {
  const slot = new SnapshotSlot();
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

