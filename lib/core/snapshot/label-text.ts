// Byte comparisons of label text between two lines of one body: how the index tells whether an
// earlier line has the key of the line being added, without making a string.

import { sameBytesAt } from '../exposition/byte-scanning.ts';

/**
 * Whether the label set at `at` (the `{` of an earlier valid line; -1: none) begins with the bytes
 * `[labelsAt, until)` of the line being indexed (`labelsAt` its `{`), read through `view`, a
 * DataView of the body: four bytes a compare, several times faster than one. The labels are read
 * from the `{` on, the same way whatever comes before it, so two label sets with the same first
 * bytes hold the same labels and values in those bytes; a valid line names each label once. False
 * says nothing: compare the keys. The compare cannot run past the earlier line unnoticed: its line
 * feed matches no byte of `[labelsAt, until)`, which lies within one line.
 */
export function sameLabelsAt(view: DataView, at: number, labelsAt: number, until: number): boolean {
  const size = until - labelsAt;
  return at >= 0 && at + size <= view.byteLength && sameBytesAt(view, at, labelsAt, size);
}

/** Whether two raw label values in the body are the same (start -1: absent, which equals empty). */
export function sameValue(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aStart < 0 ? 0 : aEnd - aStart;
  if ((bStart < 0 ? 0 : bEnd - bStart) !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}
