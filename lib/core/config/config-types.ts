import type { MaintenanceWindow } from '../rules/maintenance-window.ts';
import type { OkWhenRule } from '../rules/ok-when.ts';
import type { Schedule } from '../rules/schedule-types.ts';

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
  readonly okWhen: readonly OkWhenRule[];
  /** Paused services probe as up with state `paused`, so their alerts stay quiet. */
  readonly paused: boolean;
  readonly maintenance: readonly MaintenanceWindow[];
  /**
   * The reaper deletes the service's Pushgateway groups whose `push_time_seconds` is older than this
   * (docs/operations.md#expiring-dead-groups); undefined: never.
   */
  readonly expireAfterSeconds?: number | undefined;
  /** True on a service found in the Pushgateway by `discover_services`, absent on a configured one (docs/discovery.md). */
  readonly discovered?: true;
  /**
   * The Pushgateways that hold the service (its shard, docs/high-availability.md#sharding), each one
   * of `ExporterConfig.pushgatewayUrls`; undefined: every one.
   */
  readonly pushgateways?: readonly string[] | undefined;
}

/** What a service gets for each key it leaves out (the `defaults:` mapping, filled in from CONFIG_DEFAULTS). */
export interface ServiceDefaults {
  readonly job: string;
  readonly heartbeatMetric: string;
  readonly freshnessThresholdSeconds: number;
  readonly graceSeconds: number;
  readonly timezone: string;
  readonly maxRunSeconds: number | undefined;
  /** The top-level `expire_after_seconds`, which a service's own key overrides; undefined: never. */
  readonly expireAfterSeconds?: number | undefined;
  /** `defaults.pushgateways`: the shard of every service that names none; undefined: every Pushgateway. */
  readonly pushgateways?: readonly string[] | undefined;
}

export interface ExporterConfig {
  /**
   * The Pushgateways read (and merged, docs/high-availability.md), 1 to MAX_PUSHGATEWAYS, distinct,
   * without trailing slashes; each may carry `user:password@` for a Pushgateway behind basic auth.
   */
  readonly pushgatewayUrls: readonly string[];
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
  /** The top-level `expire_after_seconds` (each service's own, resolved, is on the service); undefined: never. */
  readonly expireAfterSeconds?: number | undefined;
  readonly defaults: ServiceDefaults;
  readonly services: ReadonlyMap<string, ServiceConfig>;
  /** `discover_services: true` and its keys; absent when discovery is off (docs/discovery.md). */
  readonly discovery?: DiscoveryConfig | undefined;
}

/** What `discover_services` probes beyond the configured services. */
export interface DiscoveryConfig {
  /** `discover_jobs`: job-name regular expressions (sources), one of which a pusher's job must match; empty: any job. */
  readonly jobPatterns: readonly string[];
  /** `max_discovered_services`: the most services discovery adds, the first by name. */
  readonly maxServices: number;
}

export interface ConfigOverrides {
  /** `PUSHGATEWAY_URL` from the environment (one URL or a comma-separated list) wins over `pushgateway_url`. */
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
  // A hostile pusher can push any number of names: a thousand probes fit one /probes answer.
  maxDiscoveredServices: 1000,
} as const;
