import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.ts';
import { httpUrlProblem } from './http-url.ts';
import { parseRfc3339, type MaintenanceWindow } from '../rules/maintenance-window.ts';
import { isValidMetricName } from '../exposition/metric-names.ts';
import { toMicros } from '../time/microseconds.ts';
import { nearestName } from './nearest-name.ts';
import { isKnownTimezone, parseSchedule, type Schedule } from '../rules/schedule.ts';
import { parseStatusRule, type StatusRule } from '../rules/ok-when.ts';
import { clip, quote } from '../quote.ts';

/** A cron job's expectation: a heartbeat after each scheduled time, within grace. */
export interface ServiceSchedule {
  readonly schedule: Schedule;
  readonly graceSeconds: number;
}

export interface ServiceConfig {
  readonly name: string;
  readonly job: string;
  readonly heartbeatMetric: string;
  /** Maximum heartbeat age; undefined when the service has a `schedule` instead. */
  readonly freshnessThresholdSeconds: number | undefined;
  readonly schedule: ServiceSchedule | undefined;
  /** Minimum number of distinct instances with a fresh heartbeat; undefined for a single-instance service. */
  readonly replicas: number | undefined;
  /** A run started longer ago than this without finishing is down (`running_too_long`). */
  readonly maxRunSeconds: number | undefined;
  /** Rules on pushed status gauges, all of which must pass. */
  readonly okWhen: readonly StatusRule[];
  /** Paused services probe as up with state `paused`, so their alerts stay quiet. */
  readonly paused: boolean;
  readonly maintenance: readonly MaintenanceWindow[];
}

export interface ExporterConfig {
  /** May carry `user:password@` for a Pushgateway behind basic auth. */
  readonly pushgatewayUrl: string;
  /** Sent as `Authorization: Bearer` to a Pushgateway behind a token. */
  readonly pushgatewayBearerToken: string | undefined;
  readonly scrapeIntervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly maxStaleSeconds: number;
  readonly configTtlSeconds: number;
  readonly maxClockSkewSeconds: number;
  readonly allowUnlistedTargets: boolean;
  /** Largest Pushgateway `/metrics` body read, compressed or not. */
  readonly maxBodyBytes: number;
  readonly defaults: {
    readonly job: string;
    readonly heartbeatMetric: string;
    readonly freshnessThresholdSeconds: number;
    readonly graceSeconds: number;
    readonly timezone: string;
    readonly maxRunSeconds: number | undefined;
  };
  readonly services: ReadonlyMap<string, ServiceConfig>;
}

export interface ConfigOverrides {
  /** `PUSHGATEWAY_URL` from the environment wins over `pushgateway_url`. */
  readonly pushgatewayUrl?: string | undefined;
  /** `PUSHGATEWAY_BEARER_TOKEN` from the environment wins over `pushgateway_bearer_token`. */
  readonly pushgatewayBearerToken?: string | undefined;
}

export const CONFIG_DEFAULTS = {
  scrapeIntervalSeconds: 5,
  timeoutSeconds: 5,
  maxStaleSeconds: 60,
  configTtlSeconds: 60,
  maxClockSkewSeconds: 300,
  allowUnlistedTargets: false,
  // Two snapshots (body and index, the one in use and the one being read) must fit a 128 MB Lambda
  // in the worst shape: 8 MiB is the largest that does (docs/performance.md; test/integration/snapshot-memory.test.ts).
  // A 10k-group Pushgateway renders about 3 MB.
  maxBodyBytes: 8 * 1024 * 1024,
  job: 'heartbeat',
  heartbeatMetric: 'loop_heartbeat_timestamp_seconds',
  freshnessThresholdSeconds: 10,
  // A cron job's heartbeat comes when the run ends: five minutes covers a typical run.
  graceSeconds: 300,
  timezone: 'UTC',
} as const;

const MINUTE = 60;
const DAY = 86_400;
const MIB = 1024 * 1024;

/** The values a numeric key accepts; docs/configuration-ranges.md lists them with what each key does. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly unit: 'seconds' | 'bytes' | '';
  /** Said after the maximum in an error: what it amounts to, or why it is the limit. */
  readonly maxNote?: string;
}

