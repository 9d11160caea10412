import type { Labels, MetricType } from './exposition-types.ts';

/** Content type of the text exposition format, version 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface RenderedSample {
  /** Defaults to the family name; histogram and summary samples use suffixed names. */
  readonly name?: string;
  readonly labels?: Labels;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly samples: readonly RenderedSample[];
}

/** Escapes a label value so that no pushed value can end the line or the quoted string. */
export function escapeLabelValue(value: string): string {
  // Most values need nothing: test before replacing, so no new string is made (probes are hot).
  return NEEDS_LABEL_ESCAPE.test(value) ? value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`)) : value;
}

export function escapeHelp(text: string): string {
  return NEEDS_HELP_ESCAPE.test(text) ? text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\')) : text;
}

const NEEDS_LABEL_ESCAPE = /[\\"\n]/;
const NEEDS_HELP_ESCAPE = /[\\\n]/;

export function formatLabels(labels: Labels | undefined): string {
  if (labels === undefined) return '';
  let out = '';
  // Own keys only: `for…in` would also list anything enumerable that was added to a prototype.
  for (const name of Object.keys(labels)) {
    out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(labels[name] ?? '')}"`;
  }
  return out === '' ? '' : `{${out}}`;
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

export function renderExposition(families: readonly MetricFamily[]): string {
  let out = '';
  for (const family of families) {
    if (family.samples.length === 0) continue;
    out += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      out += `${sample.name ?? family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}\n`;
    }
  }
  return out;
}
