import { CHAR_CLASS, sameBytesAt } from './byte-scanning.ts';

/** Label names remembered per line: Pushgateway's lines have three or four. */
const REMEMBERED_LABELS = 8;

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
  /** The last line's label names: `labelCount` of them, at most REMEMBERED_LABELS. */
  labelCount = 0;
  private labelStarts = new Int32Array(REMEMBERED_LABELS);
  private labelEnds = new Int32Array(REMEMBERED_LABELS);
  private labelKeys = new Int32Array(REMEMBERED_LABELS);
  /** The label names of the line being scanned, in order (the first REMEMBERED_LABELS). */
  count = 0;
  private starts = new Int32Array(REMEMBERED_LABELS);
  private ends = new Int32Array(REMEMBERED_LABELS);
  private keys = new Int32Array(REMEMBERED_LABELS);

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
    return k < this.labelCount ? LastLine.repeatEnd(bytes, view, start, lineEnd, this.labelStarts[k] as number, this.labelEnds[k] as number, cls) : -1;
  }

  /** The key label (KEY_*) of the last line's `k`th label name. */
  labelKey(k: number): number {
    return this.labelKeys[k] as number;
  }

  /** Notes the next label name of the line being scanned. */
  note(start: number, end: number, key: number): void {
    const k = this.count;
    if (k < REMEMBERED_LABELS) {
      this.starts[k] = start;
      this.ends[k] = end;
      this.keys[k] = key;
    }
    this.count = k + 1;
  }

  /** Where the line being scanned has its `k`th label name (k < REMEMBERED_LABELS, k < count). */
  labelStart(k: number): number {
    return this.starts[k] as number;
  }

  labelEnd(k: number): number {
    return this.ends[k] as number;
  }

  /** The line being scanned is valid: it is the last line now. */
  keep(nameStart: number, nameEnd: number): void {
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    const starts = this.labelStarts;
    const ends = this.labelEnds;
    const keys = this.labelKeys;
    this.labelStarts = this.starts;
    this.labelEnds = this.ends;
    this.labelKeys = this.keys;
    this.starts = starts;
    this.ends = ends;
    this.keys = keys;
    this.labelCount = Math.min(this.count, REMEMBERED_LABELS);
    this.count = 0;
  }
}
