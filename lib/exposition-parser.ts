import { ExpositionError } from './errors.ts';
import { isMetricType } from './exposition-renderer.ts';

/** Label names to values, in the order the exposition listed them. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly value: number;
  readonly timestampMs: number | undefined;
  /** The metric family (from `# TYPE`/`# HELP`) the sample belongs to. */
  readonly family: string;
  /** The `job`, `instance` and `service` labels, read during the scan because the snapshot index needs them. */
  readonly job: string | undefined;
  readonly instance: string | undefined;
  readonly service: string | undefined;
  /** Every label; decoded on first use, since a probe looks at the labels of only a few samples. */
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

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const CR = 13;

class ParsedSample implements Sample {
  private decoded: Labels | undefined;

  constructor(
    readonly name: string,
    readonly value: number,
    readonly timestampMs: number | undefined,
    readonly family: string,
    readonly job: string | undefined,
    readonly instance: string | undefined,
    readonly service: string | undefined,
    private readonly source: string,
    /** Index just after `{`, and of the closing `}`; equal when there are no labels. */
    private readonly labelsStart: number,
    private readonly labelsEnd: number,
  ) {}

  get labels(): Labels {
    this.decoded ??= decodeLabels(this.source, this.labelsStart, this.labelsEnd);
    return this.decoded;
  }
}

/**
 * One sample line as the scanner found it: positions in the text plus the labels the snapshot
 * index needs. The scanner reuses one such object for every line (no allocation per line); copy
 * what you keep.
 */
export interface ScannedLine {
  lineNumber: number;
  start: number;
  nameEnd: number;
  /** Index just after `{`, and of the closing `}`; both `nameEnd` when there are no labels. */
  labelsStart: number;
  labelsEnd: number;
  valueStart: number;
  valueEnd: number;
  lineEnd: number;
  /** The `# TYPE`/`# HELP` in force; the sample's family is resolved from it only when materialized. */
  familyContext: FamilyMetadata | undefined;
  job: string | undefined;
  instance: string | undefined;
  service: string | undefined;
}

/**
 * Scans the Prometheus text exposition format (version 0.0.4), as Pushgateway writes it, in one
 * pass over the text by index — no regex over the body, no per-line copies. Every line is
 * validated (escapes in label values, label order, extra labels, NaN/±Inf, exponents,
 * timestamps); anything malformed throws with its line number. Calls `onSample` per sample line.
 */
export function scanExposition(text: string, onSample: (line: Readonly<ScannedLine>) => void): Map<string, FamilyMetadata> {
  const families = new Map<string, FamilyMetadata>();
  const line: ScannedLine = {
    lineNumber: 0, start: 0, nameEnd: 0, labelsStart: 0, labelsEnd: 0, valueStart: 0, valueEnd: 0, lineEnd: 0,
    familyContext: undefined, job: undefined, instance: undefined, service: undefined,
  };
  let current: FamilyMetadata | undefined;
  let start = 0;
  const length = text.length;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    line.lineNumber += 1;
    const lineEnd = end > start && text.charCodeAt(end - 1) === CR ? end - 1 : end;
    let i = start;
    while (i < lineEnd && isBlank(text.charCodeAt(i))) i++;
    if (i < lineEnd) {
      if (text.charCodeAt(i) === HASH) {
        const meta = parseComment(text.slice(i, lineEnd), line.lineNumber);
        if (meta !== undefined) {
          let family = families.get(meta.name);
          if (family === undefined) {
            family = { name: meta.name, help: undefined, type: undefined };
            families.set(meta.name, family);
          }
          if (meta.kind === 'HELP') family.help = meta.text;
          else family.type = meta.text;
          current = family;
        }
      } else {
        scanSample(text, i, lineEnd, line, current);
        onSample(line);
      }
    }
    start = end + 1;
  }
  return families;
}

/** Parses a whole exposition into samples (the snapshot index scans without materializing them). */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const families = scanExposition(text, (line) => samples.push(sampleAt(text, line)));
  return { samples, families };
}

/** The sample of a line the scanner validated. */
export function sampleAt(text: string, line: Readonly<ScannedLine>): Sample {
  const timestamp = line.valueEnd < line.lineEnd ? text.slice(line.valueEnd, line.lineEnd).trim() : '';
  return new ParsedSample(
    text.slice(line.start, line.nameEnd),
    parseValue(text.slice(line.valueStart, line.valueEnd)),
    timestamp === '' ? undefined : Number(timestamp),
    familyOf(text, line.start, line.nameEnd, line.familyContext), line.job, line.instance, line.service, text, line.labelsStart, line.labelsEnd,
  );
}

