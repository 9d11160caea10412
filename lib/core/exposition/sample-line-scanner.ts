import { CHAR_CLASS, CLOSE_BRACE, COMMA, digitsEnd, endOfQuoted, EQUALS, isBlank, isDigit, LABEL_REST, LABEL_START, matchesAt, NAME_REST, NAME_START, OPEN_BRACE, QUOTE, runEnd, shown, skipBlanks, UNTERMINATED } from './byte-scanning.ts';
import { KEY_INSTANCE, KEY_JOB, KEY_SERVICE, keyLabel } from './key-labels.ts';
import { LastLine } from './last-line.ts';
import { refuse, refuseAt, type LineScan, type Why } from './line-scan.ts';
import type { ScannedSample } from './scanned-line.ts';

// Why a line is refused, from positions in it: module functions kept with their positions in the
// scan's Refusal (lib/core/exposition/line-scan.ts), not closures: no local of scanSampleLine is
// captured (a captured local lives in a context allocated per call, in the hot loop), and a body of
// tiny invalid lines makes no object per line.
const NO_NAME = (): string => 'expected a metric name';
const BAD_LABEL_NAME: Why = (bytes, name, nameEnd) => `invalid label name in ${shown(bytes, name, nameEnd)}`;
const DUPLICATE_LABEL: Why = (bytes, label, labelEnd, name, nameEnd) => `duplicate label ${shown(bytes, label, labelEnd)} in ${shown(bytes, name, nameEnd)}`;
const NO_EQUALS: Why = (bytes, label, labelEnd) => `expected "=" after label ${shown(bytes, label, labelEnd)}`;
const NO_QUOTE: Why = (bytes, label, labelEnd) => `expected a quoted value for label ${shown(bytes, label, labelEnd)}`;
const UNTERMINATED_VALUE: Why = (bytes, label, labelEnd) => `unterminated value for label ${shown(bytes, label, labelEnd)}`;
const BAD_ESCAPE_IN_VALUE: Why = (bytes, label, labelEnd) => `invalid escape in value of label ${shown(bytes, label, labelEnd)}`;
const NO_SEPARATOR: Why = (bytes, name, nameEnd) => `expected "," or "}" in labels of ${shown(bytes, name, nameEnd)}`;
const NO_VALUE: Why = (bytes, name, nameEnd) => `expected a value after ${shown(bytes, name, nameEnd)}`;
const BAD_VALUE: Why = (bytes, value, valueEnd, name, nameEnd) => `invalid value ${JSON.stringify(shown(bytes, value, valueEnd))} for ${shown(bytes, name, nameEnd)}`;
const BAD_TIMESTAMP: Why = (bytes, from, to, name, nameEnd) => `invalid timestamp ${JSON.stringify(shown(bytes, from, to))} for ${shown(bytes, name, nameEnd)}`;

/**
 * Validates a sample line, filling `out`; false (and `scan.problem` set) when it is invalid.
 * `lineEnd` is the line's end from lineEndOf, and `i` never passes it.
 */