/**
 * Every numeric key's range, by key name (the same wherever the key appears; an alias shares its
 * key's range). The bounds keep each value where every use of it works: the one timer
 * (timeout_seconds) far below setTimeout's 2^31-1 ms, a unix time plus any threshold exact in
 * microseconds, a body within what Node can inflate and decode into one string.
 */
export const CONFIG_RANGES = {
  scrape_interval_seconds: { min: 0.001, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  // Prometheus scrapes and a Lambda invocation both end long before.
  timeout_seconds: { min: 0.1, max: 5 * MINUTE, integer: false, unit: 'seconds' },
  max_stale_seconds: { min: 0.001, max: 7 * DAY, integer: false, unit: 'seconds', maxNote: '1 week' },
  // Each reload from SSM is an API call: once a second is plenty.
  config_ttl_seconds: { min: 1, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  max_clock_skew_seconds: { min: 0.001, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  max_body_bytes: { min: 64 * 1024, max: 256 * MIB, integer: true, unit: 'bytes', maxNote: '256 MiB, the largest body the read path supports' },
  freshness_threshold_seconds: { min: 0.001, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  grace_seconds: { min: 0, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  max_run_seconds: { min: 0.001, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  replicas: { min: 1, max: 1000, integer: true, unit: '' },
} as const satisfies Record<string, NumericRange>;

export type RangedKey = keyof typeof CONFIG_RANGES;

/** "between 0.1 and 300 seconds", "between 65536 and 268435456 bytes (256 MiB, …)". */
export function describeRange(range: NumericRange): string {
  const unit = range.unit === '' ? '' : ` ${range.unit}`;
  const note = range.maxNote === undefined ? '' : ` (${range.maxNote})`;
  return `between ${range.min} and ${range.max}${unit}${note}`;
}

const TOP_LEVEL_KEYS = [
  'pushgateway_url',
  'pushgateway_bearer_token',
  'scrape_interval_seconds',
  'timeout_seconds',
  'max_stale_seconds',
  'config_ttl_seconds',
  'max_clock_skew_seconds',
  'allow_unlisted_targets',
  'max_body_bytes',
  'default_freshness_threshold_seconds',
  'defaults',
  'services',
] as const;
const DEFAULTS_KEYS = ['job', 'heartbeat_metric', 'freshness_threshold_seconds', 'grace_seconds', 'timezone', 'max_run_seconds'] as const;
const SERVICE_KEYS = [
  'name', 'job', 'heartbeat_metric', 'freshness_threshold_seconds', 'replicas', 'replica',
  'schedule', 'timezone', 'grace_seconds', 'max_run_seconds', 'ok_when', 'paused', 'maintenance',
] as const;
const MAINTENANCE_KEYS = ['from', 'to', 'reason'] as const;

type Fields = Record<string, unknown>;

/** A key's own value only: a config key named like an Object.prototype member reads as absent, never as that member. */
function own(fields: Fields, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

/** Collects every problem instead of stopping at the first, so a user fixes a config in one pass. */
class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkKeys(fields: Fields, known: readonly string[], prefix: string, problems: Problems): void {
  for (const key of Object.keys(fields)) {
    // An odd key is quoted, so a newline or quote in it cannot break the one-line error.
    const shown = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : quote(key, 60);
    if (known.includes(key)) continue;
    const near = nearestName(key, known);
    problems.add(`${prefix}${shown}`, near === undefined ? `unknown key (known keys: ${known.join(', ')})` : `unknown key; did you mean ${near}?`);
  }
}

/**
 * A number within `CONFIG_RANGES[rangeKey]`. A value of the wrong type is named as such; a number
 * out of range (NaN and ±Infinity included) gets the range.
 */
function rangedNumber(fields: Fields, key: string, path: string, rangeKey: RangedKey, problems: Problems): number | undefined {
  const value = own(fields, key);
  if (value === undefined) return undefined;
  const range: NumericRange = CONFIG_RANGES[rangeKey];
  const inRange = typeof value === 'number' && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
  if (inRange) return value;
  if (range.integer) problems.add(path, `must be a whole number ${describeRange(range)}, got ${show(value)}`);
  else if (typeof value !== 'number') problems.add(path, `must be ${range.min > 0 ? 'a positive number' : 'a number'}, got ${show(value)}`);
  else problems.add(path, `must be ${describeRange(range)}, got ${show(value)}`);
  return undefined;
}

function nonEmptyString(fields: Fields, key: string, path: string, problems: Problems): string | undefined {
  const value = own(fields, key);
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  problems.add(path, `must be a non-empty string, got ${show(value)}`);
  return undefined;
}

function metricName(fields: Fields, key: string, path: string, problems: Problems): string | undefined {
  const value = nonEmptyString(fields, key, path, problems);
  if (value === undefined || isValidMetricName(value)) return value;
  problems.add(path, `must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${show(value)}`);
  return undefined;
}

function timezone(fields: Fields, key: string, path: string, problems: Problems): string | undefined {
  const value = nonEmptyString(fields, key, path, problems);
  if (value === undefined || isKnownTimezone(value)) return value;
  problems.add(path, `unknown time zone ${show(value)} (use an IANA name such as Europe/Berlin or UTC)`);
  return undefined;
}

/** `ok_when: "loop_status == 1"` or a list of such rules. */
function statusRules(fields: Fields, path: string, problems: Problems): StatusRule[] {
  const value = own(fields, 'ok_when');
  if (value === undefined) return [];
  const texts: unknown[] = Array.isArray(value) ? value : [value];
  const rules: StatusRule[] = [];
  texts.forEach((text, index) => {
    const where = Array.isArray(value) ? `${path}[${index}]` : path;
    if (typeof text !== 'string') {
      problems.add(where, `must be a rule such as "loop_status == 1", got ${show(text)}`);
      return;
    }
    const rule = parseStatusRule(text);
    if ('error' in rule) problems.add(where, `${rule.error}, got ${show(text)}`);
    else rules.push(rule);
  });
  return rules;
}

/** `maintenance: [{from, to, reason}]` with RFC 3339 times. */
function maintenanceWindows(fields: Fields, path: string, problems: Problems): MaintenanceWindow[] {
  const value = own(fields, 'maintenance');
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, `must be a list of {from, to} windows, got ${show(value)}`);
    return [];
  }
  const windows: MaintenanceWindow[] = [];
  value.forEach((entry: unknown, index: number) => {
    const where = `${path}[${index}]`;
    if (!isFields(entry)) {
      problems.add(where, `must be a mapping with from and to, got ${show(entry)}`);
      return;
    }
    checkKeys(entry, MAINTENANCE_KEYS, `${where}.`, problems);
    const instant = (key: 'from' | 'to'): number | undefined => {
      const text = own(entry, key);
      if (text === undefined) {
        problems.add(`${where}.${key}`, 'required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)');
        return undefined;
      }
      const seconds = typeof text === 'string' ? parseRfc3339(text) : undefined;
      if (seconds === undefined) problems.add(`${where}.${key}`, `must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got ${show(text)}`);
      return seconds;
    };
    const fromSeconds = instant('from');
    const toSeconds = instant('to');
    const reason = nonEmptyString(entry, 'reason', `${where}.reason`, problems);
    if (fromSeconds === undefined || toSeconds === undefined) return;
    // Compared as the probe compares them, in whole microseconds.
    if (toMicros(toSeconds) <= toMicros(fromSeconds)) {
      problems.add(`${where}.to`, 'must be later than from');
      return;
    }
    windows.push({ fromSeconds, toSeconds, reason });
  });
  return windows;
}

function boolean(fields: Fields, key: string, path: string, problems: Problems): boolean | undefined {
  const value = own(fields, key);
  if (value === undefined || typeof value === 'boolean') return value;
  problems.add(path, `must be true or false, got ${show(value)}`);
  return undefined;
}

function httpUrl(value: string, path: string, problems: Problems): string | undefined {
  const problem = httpUrlProblem(value);
  if (problem !== undefined) {
    problems.add(path, problem);
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

function secret(fields: Fields, key: string, path: string, problems: Problems): string | undefined {
  const value = own(fields, key);
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  problems.add(path, 'must be a non-empty string (value not shown)');
  return undefined;
}

/** `schedule`, `timezone` and `grace_seconds` of one service; the last two only make sense with the first. */
function serviceSchedule(
  entry: Fields, path: string, defaults: { graceSeconds: number; timezone: string }, problems: Problems,
): ServiceSchedule | undefined {
  const expression = nonEmptyString(entry, 'schedule', `${path}.schedule`, problems);
  const zone = timezone(entry, 'timezone', `${path}.timezone`, problems);
  const grace = rangedNumber(entry, 'grace_seconds', `${path}.grace_seconds`, 'grace_seconds', problems);
  if (own(entry, 'schedule') === undefined) {
    for (const key of ['timezone', 'grace_seconds']) {
      if (own(entry, key) !== undefined) problems.add(`${path}.${key}`, 'only applies with schedule (a cron expression such as "*/15 * * * *")');
    }
    return undefined;
  }
  if (expression === undefined || (own(entry, 'timezone') !== undefined && zone === undefined)) return undefined;
  const parsed = parseSchedule(expression, zone ?? defaults.timezone);
  if ('error' in parsed) {
    problems.add(`${path}.schedule`, `${parsed.error}, got ${show(expression)}`);
    return undefined;
  }
  return { schedule: parsed.schedule, graceSeconds: grace ?? defaults.graceSeconds };
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';
/** The YAML 1.2 core schema's own tags, which resolve whenever they fit the value they tag. */
const CORE_TAGS: readonly string[] = ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'];

/** The one-line problem of a YAML error or warning; a tag is named as it is written (`!!js/function`). */
function yamlProblem(error: YAMLError): string {
  const message = (error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  if (error.code !== 'TAG_RESOLVE_FAILED') return message;
  const tag = message.replace(/^Unresolved tag: /, '');
  const core = tag.startsWith(YAML_TAG_PREFIX) ? tag.slice(YAML_TAG_PREFIX.length) : undefined;
  if (core !== undefined && CORE_TAGS.includes(core)) return `tag !!${core} does not fit its value (leave the tag out)`;
  const written = core === undefined ? tag : `!!${core}`;
  return `unsupported tag ${clip(written, 60)} (write a plain value: a string, number, true/false, list or mapping)`;
}

/**
 * Parses YAML text into plain data; syntax errors, duplicate keys, and every warning (an unknown
 * tag such as `!!js/function` or `!foo` above all: YAML would quietly read it as a string) become
 * one-line problems naming line and column.
 */
function parseYaml(text: string, problems: Problems): unknown {
  // The core schema even under a %YAML 1.1 directive, and resolveKnownTags off: !!binary, !!timestamp,
  // !!set and !!omap would make Buffers, Dates, Sets and Maps, and a Set passes for an empty mapping.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, schema: 'core', resolveKnownTags: false });
  const issues = [...doc.errors, ...doc.warnings];
  for (const error of issues) {
    const position = error.linePos?.[0];
    const where = position === undefined ? 'yaml' : `yaml line ${position.line}, column ${position.col}`;
    problems.add(where, yamlProblem(error));
  }
  if (issues.length > 0) return undefined;
  try {
    // A small alias budget keeps a "billion laughs" document from expanding without bound.
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    problems.add('yaml', error instanceof Error ? error.message : String(error));
    return undefined;
  }
}

/**
 * Parses and validates the exporter's YAML config. Pure: no I/O, no environment.
 * Throws a ConfigError listing every problem by path.
 */
export function parseConfig(text: string, overrides: ConfigOverrides = {}, source?: string): ExporterConfig {
  const problems = new Problems();
  const raw = parseYaml(text, problems);
  if (problems.list.length > 0) throw new ConfigError(problems.list, source);
  if (!isFields(raw)) {
    throw new ConfigError([`(root): must be a mapping of config keys, got ${raw === null ? 'an empty document' : show(raw)}`], source);
  }
  checkKeys(raw, TOP_LEVEL_KEYS, '', problems);

  const configuredUrl = nonEmptyString(raw, 'pushgateway_url', 'pushgateway_url', problems);
  let pushgatewayUrl: string | undefined;
  if (overrides.pushgatewayUrl) {
    pushgatewayUrl = httpUrl(overrides.pushgatewayUrl, 'PUSHGATEWAY_URL (environment)', problems);
  } else if (configuredUrl !== undefined) {
    pushgatewayUrl = httpUrl(configuredUrl, 'pushgateway_url', problems);
  } else if (own(raw, 'pushgateway_url') === undefined) {
    problems.add('pushgateway_url', 'required (or set the PUSHGATEWAY_URL environment variable)');
  }

  const configuredToken = secret(raw, 'pushgateway_bearer_token', 'pushgateway_bearer_token', problems);
  const pushgatewayBearerToken = overrides.pushgatewayBearerToken || configuredToken;
  const number = (key: RangedKey) => rangedNumber(raw, key, key, key, problems);
  const scrapeIntervalSeconds = number('scrape_interval_seconds');
  const timeoutSeconds = number('timeout_seconds');
  const maxStaleSeconds = number('max_stale_seconds');
  const configTtlSeconds = number('config_ttl_seconds');
  const maxClockSkewSeconds = number('max_clock_skew_seconds');
  const allowUnlistedTargets = boolean(raw, 'allow_unlisted_targets', 'allow_unlisted_targets', problems);
  const legacyThreshold = rangedNumber(raw, 'default_freshness_threshold_seconds', 'default_freshness_threshold_seconds', 'freshness_threshold_seconds', problems);
  const maxBodyBytes = number('max_body_bytes');

  let defaultsJob: string | undefined;
  let defaultsMetric: string | undefined;
  let defaultsThreshold: number | undefined;
  let defaultsGrace: number | undefined;
  let defaultsTimezone: string | undefined;
  let defaultsMaxRun: number | undefined;
  const rawDefaults = own(raw, 'defaults');
  if (rawDefaults !== undefined) {
    if (!isFields(rawDefaults)) {
      problems.add('defaults', `must be a mapping, got ${show(rawDefaults)}`);
    } else {
      const d = rawDefaults;
      checkKeys(d, DEFAULTS_KEYS, 'defaults.', problems);
      defaultsJob = nonEmptyString(d, 'job', 'defaults.job', problems);
      defaultsMetric = metricName(d, 'heartbeat_metric', 'defaults.heartbeat_metric', problems);
      defaultsThreshold = rangedNumber(d, 'freshness_threshold_seconds', 'defaults.freshness_threshold_seconds', 'freshness_threshold_seconds', problems);
      defaultsGrace = rangedNumber(d, 'grace_seconds', 'defaults.grace_seconds', 'grace_seconds', problems);
      defaultsTimezone = timezone(d, 'timezone', 'defaults.timezone', problems);
      defaultsMaxRun = rangedNumber(d, 'max_run_seconds', 'defaults.max_run_seconds', 'max_run_seconds', problems);
      if (defaultsThreshold !== undefined && legacyThreshold !== undefined) {
        problems.add(
          'default_freshness_threshold_seconds',
          'is an alias of defaults.freshness_threshold_seconds; set only one of them',
        );
      }
    }
  }

  const defaults = {
    job: defaultsJob ?? CONFIG_DEFAULTS.job,
    heartbeatMetric: defaultsMetric ?? CONFIG_DEFAULTS.heartbeatMetric,
    freshnessThresholdSeconds: defaultsThreshold ?? legacyThreshold ?? CONFIG_DEFAULTS.freshnessThresholdSeconds,
    graceSeconds: defaultsGrace ?? CONFIG_DEFAULTS.graceSeconds,
    timezone: defaultsTimezone ?? CONFIG_DEFAULTS.timezone,
    maxRunSeconds: defaultsMaxRun,
  };

  const services = new Map<string, ServiceConfig>();
  const firstIndex = new Map<string, number>();
  const rawServices = own(raw, 'services');
  if (rawServices !== undefined && rawServices !== null) {
    if (!Array.isArray(rawServices)) {
      problems.add('services', `must be a list of services, got ${show(rawServices)}`);
    } else {
      rawServices.forEach((entry: unknown, index: number) => {
        const path = `services[${index}]`;
        if (!isFields(entry)) {
          problems.add(path, `must be a mapping with at least a name, got ${show(entry)}`);
          return;
        }
        checkKeys(entry, SERVICE_KEYS, `${path}.`, problems);
        const name = nonEmptyString(entry, 'name', `${path}.name`, problems);
        if (own(entry, 'name') === undefined) problems.add(`${path}.name`, 'required');
        const job = nonEmptyString(entry, 'job', `${path}.job`, problems);
        const heartbeatMetric = metricName(entry, 'heartbeat_metric', `${path}.heartbeat_metric`, problems);
        const threshold = rangedNumber(entry, 'freshness_threshold_seconds', `${path}.freshness_threshold_seconds`, 'freshness_threshold_seconds', problems);
        const replicas = rangedNumber(entry, 'replicas', `${path}.replicas`, 'replicas', problems);
        const replica = rangedNumber(entry, 'replica', `${path}.replica`, 'replicas', problems);
        if (own(entry, 'replicas') !== undefined && own(entry, 'replica') !== undefined) {
          problems.add(`${path}.replica`, 'is an alias of replicas; set only one of them');
        }
        const schedule = serviceSchedule(entry, path, defaults, problems);
        if (own(entry, 'schedule') !== undefined && own(entry, 'freshness_threshold_seconds') !== undefined) {
          problems.add(`${path}.freshness_threshold_seconds`, 'a service has either schedule or freshness_threshold_seconds, not both');
        }
        const maxRunSeconds = rangedNumber(entry, 'max_run_seconds', `${path}.max_run_seconds`, 'max_run_seconds', problems);
        const okWhen = statusRules(entry, `${path}.ok_when`, problems);
        const paused = boolean(entry, 'paused', `${path}.paused`, problems);
        const maintenance = maintenanceWindows(entry, `${path}.maintenance`, problems);
        if (name === undefined) return;
        const previous = firstIndex.get(name);
        if (previous !== undefined) {
          problems.add(`${path}.name`, `duplicate service name ${show(name)} (first defined at services[${previous}])`);
          return;
        }
        firstIndex.set(name, index);
        services.set(name, {
          name,
          job: job ?? defaults.job,
          heartbeatMetric: heartbeatMetric ?? defaults.heartbeatMetric,
          freshnessThresholdSeconds: schedule === undefined ? (threshold ?? defaults.freshnessThresholdSeconds) : undefined,
          schedule,
          replicas: replicas ?? replica,
          maxRunSeconds: maxRunSeconds ?? defaults.maxRunSeconds,
          okWhen,
          paused: paused ?? false,
          maintenance,
        });
      });
    }
  }

  if (problems.list.length > 0 || pushgatewayUrl === undefined) throw new ConfigError(problems.list, source);

  return {
    pushgatewayUrl,
    pushgatewayBearerToken,
    scrapeIntervalSeconds: scrapeIntervalSeconds ?? CONFIG_DEFAULTS.scrapeIntervalSeconds,
    timeoutSeconds: timeoutSeconds ?? CONFIG_DEFAULTS.timeoutSeconds,
    maxStaleSeconds: maxStaleSeconds ?? CONFIG_DEFAULTS.maxStaleSeconds,
    configTtlSeconds: configTtlSeconds ?? CONFIG_DEFAULTS.configTtlSeconds,
    maxClockSkewSeconds: maxClockSkewSeconds ?? CONFIG_DEFAULTS.maxClockSkewSeconds,
    allowUnlistedTargets: allowUnlistedTargets ?? CONFIG_DEFAULTS.allowUnlistedTargets,
    maxBodyBytes: maxBodyBytes ?? CONFIG_DEFAULTS.maxBodyBytes,
    defaults,
    services,
  };
}

/** The service a probe target names: configured, or built from defaults when unlisted targets are allowed. */
export function resolveService(config: ExporterConfig, target: string): ServiceConfig | undefined {
  const configured = config.services.get(target);
  if (configured) return configured;
  if (!config.allowUnlistedTargets) return undefined;
  return {
    name: target,
    job: config.defaults.job,
    heartbeatMetric: config.defaults.heartbeatMetric,
    freshnessThresholdSeconds: config.defaults.freshnessThresholdSeconds,
    schedule: undefined,
    replicas: undefined,
    maxRunSeconds: config.defaults.maxRunSeconds,
    okWhen: [],
    paused: false,
    maintenance: [],
  };
}
