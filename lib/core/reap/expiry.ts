import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import type { Labels } from '../exposition/exposition-types.ts';
import { deadlineAfter } from '../probe/deadline.ts';
import { activeMaintenance } from '../rules/maintenance-window.ts';
import type { HeartbeatPusher } from '../snapshot/snapshot.ts';

// Which Pushgateway groups the reaper deletes (docs/operations.md#expiring-dead-groups). Pure: the
// groups and `now` are arguments; the reads and DELETEs are lib/edges/pushgateway/pushgateway-groups.ts.

/** One sample of a group, as much of it as attribution needs. */
export interface GroupSample {
  readonly name: string;
  /** The sample's `service` label, if it has one. */
  readonly service: string | undefined;
}

/** One Pushgateway group: its grouping key exactly as Pushgateway holds it, and what it holds. */
export interface GatewayGroup {
  /** The grouping key, `job` included: what a DELETE names. */
  readonly labels: Labels;
  /** Pushgateway's `push_time_seconds` of the group; undefined when it shows none, or 0 (never pushed successfully). */
  readonly pushTimeSeconds: number | undefined;
  /** Pushgateway's `push_failure_time_seconds` of the group; undefined when it shows none, or 0 (no push failed). */
  readonly pushFailureTimeSeconds?: number | undefined;
  readonly samples: readonly GroupSample[];
}

/** A group the reaper deletes, and why. */
export interface ExpiredGroup {
  readonly group: GatewayGroup;
  readonly service: string;
  readonly ageSeconds: number;
  readonly expireAfterSeconds: number;
}

/** What a sweep decided: the groups to delete, and how many it left alone because no configured service owns them. */
export interface ExpiryDecision {
  readonly expired: readonly ExpiredGroup[];
  readonly unattributed: number;
}

/** The group's identity, whatever order its labels come in: a re-read group is matched by it. */
export function groupId(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Names the group for a person as its DELETE path does: `job="x",instance="y",…`, job first. */
export function describeGroup(labels: Labels): string {
  const { job, ...rest } = labels;
  const pairs = job === undefined ? Object.entries(rest) : [['job', job], ...Object.entries(rest)];
  return pairs.map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',');
}

/**
 * The one configured service a group belongs to, by the probe's own two lookup steps
 * (docs/probe-rules.md#how-the-heartbeat-is-found), or undefined:
 * 1. its grouping key has `job` = the service's job and `instance` = the service's name;
 * 2. it holds the service's heartbeat metric labelled `service="<name>"` (the only metric the probe
 *    looks for outside the service's own group: run signals and ok_when metrics are read from the
 *    group the heartbeat was found in, so they claim nothing).
 * A group two services could claim, or holding any sample labelled with another `service` (configured
 * or not), belongs to none: deleting it would delete another service's data.
 */
export function attributeGroup(group: GatewayGroup, config: Pick<ExporterConfig, 'services'>): ServiceConfig | undefined {
  const claims = new Set<ServiceConfig>();
  const { job, instance } = group.labels;
  if (job !== undefined && instance !== undefined) {
    const own = config.services.get(instance);
    if (own !== undefined && own.job === job) claims.add(own);
  }
  const labelled = new Set<string>();
  for (const sample of group.samples) if (sample.service !== undefined) labelled.add(sample.service);
  for (const name of labelled) {
    const service = config.services.get(name);
    if (service === undefined) continue;
    if (group.samples.some((sample) => sample.service === name && sample.name === service.heartbeatMetric)) claims.add(service);
  }
  if (claims.size !== 1) return undefined;
  const [service] = claims;
  if (service === undefined || [...labelled].some((name) => name !== service.name)) return undefined;
  return service;
}

/**
 * Who pushed the heartbeat `metric` among `groups`, as discovery counts them
 * (lib/core/discovery/discovered-services.ts): a group under `job` holding it names its `instance`;
 * a sample of it labelled `service` names that service, under its group's job.
 */
