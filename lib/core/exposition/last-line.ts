import { CHAR_CLASS, sameBytesAt } from './byte-scanning.ts';

/** Label names remembered per line: Pushgateway's lines have three or four. */
const REMEMBERED_LABELS = 8;
/** Ints per remembered label name: its start, its end and which key label it is. */
const STRIDE = 3;
/** Ints per line: the label names of the last line, then those of the line being scanned, or the other way round. */
const ROW = REMEMBERED_LABELS * STRIDE;

/**
 * What a scan remembers of its last valid sample line: its metric name and its first label names
 * (with which key label each is), positions in the body. Lines of one family repeat them, so the
 * scanner compares a line's names with these (four bytes a compare) instead of checking each
 * character's class, and label names that repeat a valid line's, in its order, need no duplicate
 * check among themselves. Positions stay valid as the body grows (its offsets do not change).
 */
export class LastLine {
  nameStart = -1;
  nameEnd = -1;
  /** How many label names of the last line are remembered (at most REMEMBERED_LABELS). */
  private labelCount = 0;
  /** Label names of the last line at `last`, of the line being scanned at `ROW - last` (0 or ROW). */
  private readonly labels = new Int32Array(2 * ROW);
  private last = 0;
  /** Label names of the line being scanned so far (the scanner sets it to 0 at each sample line). */
  count = 0;

  /**
   * The end of a name at `start` equal to the one at `[from, to)`, or -1: the same bytes, and no
   * character of class `cls` after them (the name would go on). Past `lineEnd` nothing is compared.
   */
  static repeatEnd(bytes: Buffer, view: DataView, start: number, lineEnd: number, from: number, to: number, cls: number): number {
    const size = to - from;
    const end = start + size;
    if (size <= 0 || end > lineEnd || !sameBytesAt(view, from, start, size)) return -1;
    return end === lineEnd || ((CHAR_CLASS[bytes[end] as number] as number) & cls) === 0 ? end : -1;
  }

  /** The end of label name `k` of the line being scanned at `start` when it repeats the last line's `k`th, or -1. */
  labelRepeatEnd(k: number, bytes: Buffer, view: DataView, start: number, lineEnd: number, cls: number): number {
    if (k >= this.labelCount) return -1;
    const at = this.last + k * STRIDE;
    return LastLine.repeatEnd(bytes, view, start, lineEnd, this.labels[at] as number, this.labels[at + 1] as number, cls);
  }

  /** The key label (KEY_*) of the last line's `k`th label name. */
  labelKey(k: number): number {
    return this.labels[this.last + k * STRIDE + 2] as number;
  }

  /** Notes the next label name of the line being scanned. */
  note(start: number, end: number, key: number): void {
    const k = this.count;
    if (k < REMEMBERED_LABELS) {
      const at = ROW - this.last + k * STRIDE;
      this.labels[at] = start;
      this.labels[at + 1] = end;
      this.labels[at + 2] = key;
    }
    this.count = k + 1;
  }

  /** Where the line being scanned has its `k`th label name (k < REMEMBERED_LABELS, k < count). */
  labelStart(k: number): number {
    return this.labels[ROW - this.last + k * STRIDE] as number;
  }

  labelEnd(k: number): number {
    return this.labels[ROW - this.last + k * STRIDE + 1] as number;
  }

  /** The line being scanned is valid: it is the last line now. */
  keep(nameStart: number, nameEnd: number): void {
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    this.last = ROW - this.last;
    this.labelCount = this.count < REMEMBERED_LABELS ? this.count : REMEMBERED_LABELS;
  }
}
