import { ExpositionError } from './errors.ts';

/** Label names to values, in the order the exposition listed them. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number | undefined;
  /** The metric family (from `# TYPE`/`# HELP`) the sample belongs to. */
  readonly family: string;
}

export interface FamilyMetadata {
  readonly name: string;
  help: string | undefined;
  type: string | undefined;
}

export interface Exposition {
  readonly samples: Sample[];
  readonly families: Map<string, FamilyMetadata>;
}

const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gsum', '_gcount'];

/**
 * Parses the Prometheus text exposition format (version 0.0.4), as Pushgateway writes it.
 * Scans each line character by character: escapes inside label values, label order, extra
 * labels, NaN/±Inf, exponents and timestamps all parse; anything malformed throws with its line.
 */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const families = new Map<string, FamilyMetadata>();
  let current: FamilyMetadata | undefined;
  let lineNumber = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lineNumber += 1;
    const line = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (line.length === 0 || isBlank(line)) continue;
    if (line.charCodeAt(0) === 35 /* # */) {
      const meta = parseComment(line, lineNumber);
      if (meta === undefined) continue;
      let family = families.get(meta.name);
      if (family === undefined) {
        family = { name: meta.name, help: undefined, type: undefined };
        families.set(meta.name, family);
      }
      if (meta.kind === 'HELP') family.help = meta.text;
      else family.type = meta.text;
      current = family;
      continue;
    }
    const sample = parseSampleLine(line, lineNumber, current);
    samples.push(sample);
  }
  return { samples, families };
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

function parseComment(line: string, lineNumber: number): { kind: 'HELP' | 'TYPE'; name: string; text: string } | undefined {
  let i = 1;
  while (line[i] === ' ' || line[i] === '\t') i++;
  const keywordStart = i;
  while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
  const keyword = line.slice(keywordStart, i);
  if (keyword !== 'HELP' && keyword !== 'TYPE') return undefined; // an ordinary comment
  while (line[i] === ' ' || line[i] === '\t') i++;
  const nameStart = i;
  while (i < line.length && isMetricNameChar(line.charCodeAt(i), i === nameStart)) i++;
  const name = line.slice(nameStart, i);
  if (name.length === 0) throw new ExpositionError(`# ${keyword} without a metric name`, lineNumber);
  if (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
    throw new ExpositionError(`invalid metric name in # ${keyword}`, lineNumber);
  }
  if (i < line.length) i++;
  const rest = line.slice(i);
  if (keyword === 'HELP') return { kind: 'HELP', name, text: unescapeHelp(rest) };
  const type = rest.trim();
  if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) {
    throw new ExpositionError(`unknown metric type ${JSON.stringify(type)}`, lineNumber);
  }
  return { kind: 'TYPE', name, text: type };
}

function unescapeHelp(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1];
      if (next === 'n') { out += '\n'; i++; continue; }
      if (next === '\\') { out += '\\'; i++; continue; }
    }
    out += c;
  }
  return out;
}

function isMetricNameChar(code: number, first: boolean): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    code === 95 || // _
    code === 58 || // :
    (!first && code >= 48 && code <= 57)
  );
}

function isLabelNameChar(code: number, first: boolean): boolean {
  return code !== 58 && isMetricNameChar(code, first);
}

function parseSampleLine(line: string, lineNumber: number, current: FamilyMetadata | undefined): Sample {
  let i = 0;
  while (line[i] === ' ' || line[i] === '\t') i++;
  const nameStart = i;
  while (i < line.length && isMetricNameChar(line.charCodeAt(i), i === nameStart)) i++;
  const name = line.slice(nameStart, i);
  if (name.length === 0) throw new ExpositionError('expected a metric name', lineNumber);

  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') { i++; break; }
      const labelStart = i;
      while (i < line.length && isLabelNameChar(line.charCodeAt(i), i === labelStart)) i++;
      const labelName = line.slice(labelStart, i);
      if (labelName.length === 0) throw new ExpositionError(`invalid label name in ${name}`, lineNumber);
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '=') throw new ExpositionError(`expected "=" after label ${labelName}`, lineNumber);
      i++;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] !== '"') throw new ExpositionError(`expected a quoted value for label ${labelName}`, lineNumber);
      i++;
      let value = '';
      let chunkStart = i;
      for (;;) {
        if (i >= line.length) throw new ExpositionError(`unterminated value for label ${labelName}`, lineNumber);
        const c = line.charCodeAt(i);
        if (c === 34 /* " */) break;
        if (c === 92 /* \ */) {
          value += line.slice(chunkStart, i);
          const next = line[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else throw new ExpositionError(`invalid escape in value of label ${labelName}`, lineNumber);
          i += 2;
          chunkStart = i;
          continue;
        }
        i++;
      }
      value += line.slice(chunkStart, i);
      i++;
      if (labelName in labels) throw new ExpositionError(`duplicate label ${labelName} in ${name}`, lineNumber);
      labels[labelName] = value;
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') { i++; continue; }
      if (line[i] === '}') { i++; break; }
      throw new ExpositionError(`expected "," or "}" in labels of ${name}`, lineNumber);
    }
  }

  // After a label set the separating space is optional, as in Prometheus' own parser.
  if (line[i] !== ' ' && line[i] !== '\t' && line[i - 1] !== '}') throw new ExpositionError(`expected a value after ${name}`, lineNumber);
  while (line[i] === ' ' || line[i] === '\t') i++;
  const valueStart = i;
  while (i < line.length && line[i] !== ' ' && line[i] !== '\t') i++;
  const value = parseValue(line.slice(valueStart, i));
  if (value === undefined) throw new ExpositionError(`invalid value ${JSON.stringify(line.slice(valueStart, i))} for ${name}`, lineNumber);
  while (line[i] === ' ' || line[i] === '\t') i++;
  let timestampMs: number | undefined;
  if (i < line.length) {
    const text = line.slice(i).trimEnd();
    timestampMs = /^-?\d+$/.test(text) ? Number(text) : undefined;
    if (timestampMs === undefined) throw new ExpositionError(`invalid timestamp ${JSON.stringify(text)} for ${name}`, lineNumber);
  }
  return { name, labels, value, timestampMs, family: familyOf(name, current) };
}

function parseValue(text: string): number | undefined {
  switch (text) {
    case 'NaN': return Number.NaN;
    case '+Inf': case 'Inf': return Number.POSITIVE_INFINITY;
    case '-Inf': return Number.NEGATIVE_INFINITY;
    case '': return undefined;
  }
  const value = Number(text);
  // Number() also accepts hex and binary literals and "Infinity", which the format does not.
  if (Number.isNaN(value) || !Number.isFinite(value) || /[xXoObB]/.test(text)) return undefined;
  return value;
}

function familyOf(sampleName: string, current: FamilyMetadata | undefined): string {
  if (current === undefined) return sampleName;
  if (sampleName === current.name) return sampleName;
  for (const suffix of FAMILY_SUFFIXES) {
    if (sampleName.length === current.name.length + suffix.length && sampleName.startsWith(current.name) && sampleName.endsWith(suffix)) {
      return current.name;
    }
  }
  return sampleName;
}
