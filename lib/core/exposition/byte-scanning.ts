// Byte-level reading of the text exposition format: character codes and classes, and the small
// scans every part of the parser shares. Plain loops over the body's bytes: this is the hot path.

export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const TAB = 9;
export const HASH = 35;
export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const EQUALS = 61;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const LETTER_N = 110;

/** Character classes of ASCII, for name checks in the hot loop without branches per range. */
export const NAME_START = 1; // [a-zA-Z_:]
export const NAME_REST = 2; // [a-zA-Z0-9_:]
export const LABEL_START = 4; // [a-zA-Z_]
export const LABEL_REST = 8; // [a-zA-Z0-9_]
export const CHAR_CLASS = new Uint8Array(256);
for (let code = 0; code < 128; code++) {
  const letter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  const digit = code >= 48 && code <= 57;
  CHAR_CLASS[code] = (letter || code === 58 ? NAME_START : 0) | (letter || digit || code === 58 ? NAME_REST : 0) | (letter ? LABEL_START : 0) | (letter || digit ? LABEL_REST : 0);
}

export const isBlank = (code: number): boolean => code === SPACE || code === TAB;
export const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** End of the run of bytes of class `cls` starting at `from` (≤ end). */
export function runEnd(bytes: Buffer, from: number, end: number, cls: number): number {
  let i = from;
  while (i < end && ((CHAR_CLASS[bytes[i] as number] as number) & cls) !== 0) i++;
  return i;
}

export function skipBlanks(bytes: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && isBlank(bytes[i] as number)) i++;
  return i;
}

/**
 * Whether the `size` bytes at `a` and at `b` of a body are the same, read through `view`, a
 * DataView of it: four bytes a compare, several times faster than one. Both ranges lie in the body.
 */
export function sameBytesAt(view: DataView, a: number, b: number, size: number): boolean {
  if (size < 4) {
    for (let k = 0; k < size; k++) if (view.getUint8(a + k) !== view.getUint8(b + k)) return false;
    return true;
  }
  // The last four bytes, then whole words from the first: the two may overlap, no byte is left out.
  const last = size - 4;
  if (view.getInt32(a + last) !== view.getInt32(b + last)) return false;
  for (let k = 0; k < last; k += 4) if (view.getInt32(a + k) !== view.getInt32(b + k)) return false;
  return true;
}

/** A DataView of `bytes`, for sameBytesAt. */
export const viewOf = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

/** Message text for a name or value from the body: clipped, so an error stays one short line. */
export function shown(bytes: Buffer, start: number, end: number): string {
  const limit = 120;
  return end - start > limit ? `${bytes.toString('utf8', start, start + limit)}…` : bytes.toString('utf8', start, end);
}

/** Whether `word` (ASCII) stands in `bytes` at `at`, within `end`. */
export function matchesAt(bytes: Buffer, at: number, end: number, word: string): boolean {
  if (end - at < word.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[at + k] !== word.charCodeAt(k)) return false;
  return true;
}

/** End of the line starting at `start` (before its line feed, and its carriage return if any). */
export function lineEndOf(bytes: Buffer, start: number): number {
  let end = bytes.indexOf(LF, start);
  if (end === -1) end = bytes.length;
  return end > start && bytes[end - 1] === CR ? end - 1 : end;
}

/**
 * End of the run of digits from `from`: four bytes a step while four more are in the body (a word
 * of four digits: each byte's high nibble is 3, and adding 6 to each leaves it 3), then one a step.
 */
export function digitsEnd(bytes: Buffer, view: DataView, from: number): number {
  let i = from;
  const wordsEnd = view.byteLength - 4;
  while (i <= wordsEnd) {
    const word = view.getInt32(i);
    if ((word & 0xf0f0f0f0) !== 0x30303030 || ((word + 0x06060606) & 0xf0f0f0f0) !== 0x30303030) break;
    i += 4;
  }
  while (isDigit(bytes[i] as number)) i++;
  return i;
}

export const UNTERMINATED = -1;
export const BAD_ESCAPE = -2;

/**
 * Index of the quote closing a label value that starts at `from`, in one forward scan (each byte
 * read once, escapes included): UNTERMINATED when the line ends first, BAD_ESCAPE for an escape the
 * format does not define.
 */
export function endOfQuoted(bytes: Buffer, from: number, lineEnd: number): number {
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

