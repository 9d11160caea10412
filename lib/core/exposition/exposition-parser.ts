import { hashBytes, randomHashBase } from '../snapshot/byte-hash.ts';
import { ExpositionError } from '../errors.ts';
import { isMetricType } from './exposition-renderer.ts';
import { runToEnd } from '../../edges/time-slicing.ts';

/** Label names to values, in the order the exposition listed them. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly value: number;
  readonly timestampMs: number | undefined;
  /** The metric family (from `# TYPE`/`# HELP`) the sample belongs to. */
  readonly family: string;
  /** The `job`, `instance` and `service` labels (also in `labels`). */
  readonly job: string | undefined;
  readonly instance: string | undefined;
  readonly service: string | undefined;
  /** Every label (a null-prototype object: any label name is a key like any other). */
  readonly labels: Labels;
}

export interface FamilyMetadata {
  readonly name: string;
  help: string | undefined;
  type: string | undefined;
}

export interface Exposition {
  readonly samples: Sample[];
  readonly families: Map<string, FamilyMetadata>;
}

/**
 * Lines longer than this are skipped, unread (and counted): one line is then at most this much
 * work, so no line can stall a read, and no probe ever decodes more than this from one line.
 * Pushgateway lines are well under a kilobyte; the limit only stops hostile pushes.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Bytes scanned between two chances for the caller to yield to the event loop. */
const QUANTUM_BYTES = 32 * 1024;

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const LETTER_N = 110;

/** Character classes of ASCII, for name checks in the hot loop without branches per range. */
const NAME_START = 1; // [a-zA-Z_:]
const NAME_REST = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_REST = 8; // [a-zA-Z0-9_]
const CHAR_CLASS = new Uint8Array(256);
for (let code = 0; code < 128; code++) {
  const letter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  const digit = code >= 48 && code <= 57;
  CHAR_CLASS[code] = (letter || code === 58 ? NAME_START : 0) | (letter || digit || code === 58 ? NAME_REST : 0) | (letter ? LABEL_START : 0) | (letter || digit ? LABEL_REST : 0);
}

/** The labels the snapshot index reads on every line. */
export const KEY_JOB = 1;
export const KEY_INSTANCE = 2;
export const KEY_SERVICE = 3;

/**
 * One sample line as the scanner found it: positions in the body plus the raw (still escaped)
 * value ranges of `job`, `instance` and `service` (start -1 when absent). The scanner reuses one
 * such object for every line: copy what you keep.
 */
export interface ScannedSample {
  lineNumber: number;
  start: number;
  /** End of the line, line feed and carriage return excluded. */
  end: number;
  jobStart: number;
  jobEnd: number;
  instanceStart: number;
  instanceEnd: number;
  serviceStart: number;
  serviceEnd: number;
}

/** A `# HELP` or `# TYPE` line. */
export interface ScannedMetadata {
  lineNumber: number;
  start: number;
  end: number;
  kind: 'HELP' | 'TYPE';
  nameStart: number;
  nameEnd: number;
}

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
}

/** Invalid lines handled between two chances to yield: a body of tiny invalid lines is more work per byte than any valid one. */
const INVALID_LINES_PER_YIELD = 1024;

/**
 * Why the line the scanner last refused is invalid, built only when asked: a tolerant scan merely
 * counts most invalid lines, and building (or throwing) an error per line would make a body of
 * tiny invalid lines tens of times slower than a valid body of the same size.
 */
let problem: () => string = () => '';

function refuse(why: () => string): false {
  problem = why;
  return false;
}

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
 * slices (see time-slicing.ts) or straight to the end.
 */
