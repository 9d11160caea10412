// Byte comparisons of label text between two lines of one body: how the index tells whether an
// earlier line has the key of the line being added, without making a string.

/**
 * Whether the label set at `at` (the `{` of an earlier valid line) begins with the bytes
 * `[labelsAt, until)` of the line being indexed (`labelsAt` its `{`). The labels are read from the
 * `{` on, the same way whatever comes before it, so two label sets with the same first bytes hold
 * the same labels and values in those bytes; a valid line names each label once. False says
 * nothing: compare the keys. The compare cannot run past the earlier line unnoticed: its line feed
 * matches no byte of `[labelsAt, until)`, which lies within one line.
 */
export function sameLabelsAt(bytes: Buffer, at: number, labelsAt: number, until: number): boolean {
  const size = until - labelsAt;
  if (at < 0 || at + size > bytes.length) return false;
  for (let k = 0; k < size; k++) if (bytes[at + k] !== bytes[labelsAt + k]) return false;
  return true;
}

/**
 * sameLabelsAt for the valid line at `lineStart`, when where its label set starts was not kept: a
 * line indexed with a key label has a label set, and its first `{` ends its metric name. Bounded by
 * the line's end all the same, so the invariant can never cost a scan past it.
 */
export function sameLabelText(bytes: Buffer, lineStart: number, labelsAt: number, until: number): boolean {
  let at = lineStart;
  while (at < bytes.length && bytes[at] !== 0x7b /* { */) {
    if (bytes[at] === 0x0a /* \n */) return false;
    at++;
  }
  return sameLabelsAt(bytes, at, labelsAt, until);
}

/** Whether two raw label values in the body are the same (start -1: absent, which equals empty). */
export function sameValue(bytes: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): boolean {
  const size = aStart < 0 ? 0 : aEnd - aStart;
  if ((bStart < 0 ? 0 : bEnd - bStart) !== size) return false;
  for (let k = 0; k < size; k++) if (bytes[aStart + k] !== bytes[bStart + k]) return false;
  return true;
}
