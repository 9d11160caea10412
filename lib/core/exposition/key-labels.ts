import { CLOSE_BRACE, COMMA, endOfQuoted, isBlank, LABEL_REST, NAME_REST, OPEN_BRACE, QUOTE, runEnd } from './byte-scanning.ts';
import type { ScannedSample } from './scanned-line.ts';

// The `job`, `instance` and `service` labels of a sample line: the keys the snapshot index groups by.

/** The labels the snapshot index reads on every line. */
export const KEY_JOB = 1;
export const KEY_INSTANCE = 2;
export const KEY_SERVICE = 3;

/**
 * Which indexed label a label name is, by length and bytes: no string made (this runs on every label
 * of every line). The compares are written out: several times faster than a loop over a word's bytes.
 */
export function keyLabel(bytes: Buffer, start: number, end: number): number {
  const size = end - start;
  if (size === 3) return bytes[start] === 106 /* j */ && bytes[start + 1] === 111 /* o */ && bytes[start + 2] === 98 /* b */ ? KEY_JOB : 0;
  if (size === 8) {
    return bytes[start] === 105 /* i */ && bytes[start + 1] === 110 /* n */ && bytes[start + 2] === 115 /* s */ && bytes[start + 3] === 116 /* t */
      && bytes[start + 4] === 97 /* a */ && bytes[start + 5] === 110 /* n */ && bytes[start + 6] === 99 /* c */ && bytes[start + 7] === 101 /* e */ ? KEY_INSTANCE : 0;
  }
  if (size === 7) {
    return bytes[start] === 115 /* s */ && bytes[start + 1] === 101 /* e */ && bytes[start + 2] === 114 /* r */ && bytes[start + 3] === 118 /* v */
      && bytes[start + 4] === 105 /* i */ && bytes[start + 5] === 99 /* c */ && bytes[start + 6] === 101 /* e */ ? KEY_SERVICE : 0;
  }
  return 0;
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
  out.labelsAt = i < end && bytes[i] === OPEN_BRACE ? i : -1;
  if (out.labelsAt < 0) return;
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
