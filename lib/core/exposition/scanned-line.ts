import { keepShape } from '../shape-anchors.ts';

/**
 * One sample line as the scanner found it: positions in the body plus the raw (still escaped)
 * value ranges of `job`, `instance` and `service` (start -1 when absent). The scanner reuses one
 * such object for every line: copy what you keep.
 */
export interface ScannedSample {
  lineNumber: number;
  start: number;
  /** End of the line, line feed and carriage return excluded. */
  end: number;
  /** Where its label set starts (its `{`), -1 when it has none. */
  labelsAt: number;
  jobStart: number;
  jobEnd: number;
  instanceStart: number;
  instanceEnd: number;
  serviceStart: number;
  serviceEnd: number;
}

/** A `# HELP` or `# TYPE` line. */
export interface ScannedMetadata {
  lineNumber: number;
  start: number;
  end: number;
  kind: 'HELP' | 'TYPE';
  nameStart: number;
  nameEnd: number;
}

/** A ScannedSample to fill: every scan and key reader makes one and reuses it line after line. */
export function newScannedSample(): ScannedSample {
  return { lineNumber: 0, start: 0, end: 0, labelsAt: -1, jobStart: -1, jobEnd: -1, instanceStart: -1, instanceEnd: -1, serviceStart: -1, serviceEnd: -1 };
}

/** A ScannedMetadata to fill, reused by a scan line after line. */
export function newScannedMetadata(): ScannedMetadata {
  return { lineNumber: 0, start: 0, end: 0, kind: 'HELP', nameStart: 0, nameEnd: 0 };
}

// A scan's records die with the scan: one of each kept, so their maps survive a full collection (lib/core/shape-anchors.ts).
keepShape(newScannedSample());
keepShape(newScannedMetadata());
