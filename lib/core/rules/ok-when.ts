import type { Sample } from '../exposition/exposition-types.ts';
import { isValidMetricName } from '../exposition/metric-names.ts';

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** An `ok_when` rule: a pushed gauge compared with a number, e.g. `loop_status == 1`. */
export interface OkWhenRule {
  readonly text: string;
  readonly metric: string;
  readonly operator: ComparisonOperator;
  readonly threshold: number;
}

/** What one `ok_when` rule made of a group's samples. */
export interface OkWhenResult {
  readonly rule: OkWhenRule;
  readonly passed: boolean;
  /** The values the rule saw, in group order; empty when the metric was not pushed. */
  readonly values: readonly number[];
}

const COMPARISONS: Record<ComparisonOperator, (value: number, threshold: number) => boolean> = {
  '==': (value, threshold) => value === threshold,
  '!=': (value, threshold) => value !== threshold,
  '<': (value, threshold) => value < threshold,
  '<=': (value, threshold) => value <= threshold,
  '>': (value, threshold) => value > threshold,
  '>=': (value, threshold) => value >= threshold,
};
const isOperator = (text: string): text is ComparisonOperator => Object.hasOwn(COMPARISONS, text);

const RULE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(==|!=|<=|>=|<|>)\s*(\S+)\s*$/;
/** A decimal number, as written in a pushed sample: Number() alone would also take 0x1F, 0b11 and 0o7. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses `metric op number`; the error names what is wrong. */
export function parseOkWhenRule(text: string): OkWhenRule | { readonly error: string } {
  const match = RULE.exec(text);
  if (match === null) return { error: 'must be "<metric> <op> <number>" with op one of == != < <= > >=, e.g. "loop_status == 1"' };
  const [, metric = '', operator = '', number = ''] = match;
  const threshold = Number(number);
  if (!isOperator(operator)) return { error: `${JSON.stringify(operator)} is not a comparison` };
  if (!isValidMetricName(metric)) return { error: `${JSON.stringify(metric)} is not a metric name` };
  if (!DECIMAL.test(number) || !Number.isFinite(threshold)) return { error: `${JSON.stringify(number)} is not a finite decimal number` };
  return { text: `${metric} ${operator} ${number}`, metric, operator, threshold };
}

/**
 * Passes when the metric was pushed in the group and every sample of it satisfies the rule:
 * a status that was never pushed, or is NaN, does not vouch for the service.
 */
export function evaluateOkWhenRule(rule: OkWhenRule, samples: readonly Sample[]): OkWhenResult {
  const values = samples.filter((sample) => sample.name === rule.metric).map((sample) => sample.value);
  const compare = COMPARISONS[rule.operator];
  // NaN says nothing about health: it fails even `!=`, which it would otherwise pass.
  const passed = values.length > 0 && values.every((value) => !Number.isNaN(value) && compare(value, rule.threshold));
  return { rule, passed, values };
}