export function* scanExposition(bytes: Buffer, sink: ExpositionSink, hashBase: number = randomHashBase()): Generator<void, void, void> {
  const length = bytes.length;
  const sample: ScannedSample = { lineNumber: 0, start: 0, end: 0, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
  const metadata: ScannedMetadata = { lineNumber: 0, start: 0, end: 0, kind: 'HELP', nameStart: 0, nameEnd: 0 };
  let lineNumber = 0;
  let start = 0;
  let yieldAt = QUANTUM_BYTES;
  let invalidSinceYield = 0;
  /** Checks one line and hands it to the sink when valid; false (and `problem` set) when not. */
  const line = (lineStart: number, lineEnd: number): boolean => {
    let i = lineStart;
    while (i < lineEnd && isBlank(bytes[i] as number)) i++;
    if (i >= lineEnd) return true;
    if (bytes[i] === HASH) {
      const kind = scanComment(bytes, i, lineEnd, lineNumber, metadata);
      if (kind === INVALID_LINE) return false;
      if (kind === METADATA_LINE) {
        metadata.start = lineStart;
        metadata.end = lineEnd;
        sink.metadata(metadata);
      }
    } else {
      sample.lineNumber = lineNumber;
      if (!scanSampleLine(bytes, i, lineEnd, sample, hashBase)) return false;
      sink.sample(sample);
    }
    return true;
  };
  while (start < length) {
    let end = bytes.indexOf(LF, start);
    if (end === -1) end = length;
    lineNumber += 1;
    if (end - start > MAX_LINE_BYTES) {
      sink.skipped(start, end, lineNumber);
    } else {
      const lineEnd = end > start && bytes[end - 1] === CR ? end - 1 : end;
      // The scanner hands a line to the sink only once the whole line is valid: an invalid one leaves no trace.
      if (!line(start, lineEnd)) {
        if (sink.invalid === undefined) throw new ExpositionError(problem(), lineNumber);
        sink.invalid(problem, lineNumber, start, lineEnd);
        invalidSinceYield += 1;
      }
    }
    start = end + 1;
    if (start >= yieldAt || invalidSinceYield >= INVALID_LINES_PER_YIELD) {
      yield;
      yieldAt = start + QUANTUM_BYTES;
      invalidSinceYield = 0;
    }
  }
}

/** Parses a whole exposition into samples (the snapshot index scans without materializing them). */
export function parseExposition(text: string): Exposition {
  const bytes = Buffer.from(text, 'utf8');
  const samples: Sample[] = [];
  const families = new Map<string, FamilyMetadata>();
  let context: string | undefined;
  runToEnd(scanExposition(bytes, {
    sample: (line) => samples.push(decodeSample(bytes, line.start, line.end, context)),
    metadata: (line) => {
      const name = bytes.toString('latin1', line.nameStart, line.nameEnd);
      let family = families.get(name);
      if (family === undefined) families.set(name, (family = { name, help: undefined, type: undefined }));
      if (line.kind === 'HELP') family.help = helpText(bytes, line.nameEnd, line.end);
      else family.type = typeText(bytes, line.nameEnd, line.end);
      context = name;
    },
    skipped: () => undefined,
  }));
  return { samples, families };
}

const isBlank = (code: number): boolean => code === SPACE || code === TAB;
const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** End of the run of bytes of class `cls` starting at `from` (≤ end). */
function runEnd(bytes: Buffer, from: number, end: number, cls: number): number {
  let i = from;
  while (i < end && ((CHAR_CLASS[bytes[i] as number] as number) & cls) !== 0) i++;
  return i;
}

function skipBlanks(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && isBlank(bytes[i] as number)) i++;
  return i;
}

/** Message text for a name or value from the body: clipped, so an error stays one short line. */
function shown(bytes: Buffer, start: number, end: number): string {
  const limit = 120;
  return end - start > limit ? `${bytes.toString('utf8', start, start + limit)}…` : bytes.toString('utf8', start, end);
}

/** Whether `word` (ASCII) stands in `bytes` at `at`, within `end`. */
function matchesAt(bytes: Buffer, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

const COMMENT_LINE = 0;
const METADATA_LINE = 1;
const INVALID_LINE = 2;

function refuseComment(why: () => string): typeof INVALID_LINE {
  problem = why;
  return INVALID_LINE;
}

/**
 * Validates a comment line: METADATA_LINE (with `out` filled) for `# HELP` and `# TYPE`,
 * COMMENT_LINE for an ordinary comment, INVALID_LINE (and `problem` set) for a malformed one.
 */
function scanComment(bytes: Buffer, hashAt: number, lineEnd: number, lineNumber: number, out: ScannedMetadata): number {
  let i = skipBlanks(bytes, hashAt + 1, lineEnd);
  const keywordStart = i;
  while (i < lineEnd && !isBlank(bytes[i] as number)) i++;
  const size = i - keywordStart;
  const kind = size === 4 && matchesAt(bytes, keywordStart, i, 'HELP') ? 'HELP' : size === 4 && matchesAt(bytes, keywordStart, i, 'TYPE') ? 'TYPE' : undefined;
  if (kind === undefined) return COMMENT_LINE;
  i = skipBlanks(bytes, i, lineEnd);
  const nameStart = i;
  if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & NAME_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, NAME_REST);
  if (i === nameStart) return refuseComment(() => `# ${kind} without a metric name`);
  if (i < lineEnd && !isBlank(bytes[i] as number)) return refuseComment(() => `invalid metric name in # ${kind}`);
  if (kind === 'TYPE') {
    const type = typeText(bytes, i, lineEnd);
    if (!isMetricType(type)) return refuseComment(() => `unknown metric type ${JSON.stringify(type)}`);
  }
  out.lineNumber = lineNumber;
  out.kind = kind;
  out.nameStart = nameStart;
  out.nameEnd = i;
  return METADATA_LINE;
}

