import { isMetricType } from './exposition-types.ts';
import { CHAR_CLASS, HASH, isBlank, matchesAt, NAME_REST, NAME_START, runEnd, shown, skipBlanks } from './byte-scanning.ts';
import type { LineScan } from './line-scan.ts';
import type { ScannedMetadata } from './scanned-line.ts';

// `# HELP` and `# TYPE` lines: validated as the scan meets them, and read again from the body
// (name, kind, text) only when a lookup asks for a family.

/** "HELP" and "TYPE" as four-byte big-endian words, as DataView.getInt32 reads them. */
const HELP_WORD = 0x48454c50;
const TYPE_WORD = 0x54595045;

export const COMMENT_LINE = 0;
export const METADATA_LINE = 1;
export const INVALID_LINE = 2;

function refuseComment(scan: LineScan, why: () => string): typeof INVALID_LINE {
  scan.problem = why;
  return INVALID_LINE;
}

/**
 * Validates a comment line: METADATA_LINE (with `out` filled) for `# HELP` and `# TYPE`,
 * COMMENT_LINE for an ordinary comment, INVALID_LINE (and `scan.problem` set) for a malformed one.
 */
export function scanComment(bytes: Buffer, hashAt: number, lineEnd: number, lineNumber: number, out: ScannedMetadata, scan: LineScan): number {
  let i = skipBlanks(bytes, hashAt + 1, lineEnd);
  // The keyword is the word after "#": HELP or TYPE read as one four-byte word, and a blank or the
  // line's end after it. Every comment line comes this way (a body can be one HELP line per sample);
  // the lookups below, run only for a family a probe asks about, still compare with matchesAt.
  if (i + 4 > lineEnd || (i + 4 < lineEnd && !isBlank(bytes[i + 4] as number))) return COMMENT_LINE;
  const word = scan.view.getInt32(i);
  const kind = word === HELP_WORD ? 'HELP' : word === TYPE_WORD ? 'TYPE' : undefined;
  if (kind === undefined) return COMMENT_LINE;
  i = skipBlanks(bytes, i + 4, lineEnd);
  const nameStart = i;
  if (i < lineEnd && ((CHAR_CLASS[bytes[i] as number] as number) & NAME_START) !== 0) i = runEnd(bytes, i + 1, lineEnd, NAME_REST);
  if (i === nameStart) return refuseComment(scan, () => `# ${kind} without a metric name`);
  if (i < lineEnd && !isBlank(bytes[i] as number)) return refuseComment(scan, () => `invalid metric name in # ${kind}`);
  if (kind === 'TYPE') {
    const type = typeText(bytes, i, lineEnd);
    if (!isMetricType(type)) return refuseComment(scan, () => `unknown metric type ${JSON.stringify(type)}`);
  }
  out.lineNumber = lineNumber;
  out.kind = kind;
  out.nameStart = nameStart;
  out.nameEnd = i;
  return METADATA_LINE;
}

/** The type word of a `# TYPE` line, from just after its name. */
export function typeText(bytes: Buffer, nameEnd: number, lineEnd: number): string {
  const from = skipBlanks(bytes, nameEnd, lineEnd);
  let to = lineEnd;
  while (to > from && isBlank(bytes[to - 1] as number)) to--;
  return shown(bytes, from, to);
}

/** The text of a `# HELP` line, from just after its name, unescaped (`\\` and `\n`). */
export function helpText(bytes: Buffer, nameEnd: number, lineEnd: number): string {
  // One separator after the name; the rest is the text, as written.
  const text = bytes.toString('utf8', nameEnd < lineEnd ? nameEnd + 1 : lineEnd, lineEnd);
  if (!text.includes('\\')) return text;
  return text.replace(/\\([\\n])/g, (_match, c: string) => (c === 'n' ? '\n' : '\\'));
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

