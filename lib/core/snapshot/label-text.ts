// Byte comparisons of label text between two lines of one body: how the index tells whether an
// earlier line has the key of the line being added, without making a string.

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
  if (at < 0 || at + size > view.byteLength) return false;
  let k = 0;
  for (; k + 4 <= size; k += 4) if (view.getInt32(at + k) !== view.getInt32(labelsAt + k)) return false;
  for (; k < size; k++) if (view.getUint8(at + k) !== view.getUint8(labelsAt + k)) return false;
  return true;
}

/** A DataView of `bytes`, for sameLabelsAt. */
export const viewOf = (bytes: Buffer): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

/**
 * Where the label set of the valid line at `lineStart` starts, when that was not kept: a line
 * indexed with a key label has a label set, and its first `{` ends its metric name. Bounded by the
 * line's end all the same (-1 there), so the invariant can never cost a scan past it.
 */
export function labelSetAt(bytes: Buffer, lineStart: number): number {
  for (let at = lineStart; at < bytes.length; at++) {
    const code = bytes[at] as number;
    if (code === 0x7b /* { */) return at;
    if (code === 0x0a /* \n */) return -1;
  }
  return -1;
}

/** Whether two raw label values in the body are the same (start -1: absent, which equals empty). */
export function sameValue(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aStart < 0 ? 0 : aEnd - aStart;
  if ((bStart < 0 ? 0 : bEnd - bStart) !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}