/** The type word of a `# TYPE` line, from just after its name. */
function typeText(bytes: Buffer, nameEnd: number, lineEnd: number): string {
  const from = skipBlanks(bytes, nameEnd, lineEnd);
  let to = lineEnd;
  while (to > from && isBlank(bytes[to - 1] as number)) to--;
  return shown(bytes, from, to);
}

/** The text of a `# HELP` line, from just after its name, unescaped (`\\` and `\n`). */
function helpText(bytes: Buffer, nameEnd: number, lineEnd: number): string {
  // One separator after the name; the rest is the text, as written.
  const text = bytes.toString('utf8', nameEnd < lineEnd ? nameEnd + 1 : lineEnd, lineEnd);
  if (!text.includes('\\')) return text;
  return text.replace(/\\([\\n])/g, (_match, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Which indexed label a label name is, by length and bytes: no string made. */
function keyLabel(bytes: Buffer, start: number, end: number): number {
  const size = end - start;
  if (size === 3 && matchesAt(bytes, start, end, 'job')) return KEY_JOB;
  if (size === 8 && matchesAt(bytes, start, end, 'instance')) return KEY_INSTANCE;
  if (size === 7 && matchesAt(bytes, start, end, 'service')) return KEY_SERVICE;
  return 0;
}

const UNTERMINATED = -1;
const BAD_ESCAPE = -2;

/**
 * Index of the quote closing a label value that starts at `from`, in one forward scan (each byte
 * read once, escapes included): UNTERMINATED when the line ends first, BAD_ESCAPE for an escape the
 * format does not define.
 */
function endOfQuoted(bytes: Buffer, from: number, lineEnd: number): number {
  let i = from;
  while (i < lineEnd) {
    const code = bytes[i] as number;
    if (code === QUOTE) return i;
    if (code === BACKSLASH) {
      if (i + 1 >= lineEnd) return UNTERMINATED;
      const escaped = bytes[i + 1] as number;
      if (escaped !== BACKSLASH && escaped !== QUOTE && escaped !== LETTER_N) return BAD_ESCAPE;
      i += 2;
    } else {
      i++;
    }
  }
  return UNTERMINATED;
}

/** Validates a sample line, filling `out`; false (and `problem` set) when it is invalid. */
function scanSampleLine(bytes: Buffer, start: number, lineEnd: number, out: ScannedSample, hashBase: number): boolean {
  let i = start;
  if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & NAME_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, NAME_REST);
  if (i === start) return refuse(() => 'expected a metric name');
  const nameEnd = i;

  out.jobStart = out.jobEnd = out.instanceStart = out.instanceEnd = out.serviceStart = out.serviceEnd = -1;
  let afterLabels = false;
  if (i < lineEnd && bytes[i] === OPEN_BRACE) {
    i++;
    labelNames.reset(lineEnd - i, hashBase);
    for (;;) {
      i = skipBlanks(bytes, i, lineEnd);
      if (i < lineEnd && bytes[i] === CLOSE_BRACE) break;
      const labelStart = i;
      if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & LABEL_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, LABEL_REST);
      if (i === labelStart) return refuse(() => `invalid label name in ${shown(bytes, start, nameEnd)}`);
      const labelEnd = i;
      if (labelNames.add(bytes, labelStart, labelEnd)) return refuse(() => `duplicate label ${shown(bytes, labelStart, labelEnd)} in ${shown(bytes, start, nameEnd)}`);
      i = skipBlanks(bytes, i, lineEnd);
      if (i >= lineEnd || bytes[i] !== EQUALS) return refuse(() => `expected "=" after label ${shown(bytes, labelStart, labelEnd)}`);
      i = skipBlanks(bytes, i + 1, lineEnd);
      if (i >= lineEnd || bytes[i] !== QUOTE) return refuse(() => `expected a quoted value for label ${shown(bytes, labelStart, labelEnd)}`);
      const valueStart = i + 1;
      const valueEnd = endOfQuoted(bytes, valueStart, lineEnd);
      if (valueEnd < 0) {
        const label = shown(bytes, labelStart, labelEnd);
        return refuse(() => valueEnd === UNTERMINATED ? `unterminated value for label ${label}` : `invalid escape in value of label ${label}`);
      }
      const key = keyLabel(bytes, labelStart, labelEnd);
      if (key === KEY_JOB) {
        out.jobStart = valueStart;
        out.jobEnd = valueEnd;
      } else if (key === KEY_INSTANCE) {
        out.instanceStart = valueStart;
        out.instanceEnd = valueEnd;
      } else if (key === KEY_SERVICE) {
        out.serviceStart = valueStart;
        out.serviceEnd = valueEnd;
      }
      i = skipBlanks(bytes, valueEnd + 1, lineEnd);
      if (i < lineEnd && bytes[i] === COMMA) { i++; continue; }
      if (i < lineEnd && bytes[i] === CLOSE_BRACE) break;
      return refuse(() => `expected "," or "}" in labels of ${shown(bytes, start, nameEnd)}`);
    }
    i++;
    afterLabels = true;
  }

  // After a label set the separating space is optional, as in Prometheus' own parser.
  if (!(i < lineEnd && isBlank(bytes[i] as number)) && !afterLabels) return refuse(() => `expected a value after ${shown(bytes, start, nameEnd)}`);
  i = skipBlanks(bytes, i, lineEnd);
  const valueStart = i;
  while (i < lineEnd && !isBlank(bytes[i] as number)) i++;
  if (!isValidValue(bytes, valueStart, i)) return refuse(() => `invalid value ${JSON.stringify(shown(bytes, valueStart, i))} for ${shown(bytes, start, nameEnd)}`);
  i = skipBlanks(bytes, i, lineEnd);
  if (i < lineEnd && !isValidTimestamp(bytes, i, lineEnd)) {
    let to = lineEnd;
    while (to > i && isBlank(bytes[to - 1] as number)) to--;
    return refuse(() => `invalid timestamp ${JSON.stringify(shown(bytes, i, to))} for ${shown(bytes, start, nameEnd)}`);
  }
  out.start = start;
  out.end = lineEnd;
  return true;
}

/**
 * The label names of one line, to find a duplicate in time linear in the line: a few are compared
 * directly; beyond that they go into an open-addressing hash set sized for the whole line at once
 * (so it never grows), seeded like the index, so no chosen set of names can make it degrade.
 * One set serves every scan: a line is scanned in one go, and scans only yield between lines.
 */
class LabelNameSet {
  private static readonly DIRECT = 8;
  private readonly starts = new Int32Array(LabelNameSet.DIRECT);
  private readonly ends = new Int32Array(LabelNameSet.DIRECT);
  private count = 0;
  /** Name start + 1 per slot (0: empty), and the name's hash; `mask` + 1 slots in use, -1 before the set is needed. */
  private table = new Int32Array(0);
  private hashes = new Int32Array(0);
  private mask = -1;
  private base = 1;
  private labelBytes = 0;

  /** Starts a line whose labels take at most `labelBytes` bytes. */
  reset(labelBytes: number, base: number): void {
    this.count = 0;
    this.mask = -1;
    this.base = base;
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
    this.count++;
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

const labelNames = new LabelNameSet();

function sameRange(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aEnd - aStart;
  if (bEnd - bStart !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}

/** Whether the label name stored at `stored` is `bytes[start, end)`: names end where their characters do. */
function sameName(bytes: Buffer, stored: number, start: number, end: number): boolean {
  const size = end - start;
  for (let k = 0; k < size; k++) if (bytes[stored + k] !== bytes[start + k]) return false;
  return ((CHAR_CLASS[bytes[stored + size] as number] as number) & LABEL_REST) === 0 || stored + size >= bytes.length;
}

/** The float syntax of the format (Go's ParseFloat, decimal only), checked without copying. */
function isValidValue(bytes: Buffer, start: number, end: number): boolean {
  if (start >= end) return false;
  const first = bytes[start] as number;
  if (first === 78 /* N */ || first === 73 /* I */ || ((first === 43 || first === 45) && bytes[start + 1] === 73)) {
    return matchesWord(bytes, start, end, 'NaN') || matchesWord(bytes, start, end, 'Inf') || matchesWord(bytes, start, end, '+Inf') || matchesWord(bytes, start, end, '-Inf');
  }
  let i = start;
  if (first === 43 || first === 45) i++;
  let digits = 0;
  while (i < end && isDigit(bytes[i] as number)) { i++; digits++; }
  if (i < end && bytes[i] === 46 /* . */) {
    i++;
    while (i < end && isDigit(bytes[i] as number)) { i++; digits++; }
  }
  if (digits === 0) return false;
  if (i < end && ((bytes[i] as number) | 0x20) === 101 /* e */) {
    i++;
    if (i < end && (bytes[i] === 43 || bytes[i] === 45)) i++;
    const expStart = i;
    while (i < end && isDigit(bytes[i] as number)) i++;
    if (i === expStart) return false;
  }
  return i === end;
}

const matchesWord = (bytes: Buffer, start: number, end: number, word: string): boolean => end - start === word.length && matchesAt(bytes, start, end, word);

function isValidTimestamp(bytes: Buffer, start: number, end: number): boolean {
  let stop = end;
  while (stop > start && isBlank(bytes[stop - 1] as number)) stop--;
  let i = start;
  if (bytes[i] === 45 /* - */) i++;
  if (i === stop) return false;
  for (; i < stop; i++) if (!isDigit(bytes[i] as number)) return false;
  return true;
}

/** The number of a value `isValidValue` accepted. */
function parseValue(text: string): number {
  switch (text) {
    case 'NaN': return Number.NaN;
    case '+Inf': case 'Inf': return Number.POSITIVE_INFINITY;
    case '-Inf': return Number.NEGATIVE_INFINITY;
    default: return Number(text);
  }
}

function unescapeLabelValue(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString('utf8', start, end);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\([\\"n])/g, (_match, c: string) => (c === 'n' ? '\n' : c));
}

/** The decoded value of a label whose raw (escaped) value is `bytes[start, end)`; undefined when absent (start < 0). */
export function labelValueAt(bytes: Buffer, start: number, end: number): string | undefined {
  return start < 0 ? undefined : unescapeLabelValue(bytes, start, end);
}

/**
 * The sample of a line the scanner validated (`start` at its metric name, `end` before its line
 * feed), its family resolved against the `# TYPE`/`# HELP` name in force there.
 */
export function decodeSample(bytes: Buffer, start: number, end: number, familyContext: string | undefined): Sample {
  let i = runEnd(bytes, start, end, NAME_REST);
  const name = bytes.toString('latin1', start, i);
  // No prototype: a label named `__proto__` or `constructor` is a label like any other.
  const labels = Object.create(null) as Record<string, string>;
  if (i < end && bytes[i] === OPEN_BRACE) {
    i++;
    for (;;) {
      while (i < end && (isBlank(bytes[i] as number) || bytes[i] === COMMA)) i++;
      if (i >= end || bytes[i] === CLOSE_BRACE) break;
      const labelStart = i;
      i = runEnd(bytes, i, end, LABEL_REST);
      const label = bytes.toString('latin1', labelStart, i);
      i = bytes.indexOf(QUOTE, i) + 1;
      const valueEnd = endOfQuoted(bytes, i, end);
      labels[label] = unescapeLabelValue(bytes, i, valueEnd);
      i = valueEnd + 1;
    }
    i++;
  }
  i = skipBlanks(bytes, i, end);
  const valueStart = i;
  while (i < end && !isBlank(bytes[i] as number)) i++;
  const value = parseValue(bytes.toString('latin1', valueStart, i));
  i = skipBlanks(bytes, i, end);
  let stop = end;
  while (stop > i && isBlank(bytes[stop - 1] as number)) stop--;
  return {
    name,
    value,
    timestampMs: i < stop ? Number(bytes.toString('latin1', i, stop)) : undefined,
    family: familyOf(name, familyContext),
    job: labels.job,
    instance: labels.instance,
    service: labels.service,
    labels,
  };
}

/** The family a sample belongs to: the current `# TYPE`/`# HELP` name, when the sample's name is it or it plus a suffix. */
function familyOf(name: string, context: string | undefined): string {
  if (context === undefined || !name.startsWith(context)) return name;
  const rest = name.length - context.length;
  if (rest === 0) return context;
  for (const suffix of FAMILY_SUFFIXES) if (suffix.length === rest && name.endsWith(suffix)) return context;
  return name;
}

/**
 * Where the family name of a `# HELP`/`# TYPE` line starting at `lineStart` begins (the line
 * validated by the scanner), or -1 when the line is not one.
 */
export function metadataNameStart(bytes: Buffer, lineStart: number): number {
  const length = bytes.length;
  let i = skipBlanks(bytes, lineStart, length);
  if (bytes[i] !== HASH) return -1;
  i = skipBlanks(bytes, i + 1, length);
  if (!(matchesAt(bytes, i, length, 'HELP') || matchesAt(bytes, i, length, 'TYPE')) || !(i + 4 < length && isBlank(bytes[i + 4] as number))) return -1;
  return skipBlanks(bytes, i + 4, length);
}

export function metadataNameEnd(bytes: Buffer, nameStart: number): number {
  return nameStart < 0 ? nameStart : runEnd(bytes, nameStart, bytes.length, NAME_REST);
}

/** A `# HELP`/`# TYPE` line's family name, kind and text (help unescaped, type trimmed). */
export function metadataAt(bytes: Buffer, start: number, end: number): { name: string; kind: 'HELP' | 'TYPE'; text: string } {
  const nameStart = metadataNameStart(bytes, start);
  const nameEnd = metadataNameEnd(bytes, nameStart);
  const keyword = skipBlanks(bytes, skipBlanks(bytes, start, end) + 1, end);
  const kind = matchesAt(bytes, keyword, end, 'HELP') ? 'HELP' : 'TYPE';
  const name = bytes.toString('latin1', nameStart, nameEnd);
  return { name, kind, text: kind === 'HELP' ? helpText(bytes, nameEnd, end) : typeText(bytes, nameEnd, end) };
}

/** End of the line starting at `start` (before its line feed, and its carriage return if any). */
export function lineEndOf(bytes: Buffer, start: number): number {
  let end = bytes.indexOf(LF, start);
  if (end === -1) end = bytes.length;
  return end > start && bytes[end - 1] === CR ? end - 1 : end;
}

/**
 * Positions of the `job`, `instance` and `service` values in a line the scanner validated, `out`
 * filled as the scanner fills it; stops as soon as the labels in `wanted` (a KEY_* bit set) are
 * found. The line needs no end: a valid line ends its label set before its line feed.
 */
export function keyLabelsAt(bytes: Buffer, start: number, out: ScannedSample, wanted: number): void {
  out.jobStart = out.jobEnd = out.instanceStart = out.instanceEnd = out.serviceStart = out.serviceEnd = -1;
  const end = bytes.length;
  let missing = wanted;
  let i = runEnd(bytes, start, end, NAME_REST);
  if (i >= end || bytes[i] !== OPEN_BRACE) return;
  i++;
  while (missing !== 0) {
    while (i < end && (isBlank(bytes[i] as number) || bytes[i] === COMMA)) i++;
    if (i >= end || bytes[i] === CLOSE_BRACE) return;
    const labelStart = i;
    i = runEnd(bytes, i, end, LABEL_REST);
    const key = keyLabel(bytes, labelStart, i);
    i = bytes.indexOf(QUOTE, i) + 1;
    const valueEnd = endOfQuoted(bytes, i, end);
    if (key === KEY_JOB) { out.jobStart = i; out.jobEnd = valueEnd; }
    else if (key === KEY_INSTANCE) { out.instanceStart = i; out.instanceEnd = valueEnd; }
    else if (key === KEY_SERVICE) { out.serviceStart = i; out.serviceEnd = valueEnd; }
    missing &= ~keyBit(key);
    i = valueEnd + 1;
  }
}

/** KEY_* as a bit, for `keyLabelsAt`'s `wanted`. */
export const keyBit = (key: number): number => (key === 0 ? 0 : 1 << key);
