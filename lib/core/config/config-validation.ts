import { ConfigError } from '../errors.ts';
import { CONFIG_DEFAULTS, type ConfigOverrides, type ExporterConfig, type ServiceDefaults } from './config-types.ts';
import { tokenProblem, trimToken } from './bearer-tokens.ts';
import { FieldReader, isFields, Problems, show } from './field-rules.ts';
import { parseServices } from './parse-service.ts';
import { discoveryConfig } from './discovery-config.ts';
import { pushgatewayUrls, shardOf } from './pushgateway-urls.ts';
import type { ScheduleParser } from '../rules/schedule-types.ts';

/** The top-level keys, in the order docs/configuration.md and the unknown-key message list them. */
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
  'expire_after_seconds',
  'discover_services',
  'discover_jobs',
  'max_discovered_services',
  'default_freshness_threshold_seconds',
  'defaults',
  'services',
] as const;
const DEFAULTS_KEYS = ['job', 'heartbeat_metric', 'freshness_threshold_seconds', 'grace_seconds', 'timezone', 'max_run_seconds', 'pushgateways'] as const;

/**
 * `pushgateway_bearer_token`, trimmed and checked by the rules of `PUSHGATEWAY_BEARER_TOKEN`
 * (docs/security-model.md), even when that variable from the environment overrides it: a token
 * with a line break would fail every read at the header, long after the config was accepted.
 */
function pushgatewayBearerToken(top: FieldReader, override: string | undefined): string | undefined {
  const configured = top.secret('pushgateway_bearer_token');
  const token = configured === undefined ? undefined : trimToken(configured);
  const problem = token === undefined ? undefined : tokenProblem(token, 'it');
  if (problem !== undefined) top.problem('pushgateway_bearer_token', `${problem} (value not shown)`);
  return override || (problem === undefined ? token : undefined);
}

/** The keys `defaults:` sets, each read by its rule. */
function givenDefaults(top: FieldReader, urls: readonly string[] | undefined): Partial<ServiceDefaults> {
  const value = top.value('defaults');
  if (value === undefined) return {};
  if (!isFields(value)) {
    top.problem('defaults', `must be a mapping, got ${show(value)}`);
    return {};
  }
  const read = top.nested('defaults', value);
  read.unknownKeys(DEFAULTS_KEYS);
  return {
    job: read.nonEmptyString('job'),
    heartbeatMetric: read.metricName('heartbeat_metric'),
    freshnessThresholdSeconds: read.number('freshness_threshold_seconds'),
    graceSeconds: read.number('grace_seconds'),
    timezone: read.timezone('timezone'),
    maxRunSeconds: read.number('max_run_seconds'),
    pushgateways: shardOf(read, urls),
  };
}

/**
 * What a service gets for each key it leaves out: `defaults:`, then CONFIG_DEFAULTS. `legacyThreshold`
 * is `default_freshness_threshold_seconds`, the older spelling of `defaults.freshness_threshold_seconds`.
 */
function serviceDefaults(
  top: FieldReader, legacyThreshold: number | undefined, expireAfterSeconds: number | undefined, urls: readonly string[] | undefined,
): ServiceDefaults {
  const given = givenDefaults(top, urls);
  if (given.freshnessThresholdSeconds !== undefined && legacyThreshold !== undefined) {
    top.problem('default_freshness_threshold_seconds', 'is an alias of defaults.freshness_threshold_seconds; set only one of them');
  }
  return {
    job: given.job ?? CONFIG_DEFAULTS.job,
    heartbeatMetric: given.heartbeatMetric ?? CONFIG_DEFAULTS.heartbeatMetric,
    freshnessThresholdSeconds: given.freshnessThresholdSeconds ?? legacyThreshold ?? CONFIG_DEFAULTS.freshnessThresholdSeconds,
    graceSeconds: given.graceSeconds ?? CONFIG_DEFAULTS.graceSeconds,
    timezone: given.timezone ?? CONFIG_DEFAULTS.timezone,
    maxRunSeconds: given.maxRunSeconds,
    // Present only when set, so a config without expiry reads exactly as before it existed.
    ...(expireAfterSeconds === undefined ? {} : { expireAfterSeconds }),
    // Present only when set: an unsharded config reads every Pushgateway, exactly as before shards existed.
    ...(given.pushgateways === undefined ? {} : { pushgateways: given.pushgateways }),
  };
}

