import { CLOSE_BRACE, COMMA, endOfQuoted, isBlank, LABEL_REST, NAME_REST, OPEN_BRACE, QUOTE, runEnd, skipBlanks } from './byte-scanning.ts';
import type { Sample } from './exposition-types.ts';

// A validated sample line decoded into a Sample: done only for the lines a probe asks for (the
// index keeps positions, not samples).

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];

/** The number of a value the scanner accepted (`floatEnd` in sample-line-scanner.ts). */
function parseValue(text: string): number {
  switch (text) {
    case 'NaN': return Number.NaN;
    case '+Inf': case 'Inf': return Number.POSITIVE_INFINITY;
    case '-Inf': return Number.NEGATIVE_INFINITY;
    default: return Number(text);
  }
}

/** A label value as pushed, from its escaped bytes `[start, end)`. */
export function unescapeLabelValue(bytes: Buffer, start: number, end: number): string {
  const raw = bytes.toString('utf8', start, end);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\([\\"n])/g, (_match, c: string) => (c === 'n' ? '\n' : c));
}

/**
 * The sample of a line the scanner validated (`start` at its metric name, `end` before its line
 * feed), its family resolved against the `# TYPE`/`# HELP` name in force there.
 */
export function decodeSample(bytes: Buffer, start: number, end: number, familyContext: string | undefined): Sample {
  let i = runEnd(bytes, start, end, NAME_REST);
  const name = bytes.toString('latin1', start, i);
  // No prototype: a label named `__proto__` or `constructor` is a label like any other.
  const labels = Object.create(null) as Record<string, string>;
  // bytes[end] is CR, LF or undefined: no brace, blank or comma, so these compares need no bound.
  // The loop's exit keeps its bound: on a line that was not validated it stops the scan at the line's end.
  if (bytes[i] === OPEN_BRACE) {
    i++;
    for (;;) {
      while (isBlank(bytes[i] as number) || bytes[i] === COMMA) i++;
      if (i >= end || bytes[i] === CLOSE_BRACE) break;
      const labelStart = i;
      i = runEnd(bytes, i, end, LABEL_REST);
      const label = bytes.toString('latin1', labelStart, i);
      i = bytes.indexOf(QUOTE, i) + 1;
      const valueEnd = endOfQuoted(bytes, i, end);
      labels[label] = unescapeLabelValue(bytes, i, valueEnd);
      i = valueEnd + 1;
    }
    i++;
  }
  i = skipBlanks(bytes, i, end);
  const valueStart = i;
  while (i < end && !isBlank(bytes[i] as number)) i++;
  const value = parseValue(bytes.toString('latin1', valueStart, i));
  i = skipBlanks(bytes, i, end);
  // No trim of the blanks after the timestamp: i is past the blanks before it, so i < end means one
  // follows, and Number ignores blanks around a number.
  return {
    name,
    value,
    timestampMs: i < end ? Number(bytes.toString('latin1', i, end)) : undefined,
    family: familyOf(name, familyContext),
    job: labels.job,
    instance: labels.instance,
    service: labels.service,
    labels,
  };
}

/** The family a sample belongs to: the current `# TYPE`/`# HELP` name, when the sample's name is it or it plus a suffix. */
function familyOf(name: string, context: string | undefined): string {
  if (context === undefined || !name.startsWith(context)) return name;
  const rest = name.length - context.length;
  if (rest === 0) return context;
  for (const suffix of FAMILY_SUFFIXES) if (suffix.length === rest && name.endsWith(suffix)) return context;
  return name;
}