/** Re-scans one line known to be valid (its start, end and family context from an earlier scan) into a sample. */
export function sampleOfLine(text: string, start: number, lineEnd: number, familyContext: FamilyMetadata | undefined): Sample {
  const line: ScannedLine = {
    lineNumber: 0, start, nameEnd: 0, labelsStart: 0, labelsEnd: 0, valueStart: 0, valueEnd: 0, lineEnd,
    familyContext, job: undefined, instance: undefined, service: undefined,
  };
  scanSample(text, start, lineEnd, line, familyContext);
  return sampleAt(text, line);
}

const isBlank = (code: number): boolean => code === SPACE || code === TAB;

/** Character classes of ASCII, for name checks in the hot loop without branches per range. */
const NAME_START = 1; // [a-zA-Z_:]
const NAME_REST = 2; // [a-zA-Z0-9_:]
const LABEL_START = 4; // [a-zA-Z_]
const LABEL_REST = 8; // [a-zA-Z0-9_]
const CHAR_CLASS = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const letter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  const digit = code >= 48 && code <= 57;
  CHAR_CLASS[code] = (letter || code === 58 ? NAME_START : 0) | (letter || digit || code === 58 ? NAME_REST : 0) | (letter ? LABEL_START : 0) | (letter || digit ? LABEL_REST : 0);
}

/** Where a name of class `start`/`rest` beginning at `from` ends (`from` when there is none). */
function endOfName(text: string, from: number, end: number, start: number, rest: number): number {
  let i = from;
  if (i < end && ((CHAR_CLASS[text.charCodeAt(i)] ?? 0) & start) !== 0) {
    i++;
    while (i < end && ((CHAR_CLASS[text.charCodeAt(i)] ?? 0) & rest) !== 0) i++;
  }
  return i;
}

function parseComment(line: string, lineNumber: number): { kind: 'HELP' | 'TYPE'; name: string; text: string } | undefined {
  let i = 1;
  while (isBlank(line.charCodeAt(i))) i++;
  const keywordStart = i;
  while (i < line.length && !isBlank(line.charCodeAt(i))) i++;
  const keyword = line.slice(keywordStart, i);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return undefined; // an ordinary comment
  while (isBlank(line.charCodeAt(i))) i++;
  const nameStart = i;
  i = endOfName(line, i, line.length, NAME_START, NAME_REST);
  const name = line.slice(nameStart, i);
  if (name.length === 0) throw new ExpositionError(`# ${keyword} without a metric name`, lineNumber);
  if (i < line.length && !isBlank(line.charCodeAt(i))) throw new ExpositionError(`invalid metric name in # ${keyword}`, lineNumber);
  if (i < line.length) i++;
  const rest = line.slice(i);
  if (keyword === 'HELP') return { kind: 'HELP', name, text: unescapeHelp(rest) };
  const type = rest.trim();
  if (!isMetricType(type)) throw new ExpositionError(`unknown metric type ${JSON.stringify(type)}`, lineNumber);
  return { kind: 'TYPE', name, text: type };
}

