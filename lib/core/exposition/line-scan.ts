import { LabelNameSet } from './label-name-set.ts';
import { LastLine } from './last-line.ts';
import { keepShape } from '../shape-anchors.ts';

/**
 * The state one scan carries from line to line, made once per scan (not per line): why the line
 * it last refused is invalid, and the set that finds a line's duplicate label names.
 */
export interface LineScan {
  /**
   * Why the line the scanner last refused is invalid, built only when asked: a tolerant scan merely
   * counts most invalid lines, and building (or throwing) an error per line would make a body of
   * tiny invalid lines tens of times slower than a valid body of the same size.
   */
  problem: () => string;
  readonly labelNames: LabelNameSet;
  /** Why the last sample line was refused, as a message and positions (see `refuseAt`): no closure made per refused line. */
  readonly refusal: Refusal;
  /** The body being scanned, as a DataView (the scan sets it, and again as the body grows). */
  view: DataView;
  /** The names of the last valid sample line, which a line of the same family repeats. */
  readonly last: LastLine;
}

/** A message built from positions in the line: `(bytes, a, b, c, d) => text`. */
export type Why = (bytes: Buffer, a: number, b: number, c: number, d: number) => string;

/** The last refusal of a scan, kept as data; `text` builds its message (valid until the next line is scanned). */
export class Refusal {
  why: Why = () => '';
  bytes: Buffer = Buffer.alloc(0);
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  readonly text = (): string => this.why(this.bytes, this.a, this.b, this.c, this.d);
}

/** A new scan's state; `hashBase` seeds its label-name set like the index it feeds. */
export function newLineScan(hashBase: number): LineScan {
  return { problem: () => '', labelNames: new LabelNameSet(hashBase), refusal: new Refusal(), view: new DataView(new ArrayBuffer(0)), last: new LastLine() };
}

// A scan's state dies with the scan: one kept, so its maps survive a full collection (lib/core/shape-anchors.ts).
keepShape(newLineScan(0));

/** Refuses the line being scanned, for `why` at these positions of `bytes` (the message is built only if asked for). */
export function refuseAt(scan: LineScan, bytes: Buffer, why: Why, a: number, b: number, c = 0, d = 0): false {
  const refusal = scan.refusal;
  refusal.why = why;
  refusal.bytes = bytes;
  refusal.a = a;
  refusal.b = b;
  refusal.c = c;
  refusal.d = d;
  scan.problem = refusal.text;
  return false;
}

/** Refuses the line being scanned, for `why`. */
export function refuse(scan: LineScan, why: () => string): false {
  scan.problem = why;
  return false;
}