export function heartbeatPushersOfGroups(groups: Iterable<GatewayGroup>, metric: string, job: string): HeartbeatPusher[] {
  const pushers: HeartbeatPusher[] = [];
  for (const group of groups) {
    const { job: groupJob, instance } = group.labels;
    let holds = false;
    for (const sample of group.samples) {
      if (sample.name !== metric) continue;
      holds = true;
      if (sample.service !== undefined) pushers.push({ name: sample.service, job: groupJob ?? '', instance: instance ?? '' });
    }
    if (holds && groupJob === job && instance !== undefined) pushers.push({ name: instance, job, instance });
  }
  return pushers;
}

/**
 * Whether the reaper may delete a group of `service` pushed at `pushTimeSeconds`: older than the
 * service's `expire_after_seconds`, and past everything that could still make it matter — the
 * probe already calls it late (past the threshold, or the next scheduled run plus grace), a run it
 * started is past `max_run_seconds`, and the service is neither paused nor in maintenance.
 */
function isExpired(service: ServiceConfig, pushTimeSeconds: number, nowSeconds: number): { ageSeconds: number; expireAfterSeconds: number } | undefined {
  const expireAfterSeconds = service.expireAfterSeconds;
  if (expireAfterSeconds === undefined || service.paused) return undefined;
  if (activeMaintenance(service.maintenance, nowSeconds) !== undefined) return undefined;
  const ageSeconds = nowSeconds - pushTimeSeconds;
  if (!(ageSeconds > expireAfterSeconds)) return undefined;
  if (service.maxRunSeconds !== undefined && !(ageSeconds > service.maxRunSeconds)) return undefined;
  if (!(deadlineAfter(pushTimeSeconds, service, nowSeconds).lateSeconds > 0)) return undefined;
  return { ageSeconds, expireAfterSeconds };
}

/** The groups a sweep at `nowSeconds` deletes, oldest first. */
export function expiredGroups(groups: Iterable<GatewayGroup>, config: Pick<ExporterConfig, 'services'>, nowSeconds: number): ExpiryDecision {
  const expired: ExpiredGroup[] = [];
  let unattributed = 0;
  for (const group of groups) {
    const service = attributeGroup(group, config);
    if (service === undefined) {
      unattributed += 1;
      continue;
    }
    // No push time, or one that is not a number: its age is unknown, so it is never old enough.
    if (group.pushTimeSeconds === undefined || !Number.isFinite(group.pushTimeSeconds)) continue;
    // A push that failed since the service's expiry began is evidence an operator alerts on
    // (push_failure_time_seconds): the group stays while it is that recent.
    const failedAgo = group.pushFailureTimeSeconds === undefined ? Number.POSITIVE_INFINITY : nowSeconds - group.pushFailureTimeSeconds;
    if (service.expireAfterSeconds !== undefined && !(failedAgo > service.expireAfterSeconds)) continue;
    const verdict = isExpired(service, group.pushTimeSeconds, nowSeconds);
    if (verdict !== undefined) expired.push({ group, service: service.name, ...verdict });
  }
  expired.sort((a, b) => b.ageSeconds - a.ageSeconds);
  return { expired, unattributed };
}

/**
 * Whether a group the sweep chose is still to be deleted once re-read just before its DELETE: still
 * there, still attributed to the same service, and still expired. A push since the sweep's read
 * gave it a new `push_time_seconds`, so it is kept.
 */
export function stillExpired(chosen: ExpiredGroup, reread: GatewayGroup | undefined, config: Pick<ExporterConfig, 'services'>, nowSeconds: number): boolean {
  if (reread === undefined || reread.pushTimeSeconds !== chosen.group.pushTimeSeconds) return false;
  const [again] = expiredGroups([reread], config, nowSeconds).expired;
  return again !== undefined && again.service === chosen.service;
}