function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\([\\n])/g, (_match, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** Whether `word` stands in `text` at `at` (a char loop: String#startsWith with a position is slow in V8). */
function matchesAt(text: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (text.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** Which of the indexed labels a label name is, by length and characters: no substring made. */
function indexedLabel(text: string, start: number, end: number): 'job' | 'instance' | 'service' | undefined {
  const size = end - start;
  if (size === 3 && matchesAt(text, start, 'job')) return 'job';
  if (size === 8 && matchesAt(text, start, 'instance')) return 'instance';
  if (size === 7 && matchesAt(text, start, 'service')) return 'service';
  return undefined;
}

function scanSample(text: string, start: number, lineEnd: number, line: ScannedLine, current: FamilyMetadata | undefined): void {
  const lineNumber = line.lineNumber;
  let i = endOfName(text, start, lineEnd, NAME_START, NAME_REST);
  if (i === start) throw new ExpositionError('expected a metric name', lineNumber);
  const nameEnd = i;

  const previousJob = line.job;
  line.job = undefined;
  line.instance = undefined;
  line.service = undefined;
  line.labelsStart = i;
  line.labelsEnd = i;
  if (text.charCodeAt(i) === OPEN_BRACE) {
    i++;
    line.labelsStart = i;
    seenCount = 0;
    for (;;) {
      while (isBlank(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) === CLOSE_BRACE) break;
      const labelStart = i;
      i = endOfName(text, i, lineEnd, LABEL_START, LABEL_REST);
      if (i === labelStart) throw new ExpositionError(`invalid label name in ${text.slice(start, nameEnd)}`, lineNumber);
      const labelEnd = i;
      if (isSeen(text, labelStart, labelEnd)) throw new ExpositionError(`duplicate label ${text.slice(labelStart, labelEnd)} in ${text.slice(start, nameEnd)}`, lineNumber);
      seenLabels[2 * seenCount] = labelStart;
      seenLabels[2 * seenCount + 1] = labelEnd;
      seenCount++;
      while (isBlank(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== EQUALS) throw new ExpositionError(`expected "=" after label ${text.slice(labelStart, labelEnd)}`, lineNumber);
      i++;
      while (isBlank(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== QUOTE) throw new ExpositionError(`expected a quoted value for label ${text.slice(labelStart, labelEnd)}`, lineNumber);
      const valueStart = i + 1;
      const valueEnd = endOfQuoted(text, valueStart, lineEnd);
      if (valueEnd < 0) {
        const label = text.slice(labelStart, labelEnd);
        throw new ExpositionError(valueEnd === -1 ? `unterminated value for label ${label}` : `invalid escape in value of label ${label}`, lineNumber);
      }
      const indexed = indexedLabel(text, labelStart, labelEnd);
      if (indexed === 'job') {
        // Most lines share the previous line's job: reuse that string instead of copying (only
        // when the raw value has no escapes, so raw and decoded text are the same).
        const reusable = previousJob !== undefined && previousJob.length === valueEnd - valueStart
          && matchesAt(text, valueStart, previousJob) && !hasBackslash(text, valueStart, valueEnd);
        line.job = reusable ? previousJob : unescapeLabelValue(text, valueStart, valueEnd);
      } else if (indexed === 'instance') {
        line.instance = unescapeLabelValue(text, valueStart, valueEnd);
      } else if (indexed === 'service') {
        line.service = unescapeLabelValue(text, valueStart, valueEnd);
      }
      i = valueEnd + 1;
      while (isBlank(text.charCodeAt(i))) i++;
      const next = text.charCodeAt(i);
      if (next === COMMA) { i++; continue; }
      if (next === CLOSE_BRACE) break;
      throw new ExpositionError(`expected "," or "}" in labels of ${text.slice(start, nameEnd)}`, lineNumber);
    }
    line.labelsEnd = i;
    i++;
  }

  // After a label set the separating space is optional, as in Prometheus' own parser.
  if (!isBlank(text.charCodeAt(i)) && text.charCodeAt(i - 1) !== CLOSE_BRACE) {
    throw new ExpositionError(`expected a value after ${text.slice(start, nameEnd)}`, lineNumber);
  }
  while (isBlank(text.charCodeAt(i))) i++;
  const valueStart = i;
  while (i < lineEnd && !isBlank(text.charCodeAt(i))) i++;
  if (!isValidValue(text, valueStart, i)) {
    throw new ExpositionError(`invalid value ${JSON.stringify(text.slice(valueStart, i))} for ${text.slice(start, nameEnd)}`, lineNumber);
  }
  const valueEnd = i;
  while (isBlank(text.charCodeAt(i))) i++;
  if (i < lineEnd && !isValidTimestamp(text, i, lineEnd)) {
    throw new ExpositionError(`invalid timestamp ${JSON.stringify(text.slice(i, lineEnd).trimEnd())} for ${text.slice(start, nameEnd)}`, lineNumber);
  }
  line.start = start;
  line.nameEnd = nameEnd;
  line.valueStart = valueStart;
  line.valueEnd = valueEnd;
  line.lineEnd = lineEnd;
  line.familyContext = current;
}

/**
 * Start/end pairs of the current line's label names, to find duplicates without copies. One
 * array for the module, reset per line: scanning is synchronous, so no two lines share it.
 */
const seenLabels: number[] = [];
let seenCount = 0;

function isSeen(text: string, start: number, end: number): boolean {
  const size = end - start;
  for (let k = 0; k < seenCount; k++) {
    const seenStart = seenLabels[2 * k] as number;
    if ((seenLabels[2 * k + 1] as number) - seenStart === size && rangesEqual(text, seenStart, start, size)) return true;
  }
  return false;
}

function rangesEqual(text: string, a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

function hasBackslash(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (text.charCodeAt(k) === BACKSLASH) return true;
  return false;
}

/**
 * Index of the quote closing a label value that starts at `from`: -1 when unterminated on the
 * line, -2 for an escape the format does not define.
 */
function endOfQuoted(text: string, from: number, lineEnd: number): number {
  let i = from;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote === -1 || quote >= lineEnd) return -1;
    // Look for a backslash only up to that quote (label values are short; the text is not).
    let backslash = i;
    while (backslash < quote && text.charCodeAt(backslash) !== BACKSLASH) backslash++;
    if (backslash === quote) return quote;
    const escaped = text.charCodeAt(backslash + 1);
    if (escaped !== BACKSLASH && escaped !== QUOTE && escaped !== 110 /* n */) return -2;
    i = backslash + 2;
  }
}

function unescapeLabelValue(text: string, start: number, end: number): string {
  const raw = text.slice(start, end);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\([\\"n])/g, (_match, c: string) => (c === 'n' ? '\n' : c));
}

/** Decodes a label set that scanSample already validated. */
function decodeLabels(text: string, start: number, end: number): Labels {
  // No prototype: a label named `__proto__` is a label like any other.
  const labels = Object.create(null) as Record<string, string>;
  let i = start;
  while (i < end) {
    while (isBlank(text.charCodeAt(i)) || text.charCodeAt(i) === COMMA) i++;
    if (i >= end) break;
    const nameStart = i;
    i = endOfName(text, i, end, LABEL_START, LABEL_REST);
    const name = text.slice(nameStart, i);
    i = text.indexOf('"', i) + 1;
    const valueEnd = endOfQuoted(text, i, end);
    labels[name] = unescapeLabelValue(text, i, valueEnd);
    i = valueEnd + 1;
  }
  return labels;
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** The float syntax of the format (Go's ParseFloat, decimal only), checked without copying. */
function isValidValue(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  if (first === 78 /* N */ || first === 73 /* I */ || ((first === 43 || first === 45) && text.charCodeAt(start + 1) === 73)) {
    const word = text.slice(start, end);
    return word === 'NaN' || word === 'Inf' || word === '+Inf' || word === '-Inf';
  }
  let i = start;
  const sign = text.charCodeAt(i);
  if (sign === 43 || sign === 45) i++;
  let digits = 0;
  while (i < end && isDigit(text.charCodeAt(i))) { i++; digits++; }
  if (text.charCodeAt(i) === 46 /* . */ && i < end) {
    i++;
    while (i < end && isDigit(text.charCodeAt(i))) { i++; digits++; }
  }
  if (digits === 0) return false;
  if (i < end && (text.charCodeAt(i) | 0x20) === 101 /* e */) {
    i++;
    const expSign = text.charCodeAt(i);
    if (expSign === 43 || expSign === 45) i++;
    const expStart = i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart) return false;
  }
  return i === end;
}

function isValidTimestamp(text: string, start: number, end: number): boolean {
  let stop = end;
  while (stop > start && isBlank(text.charCodeAt(stop - 1))) stop--;
  let i = start;
  if (text.charCodeAt(i) === 45 /* - */) i++;
  if (i === stop) return false;
  for (; i < stop; i++) if (!isDigit(text.charCodeAt(i))) return false;
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

/** The family a sample belongs to: the current `# TYPE`/`# HELP` name, when the sample's name is it or it plus a suffix. */
function familyOf(text: string, start: number, nameEnd: number, current: FamilyMetadata | undefined): string {
  if (current === undefined) return text.slice(start, nameEnd);
  const base = current.name;
  const rest = nameEnd - start - base.length;
  if (rest >= 0 && matchesAt(text, start, base)) {
    if (rest === 0) return base;
    for (const suffix of FAMILY_SUFFIXES) if (suffix.length === rest && matchesAt(text, start + base.length, suffix)) return base;
  }
  return text.slice(start, nameEnd);
}
