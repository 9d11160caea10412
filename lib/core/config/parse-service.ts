import type { ScheduleParser } from '../rules/schedule-types.ts';
import type { ServiceConfig, ServiceDefaults } from './config-types.ts';
import { isFields, show, type FieldReader } from './field-rules.ts';
import { shardOf } from './pushgateway-urls.ts';
import { maintenanceWindows, okWhenRules, serviceSchedule } from './service-fields.ts';

/** The keys of a `services:` entry, in the order they are read (and problems listed). */
const SERVICE_KEYS = [
  'name', 'job', 'heartbeat_metric', 'freshness_threshold_seconds', 'replicas', 'replica',
  'schedule', 'timezone', 'grace_seconds', 'max_run_seconds', 'ok_when', 'paused', 'maintenance',
  'expire_after_seconds', 'pushgateways',
] as const;

/**
 * The service a name gets from the defaults alone: an unlisted target (when allowed), and the
 * starting point of every listed service, whose keys then replace what they set.
 */
export function serviceFromDefaults(name: string, defaults: ServiceDefaults): ServiceConfig {
  return {
    name,
    job: defaults.job,
    heartbeatMetric: defaults.heartbeatMetric,
    freshnessThresholdSeconds: defaults.freshnessThresholdSeconds,
    schedule: undefined,
    replicas: undefined,
    maxRunSeconds: defaults.maxRunSeconds,
    okWhen: [],
    paused: false,
    maintenance: [],
    ...(defaults.expireAfterSeconds === undefined ? {} : { expireAfterSeconds: defaults.expireAfterSeconds }),
    ...(defaults.pushgateways === undefined ? {} : { pushgateways: defaults.pushgateways }),
  };
}

/**
 * One `services:` entry, read by `read` (at `services[i].`): every key is checked, so all its
 * problems are found; undefined when it has no usable name.
 */
function parseService(read: FieldReader, defaults: ServiceDefaults, urls: readonly string[] | undefined, parseSchedule: ScheduleParser): ServiceConfig | undefined {
  read.unknownKeys(SERVICE_KEYS);
  const name = read.nonEmptyString('name');
  if (!read.has('name')) read.problem('name', 'required');
  const job = read.nonEmptyString('job');
  const heartbeatMetric = read.metricName('heartbeat_metric');
  const threshold = read.number('freshness_threshold_seconds');
  const replicas = read.number('replicas');
  const replica = read.number('replica', 'replicas');
  if (read.has('replicas') && read.has('replica')) read.problem('replica', 'is an alias of replicas; set only one of them');
  const schedule = serviceSchedule(read, defaults, parseSchedule);
  if (read.has('schedule') && read.has('freshness_threshold_seconds')) {
    read.problem('freshness_threshold_seconds', 'a service has either schedule or freshness_threshold_seconds, not both');
  }
  const maxRunSeconds = read.number('max_run_seconds');
  const okWhen = okWhenRules(read);
  const paused = read.boolean('paused');
  const maintenance = maintenanceWindows(read);
  const expireAfterSeconds = expireAfter(read);
  const pushgateways = shardOf(read, urls);
  if (name === undefined) return undefined;

  const service = serviceFromDefaults(name, defaults);
  return withExpiry({
    ...service,
    job: job ?? service.job,
    heartbeatMetric: heartbeatMetric ?? service.heartbeatMetric,
    // A scheduled service is judged by its schedule, not by a heartbeat's age.
    freshnessThresholdSeconds: schedule === undefined ? (threshold ?? service.freshnessThresholdSeconds) : undefined,
    schedule,
    replicas: replicas ?? replica,
    maxRunSeconds: maxRunSeconds ?? service.maxRunSeconds,
    okWhen,
    paused: paused ?? service.paused,
    maintenance,
    ...(pushgateways === undefined ? {} : { pushgateways }),
  }, expireAfterSeconds);
}

/** A service's own `expire_after_seconds` replaces the top-level one; `never` removes it. */
function withExpiry(service: ServiceConfig, expireAfterSeconds: number | 'never' | undefined): ServiceConfig {
  if (expireAfterSeconds === undefined) return service;
  if (expireAfterSeconds !== 'never') return { ...service, expireAfterSeconds };
  const { expireAfterSeconds: _topLevel, ...kept } = service;
  return kept;
}

/**
 * A service's `expire_after_seconds`: a number in range, or `never`, which opts the service out of
 * a top-level expiry (docs/operations.md#expiring-dead-groups).
 */
function expireAfter(read: FieldReader): number | 'never' | undefined {
  const value = read.value('expire_after_seconds');
  if (value === 'never') return 'never';
  if (typeof value === 'string') {
    read.problem('expire_after_seconds', `must be a positive number or never, got ${show(value)}`);
    return undefined;
  }
  return read.number('expire_after_seconds');
}

/** The `services:` list of the top-level mapping `top`, by name; a name given twice is a problem. */
export function parseServices(
  top: FieldReader, defaults: ServiceDefaults, urls: readonly string[] | undefined, parseSchedule: ScheduleParser,
): Map<string, ServiceConfig> {
  const services = new Map<string, ServiceConfig>();
  const value = top.value('services');
  if (value === undefined || value === null) return services;
  if (!Array.isArray(value)) {
    top.problem('services', `must be a list of services, got ${show(value)}`);
    return services;
  }
  const firstIndex = new Map<string, number>();
  value.forEach((entry: unknown, index: number) => {
    const key = `services[${index}]`;
    if (!isFields(entry)) {
      top.problem(key, `must be a mapping with at least a name, got ${show(entry)}`);
      return;
    }
    const service = parseService(top.nested(key, entry), defaults, urls, parseSchedule);
    if (service === undefined) return;
    const previous = firstIndex.get(service.name);
    if (previous !== undefined) {
      top.problem(`${key}.name`, `duplicate service name ${show(service.name)} (first defined at services[${previous}])`);
      return;
    }
    firstIndex.set(service.name, index);
    services.set(service.name, service);
  });
  return services;
}
