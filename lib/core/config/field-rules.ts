import { isValidMetricName } from '../exposition/metric-names.ts';
import { quote } from '../quote.ts';
import { isRecord } from '../is-record.ts';
import { isKnownTimezone } from '../rules/timezone.ts';
import { CONFIG_RANGES, describeRange, type NumericRange, type RangedKey } from './config-ranges.ts';
import { httpUrlProblem } from './http-url.ts';
import { shownValue } from './redact-url.ts';
import { nearestName } from './nearest-name.ts';

/** A YAML mapping as parsed: key → plain value. */
export type Fields = Record<string, unknown>;

export const isFields: (value: unknown) => value is Fields = isRecord;

/**
 * The most problems one config error lists: past them a last line counts the rest, so a config
 * with thousands of bad entries gives a short error, log line and 503 answer, not megabytes.
 */
export const MAX_LISTED_PROBLEMS = 50;

/**
 * Text with every word that holds an at sign after something, such as `user:pw@host`, replaced: a
 * value reaches a problem through any rule's own words too (croner's, a key's, an ok_when rule's),
 * and one with "@" may be a URL with credentials. A word that starts with "@" (a cron nickname such
 * as @daily) and the `"@"` of the messages that hide such values stay.
 */
function hidingAtWords(text: string): string {
  // A backslash ends a word too: it may escape the quote that closes a quoted key.
  return text.replace(/[^\s"'()\\]*[^\s"'()\\@\uff20][@\uff20][^\s"'()\\]*/g, '<hidden: may hold credentials>');
}

/** Collects every problem instead of stopping at the first, so a user fixes a config in one pass. */
export class Problems {
  private readonly listed: string[] = [];
  private unlisted = 0;

  add(path: string, message: string): void {
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push(hidingAtWords(`${path}: ${message}`));
    else this.unlisted += 1;
  }

  /** The problems, the first MAX_LISTED_PROBLEMS of them and then how many more there are. */
  get list(): string[] {
    if (this.unlisted === 0) return [...this.listed];
    return [...this.listed, `and ${this.unlisted} more problem${this.unlisted === 1 ? '' : 's'} (fix these first)`];
  }
}

/** A value as a problem names it: strings quoted (and clipped) unless they may hold credentials, lists and mappings by kind. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return shownValue(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

/** An http(s) URL without trailing slashes, or undefined after adding why it is not one. */
export function httpUrl(value: string, path: string, problems: Problems): string | undefined {
  const problem = httpUrlProblem(value);
  if (problem !== undefined) {
    problems.add(path, problem);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

/**
 * The keys of one mapping at one path (`` for the top level, `defaults.`, `services[2].`), each read
 * by its rule. A value that breaks the rule adds a problem at `<prefix><key>` and reads as undefined,
 * so reading goes on and every problem is found; an absent key reads as undefined with no problem.
 */
export class FieldReader {
  constructor(
    private readonly fields: Fields,
    private readonly prefix: string,
    private readonly problems: Problems,
  ) {}

  path(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** A key's own value only: a config key named like an Object.prototype member reads as absent, never as that member. */
  value(key: string): unknown {
    return Object.hasOwn(this.fields, key) ? this.fields[key] : undefined;
  }

  has(key: string): boolean {
    return this.value(key) !== undefined;
  }

  /** A problem at `key`, or at a list item such as `ok_when[1]`. */
  problem(key: string, message: string): void {
    this.problems.add(this.path(key), message);
  }

  /** The reader of the mapping at `key` (`defaults`, `services[0]`, `maintenance[1]`): its problems go to the same list. */
  nested(key: string, fields: Fields): FieldReader {
    return new FieldReader(fields, `${this.path(key)}.`, this.problems);
  }

  /** A problem for each key not in `known`, suggesting the known key it most likely misspells. */
  unknownKeys(known: readonly string[]): void {
    for (const key of Object.keys(this.fields)) {
      if (known.includes(key)) continue;
      // An odd key is quoted, so a newline or quote in it cannot break the one-line error.
      const shown = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : quote(key, 60);
      const near = nearestName(key, known);
      this.problems.add(this.path(shown), near === undefined ? `unknown key (known keys: ${known.join(', ')})` : `unknown key; did you mean ${near}?`);
    }
  }

  /**
   * A number within the range of `rangeKey` (the key itself unless it is an alias). A value of the
   * wrong type is named as such; a number out of range (NaN and ±Infinity included) gets the range.
   */
  number(key: RangedKey): number | undefined;
  number(key: string, rangeKey: RangedKey): number | undefined;
  number(key: string, rangeKey?: RangedKey): number | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    const range: NumericRange = CONFIG_RANGES[rangeKey ?? (key as RangedKey)];
    const inRange = typeof value === 'number' && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
    if (inRange) return value;
    if (range.integer) this.problem(key, `must be a whole number ${describeRange(range)}, got ${show(value)}`);
    else if (typeof value !== 'number') this.problem(key, `must be ${range.min > 0 ? 'a positive number' : 'a number'}, got ${show(value)}`);
    else this.problem(key, `must be ${describeRange(range)}, got ${show(value)}`);
    return undefined;
  }

  nonEmptyString(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.length > 0) return value;
    this.problem(key, `must be a non-empty string, got ${show(value)}`);
    return undefined;
  }

  metricName(key: string): string | undefined {
    const value = this.nonEmptyString(key);
    if (value === undefined || isValidMetricName(value)) return value;
    this.problem(key, `must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${show(value)}`);
    return undefined;
  }

  timezone(key: string): string | undefined {
    const value = this.nonEmptyString(key);
    if (value === undefined || isKnownTimezone(value)) return value;
    this.problem(key, `unknown time zone ${show(value)} (use an IANA name such as Europe/Berlin or UTC)`);
    return undefined;
  }

  boolean(key: string): boolean | undefined {
    const value = this.value(key);
    if (value === undefined || typeof value === 'boolean') return value;
    this.problem(key, `must be true or false, got ${show(value)}`);
    return undefined;
  }

  /** A non-empty string that is never echoed: it reaches logs and answers in a problem. */
  secret(key: string): string | undefined {
    const value = this.value(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.length > 0) return value;
    this.problem(key, 'must be a non-empty string (value not shown)');
    return undefined;
  }
}