/**
 * Validates a parsed config (plain data, as parseConfigYaml returns it) and fills in defaults,
 * compiling each service's `schedule` with `parseSchedule` (lib/core/config/validate-config.ts
 * passes croner's; a loader that knows the data has no schedule need not load croner,
 * docs/deploying.md#cold-start). Pure: no I/O, no environment (its overrides come as an argument).
 * Throws a ConfigError listing every problem by path.
 */
export function validateConfigData(raw: unknown, overrides: ConfigOverrides, source: string | undefined, parseSchedule: ScheduleParser): ExporterConfig {
  if (!isFields(raw)) {
    throw new ConfigError([`(root): must be a mapping of config keys, got ${raw === null ? 'an empty document' : show(raw)}`], source);
  }
  const problems = new Problems();
  const top = new FieldReader(raw, '', problems);
  top.unknownKeys(TOP_LEVEL_KEYS);
  // Each top-level key, its rule and the field it gives, in the order read: problems are listed in it.
  const given = {
    pushgatewayUrls: pushgatewayUrls(top, overrides.pushgatewayUrl, problems),
    pushgatewayBearerToken: pushgatewayBearerToken(top, overrides.pushgatewayBearerToken),
    scrapeIntervalSeconds: top.number('scrape_interval_seconds'),
    timeoutSeconds: top.number('timeout_seconds'),
    maxStaleSeconds: top.number('max_stale_seconds'),
    configTtlSeconds: top.number('config_ttl_seconds'),
    maxClockSkewSeconds: top.number('max_clock_skew_seconds'),
    allowUnlistedTargets: top.boolean('allow_unlisted_targets'),
    legacyFreshnessThresholdSeconds: top.number('default_freshness_threshold_seconds', 'freshness_threshold_seconds'),
    maxBodyBytes: top.number('max_body_bytes'),
    expireAfterSeconds: top.number('expire_after_seconds'),
  };
  const defaults = serviceDefaults(top, given.legacyFreshnessThresholdSeconds, given.expireAfterSeconds, given.pushgatewayUrls);
  const services = parseServices(top, defaults, given.pushgatewayUrls, parseSchedule);
  const discovery = discoveryConfig(top);
  if (problems.list.length > 0 || given.pushgatewayUrls === undefined) throw new ConfigError(problems.list, source);

  return {
    pushgatewayUrls: given.pushgatewayUrls,
    pushgatewayBearerToken: given.pushgatewayBearerToken,
    scrapeIntervalSeconds: given.scrapeIntervalSeconds ?? CONFIG_DEFAULTS.scrapeIntervalSeconds,
    timeoutSeconds: given.timeoutSeconds ?? CONFIG_DEFAULTS.timeoutSeconds,
    maxStaleSeconds: given.maxStaleSeconds ?? CONFIG_DEFAULTS.maxStaleSeconds,
    configTtlSeconds: given.configTtlSeconds ?? CONFIG_DEFAULTS.configTtlSeconds,
    maxClockSkewSeconds: given.maxClockSkewSeconds ?? CONFIG_DEFAULTS.maxClockSkewSeconds,
    allowUnlistedTargets: given.allowUnlistedTargets ?? CONFIG_DEFAULTS.allowUnlistedTargets,
    maxBodyBytes: given.maxBodyBytes ?? CONFIG_DEFAULTS.maxBodyBytes,
    ...(given.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: given.expireAfterSeconds }),
    defaults,
    services,
    // Present only when on, so a config without discovery reads exactly as before it existed.
    ...(discovery === undefined ? {} : { discovery }),
  };
}
