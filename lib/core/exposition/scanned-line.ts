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

