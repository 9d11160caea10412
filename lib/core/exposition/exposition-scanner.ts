import { ExpositionError } from '../errors.ts';
import { CR, HASH, isBlank, LF, viewOf } from './byte-scanning.ts';
import { newLineScan, type LineScan } from './line-scan.ts';
import { INVALID_LINE, METADATA_LINE, scanComment } from './metadata-lines.ts';
import { scanSampleLine } from './sample-line-scanner.ts';
import { newScannedMetadata, newScannedSample, type ScannedMetadata, type ScannedSample } from './scanned-line.ts';

/**
 * Lines longer than this are skipped, unread (and counted): one line is then at most this much
 * work, so no line can stall a read, and no probe ever decodes more than this from one line.
 * Pushgateway lines are well under a kilobyte; the limit only stops hostile pushes.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Bytes scanned between two chances for the caller to yield to the event loop. */
const QUANTUM_BYTES = 32 * 1024;

export interface ExpositionSink {
  sample(line: Readonly<ScannedSample>): void;
  metadata(line: Readonly<ScannedMetadata>): void;
  /** A line over MAX_LINE_BYTES, left unread. */
  skipped(start: number, end: number, lineNumber: number): void;
  /**
   * A line that is not valid exposition, with why (call it before the scan goes on: as an
   * ExpositionError would say it, without "line N: "); `end` is before its line feed. Without this handler the scan throws an
   * ExpositionError instead; with it, the line is left out and the scan goes on.
   */
  invalid?(why: () => string, lineNumber: number, start: number, end: number): void;
  /** The body's bytes from now on (scanStreamedExposition: a larger copy of the body as it grows); offsets stay the same. */
  rebind?(bytes: Buffer): void;
}

/**
 * Checks one line and hands it to the sink when valid; false (and `scan.problem` set) when not. A
 * function of the module, not a closure per scan: V8 throws away compiled code that embeds one
 * scan's closures at a full garbage collection (docs/performance.md).
 */
function scanLine(bytes: Buffer, lineStart: number, lineEnd: number, lineNumber: number, sample: ScannedSample, metadata: ScannedMetadata, scan: LineScan, sink: ExpositionSink): boolean {
  let i = lineStart;
  // bytes[lineEnd] is CR, LF or undefined, not a blank: the loop stops there.
  while (isBlank(bytes[i] as number)) i++;
  if (i >= lineEnd) return true;
  if (bytes[i] === HASH) {
    const kind = scanComment(bytes, i, lineEnd, lineNumber, metadata, scan);
    if (kind === INVALID_LINE) return false;
    if (kind === METADATA_LINE) {
      metadata.start = lineStart;
      metadata.end = lineEnd;
      sink.metadata(metadata);
    }
  } else {
    sample.lineNumber = lineNumber;
    if (!scanSampleLine(bytes, i, lineEnd, sample, scan)) return false;
    sink.sample(sample);
  }
  return true;
}

/** Invalid lines handled between two chances to yield: a body of tiny invalid lines is more work per byte than any valid one. */
const INVALID_LINES_PER_YIELD = 1024;

/**
 * Scans the Prometheus text exposition format (version 0.0.4), as Pushgateway writes it, over the
 * body's bytes, in one forward pass: no regex, no per-line copies, no string but in error messages.
 * Every line is validated (escapes in label values, duplicate labels, NaN/±Inf, exponents,
 * timestamps); anything malformed throws an ExpositionError with its line number, or, when the
 * sink handles `invalid`, goes to it and is left out.
 *
 * Work per byte is bounded whatever the shape of the body: each label value is one forward scan,
 * duplicate label names are found through a hash set, and a line is at most MAX_LINE_BYTES. The
 * generator yields every QUANTUM_BYTES or so (always between lines), so a caller can run it in
 * slices (lib/core/sliced-work.ts) or straight to the end. `hashBase` seeds the duplicate-label
 * check (lib/core/snapshot/byte-hash.ts): random on every production read.
 */
export function* scanExposition(bytes: Buffer, sink: ExpositionSink, hashBase: number): Generator<void, void, void> {
  const work = scanStreamedExposition({ body: bytes, length: bytes.length, complete: true }, sink, hashBase);
  while (work.next().done !== true) yield;
}

/**
 * A body that may still be arriving: its first `length` bytes of `body` are read; `body` may be
 * replaced by a larger copy as it grows (the bytes before `length` stay as they were), and
 * `complete` is set once the last byte is in. A SnapshotSlot is one.
 */
export interface ExpositionSource {
  readonly body: Buffer;
  readonly length: number;
  readonly complete: boolean;
}

/**
 * scanExposition over a body that streams in: it scans every whole line already there, then
 * yields `true` (waiting for more of the body) until `source` grows or is complete. Lines are
 * the same whichever way the body was cut into chunks: a line is scanned once its line feed is in
 * (or the body is complete), and the search for that line feed resumes where it stopped, so a
 * line split across many chunks is still read once. Yields `false` between quanta as
 * scanExposition does. `sink.rebind`, if given, hears of each newer `body`.
 */
export function* scanStreamedExposition(source: ExpositionSource, sink: ExpositionSink, hashBase: number): Generator<boolean, void, void> {
  let bytes = source.body.subarray(0, source.length);
  let length = bytes.length;
  sink.rebind?.(bytes);
  const scan = newLineScan(hashBase);
  scan.view = viewOf(bytes);
  const sample: ScannedSample = newScannedSample();
  const metadata: ScannedMetadata = newScannedMetadata();
  let lineNumber = 0;
  let start = 0;
  /** Where the search for the line feed ending the line at `start` goes on (it had reached here). */
  let searchFrom = 0;
  let yieldAt = QUANTUM_BYTES;
  let invalidSinceYield = 0;
  for (;;) {
    // From the end or past it indexOf finds nothing: -1, with no test first.
    let end = bytes.indexOf(LF, searchFrom);
    if (end === -1) {
      // No whole line left: take what arrived since, or wait for it (the last line of a complete body needs no line feed).
      if (source.length > length || source.body.buffer !== bytes.buffer) {
        searchFrom = length;
        bytes = source.body.subarray(0, source.length);
        length = bytes.length;
        scan.view = viewOf(bytes);
        sink.rebind?.(bytes);
        continue;
      }
      if (!source.complete) {
        searchFrom = length;
        yield true;
        continue;
      }
      if (start >= length) return;
      end = length;
    }
    searchFrom = end + 1;
    lineNumber += 1;
    if (end - start > MAX_LINE_BYTES) {
      sink.skipped(start, end, lineNumber);
    } else {
      const lineEnd = end > start && bytes[end - 1] === CR ? end - 1 : end;
      // The scanner hands a line to the sink only once the whole line is valid: an invalid one leaves no trace.
      if (!scanLine(bytes, start, lineEnd, lineNumber, sample, metadata, scan, sink)) {
        if (sink.invalid === undefined) throw new ExpositionError(scan.problem(), lineNumber);
        sink.invalid(scan.problem, lineNumber, start, lineEnd);
        invalidSinceYield += 1;
      }
    }
    start = end + 1;
    if (start >= yieldAt || invalidSinceYield >= INVALID_LINES_PER_YIELD) {
      yield false;
      yieldAt = start + QUANTUM_BYTES;
      invalidSinceYield = 0;
    }
  }
}
