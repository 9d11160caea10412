import { LabelNameSet } from './label-name-set.ts';

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
}

/** A new scan's state; `hashBase` seeds its label-name set like the index it feeds. */
export function newLineScan(hashBase: number): LineScan {
  return { problem: () => '', labelNames: new LabelNameSet(hashBase) };
}

/** Refuses the line being scanned, for `why`. */
export function refuse(scan: LineScan, why: () => string): false {
  scan.problem = why;
  return false;
}