export function scanSampleLine(bytes: Buffer, start: number, lineEnd: number, out: ScannedSample, scan: LineScan): boolean {
  // No `i < lineEnd` before a byte compare: bytes[lineEnd] is CR, LF or undefined, never a brace, "=", quote, comma or blank.
  // The class lookups keep theirs: CHAR_CLASS[undefined] would read a property named "undefined".
  const last = scan.last;
  last.count = 0;
  let i = start;
  // A line of the family the last valid line was of repeats its name: the same bytes, and no name
  // character after them, are the same valid name.
  const repeatedName = LastLine.repeatEnd(bytes, scan.view, start, lineEnd, last.nameStart, last.nameEnd, NAME_REST);
  if (repeatedName >= 0) i = repeatedName;
  else if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & NAME_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, NAME_REST);
  if (i === start) return refuse(scan, NO_NAME);
  const nameEnd = i;

  out.jobStart = out.jobEnd = out.instanceStart = out.instanceEnd = out.serviceStart = out.serviceEnd = -1;
  out.labelsAt = bytes[i] === OPEN_BRACE ? i : -1;
  let afterLabels = false;
  if (bytes[i] === OPEN_BRACE) {
    i++;
    scan.labelNames.reset(lineEnd - i);
    // Label names that repeat the last valid line's, in its order, are valid and distinct: they go
    // into the duplicate check only once a name does not repeat.
    let repeating = true;
    for (;;) {
      i = skipBlanks(bytes, i, lineEnd);
      if (bytes[i] === CLOSE_BRACE) break;
      const labelStart = i;
      const k = last.count;
      const repeatedLabel = repeating ? last.labelRepeatEnd(k, bytes, scan.view, labelStart, lineEnd, LABEL_REST) : -1;
      let key: number;
      if (repeatedLabel >= 0) {
        i = repeatedLabel;
        key = last.labelKey(k);
      } else {
        if (repeating) {
          repeating = false;
          for (let m = 0; m < k; m++) scan.labelNames.add(bytes, last.labelStart(m), last.labelEnd(m));
        }
        if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & LABEL_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, LABEL_REST);
        if (i === labelStart) return refuseAt(scan, bytes, BAD_LABEL_NAME, start, nameEnd);
        if (scan.labelNames.add(bytes, labelStart, i)) return refuseAt(scan, bytes, DUPLICATE_LABEL, labelStart, i, start, nameEnd);
        key = keyLabel(bytes, labelStart, i);
      }
      const labelEnd = i;
      last.note(labelStart, labelEnd, key);
      i = skipBlanks(bytes, i, lineEnd);
      if (bytes[i] !== EQUALS) return refuseAt(scan, bytes, NO_EQUALS, labelStart, labelEnd);
      i = skipBlanks(bytes, i + 1, lineEnd);
      if (bytes[i] !== QUOTE) return refuseAt(scan, bytes, NO_QUOTE, labelStart, labelEnd);
      const valueStart = i + 1;
      const valueEnd = endOfQuoted(bytes, valueStart, lineEnd);
      if (valueEnd < 0) return refuseAt(scan, bytes, valueEnd === UNTERMINATED ? UNTERMINATED_VALUE : BAD_ESCAPE_IN_VALUE, labelStart, labelEnd);
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
      if (bytes[i] === COMMA) { i++; continue; }
      if (bytes[i] === CLOSE_BRACE) break;
      return refuseAt(scan, bytes, NO_SEPARATOR, start, nameEnd);
    }
    i++;
    afterLabels = true;
  }

  // After a label set the separating space is optional, as in Prometheus' own parser.
  if (!isBlank(bytes[i] as number) && !afterLabels) return refuseAt(scan, bytes, NO_VALUE, start, nameEnd);
  i = skipBlanks(bytes, i, lineEnd);
  const valueStart = i;
  // The value is valid when its float syntax ends where the value does: at a blank or the line's end.
  const valueEnd = floatEnd(bytes, scan.view, valueStart, lineEnd);
  if (valueEnd < 0 || (valueEnd < lineEnd && !isBlank(bytes[valueEnd] as number))) {
    while (i < lineEnd && !isBlank(bytes[i] as number)) i++;
    return refuseAt(scan, bytes, BAD_VALUE, valueStart, i, start, nameEnd);
  }
  i = skipBlanks(bytes, valueEnd, lineEnd);
  if (i < lineEnd && !isValidTimestamp(bytes, i, lineEnd)) {
    let to = lineEnd;
    // bytes[i] is not a blank (skipBlanks stopped there, before lineEnd): the trim stops at it.
    while (isBlank(bytes[to - 1] as number)) to--;
    return refuseAt(scan, bytes, BAD_TIMESTAMP, i, to, start, nameEnd);
  }
  out.start = start;
  out.end = lineEnd;
  last.keep(start, nameEnd);
  return true;
}

/**
 * Where the float syntax of the format (Go's ParseFloat, decimal only) that starts at `start` ends,
 * or -1 when none starts there, read in one pass without copying. It stops at the first byte that
 * cannot continue it; bytes[lineEnd] is CR, LF or undefined, never a digit, ".", "e", "E", "+" or
 * "-", so the scans below stop there without a bound (digitsEnd's four-byte words may reach past
 * it, into the body's next line, but a word holding that byte is not all digits).
 */
function floatEnd(bytes: Buffer, view: DataView, start: number, lineEnd: number): number {
  const first = bytes[start] as number;
  if (first === 78 /* N */ || first === 73 /* I */ || ((first === 43 || first === 45) && bytes[start + 1] === 73)) {
    const word = first === 78 ? 'NaN' : first === 73 ? 'Inf' : first === 43 ? '+Inf' : '-Inf';
    return matchesAt(bytes, start, lineEnd, word) ? start + word.length : -1;
  }
  let i = start;
  if (first === 43 || first === 45) i++;
  let digits = 0;
  while (isDigit(bytes[i] as number)) { i++; digits++; }
  // Pushgateway writes Go's shortest form: one digit, then up to 16 after the point
  // (1.7961383631970234e+09), which are read four at a time.
  if (bytes[i] === 46 /* . */) {
    const fracStart = ++i;
    i = digitsEnd(bytes, view, i);
    digits += i - fracStart;
  }
  if (digits === 0) return -1;
  if (((bytes[i] as number) | 0x20) === 101 /* e */) {
    i++;
    if (bytes[i] === 43 || bytes[i] === 45) i++;
    const expStart = i;
    while (isDigit(bytes[i] as number)) i++;
    if (i === expStart) return -1;
  }
  return i;
}

/** The timestamp from `start`, a byte that is not a blank (so the trim stops there), to the line's end. */
function isValidTimestamp(bytes: Buffer, start: number, end: number): boolean {
  let stop = end;
  while (isBlank(bytes[stop - 1] as number)) stop--;
  let i = start;
  if (bytes[i] === 45 /* - */) i++;
  if (i === stop) return false;
  for (; i < stop; i++) if (!isDigit(bytes[i] as number)) return false;
  return true;
}

