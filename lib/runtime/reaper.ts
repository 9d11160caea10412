import type { ExporterConfig } from '../core/config/config-types.ts';
import { describeError } from '../core/errors.ts';
import { clip } from '../core/quote.ts';
import { redactUrl } from '../core/config/redact-url.ts';
import { describeGroup, expiredGroups, groupId, heartbeatPushersOfGroups, stillExpired, type ExpiredGroup, type GatewayGroup } from '../core/reap/expiry.ts';
import { discoveredAmong } from './discovery.ts';
import { REAPER_JOB, sweepFamilies } from '../core/reap/reaper-metrics.ts';
import type { Clock } from '../core/time/clock.ts';
import { roundSeconds } from '../core/time/round-seconds.ts';
import type { Logger } from '../edges/logger.ts';
import type { GroupsAccess, PushgatewayGroups } from '../edges/pushgateway/pushgateway-groups.ts';
import type { PushgatewayPusher } from '../edges/pushgateway/pushgateway-pusher.ts';

/**
 * `/api/v1/metrics` is JSON, several times the text exposition (11.6 MB against 4.0 MB at 10,000
 * groups, docs/operations.md#expiring-dead-groups): the read limit is that many `max_body_bytes`.
 */
const JSON_BODY_FACTOR = 4;

/**
 * Each of a sweep's requests (a read of every group, a DELETE, the push of its metrics) may take
 * this long. Not the probe's `timeout_seconds`: a read of the whole JSON API took 3 s at 10,000
 * groups, and a sweep has no scrape waiting on it.
 */
export const SWEEP_REQUEST_TIMEOUT_MS = 60_000;

/**
 * How long after a re-read's answer its DELETEs may still be sent, at most: a push in that time can
 * be lost (docs/operations.md#expiring-dead-groups). The window is also never longer than the
 * re-read itself took, the time in which a push is lost either way (Pushgateway has no
 * conditional DELETE): a small Pushgateway, read in milliseconds, is re-read before every DELETE;
 * a 10k-group one, read in a second or more, serves the DELETEs of a second.
 */
export const REREAD_VALID_MS = 1000;

export interface SweepPorts {
  readonly groups: Pick<PushgatewayGroups, 'list' | 'delete'>;
  readonly clock: Clock;
  /** A monotonic clock's milliseconds, for the sweep's duration. */
  readonly monotonicMs: () => number;
  readonly logger: Logger;
  /** Pushes the sweep's own metrics; absent: they are not pushed (a dry run pushes none). */
  readonly pusher?: Pick<PushgatewayPusher, 'push'> | undefined;
  /** Whether to stop before the next group (a Lambda near its timeout): the next sweep goes on. */
  readonly stopNow?: () => boolean;
  /** Runs after the sweep's decision, just before each re-read (with the groups still to go): where a test pushes to race the sweep. */
  readonly beforeReread?: (pending: readonly ExpiredGroup[]) => Promise<void> | void;
}

export interface SweepResult {
  readonly success: boolean;
  readonly error: string | undefined;
  /** Deleted, or with a dry run, to be deleted. */
  readonly deleted: readonly ExpiredGroup[];
  /** Chosen by the sweep's read but pushed again (or gone) by the re-read before the DELETE: kept. */
  readonly kept: number;
  readonly groups: number;
  readonly unattributed: number;
  readonly durationSeconds: number;
}

const groupFields = (expired: ExpiredGroup) => ({
  group: clip(describeGroup(expired.group.labels), 300), service: clip(expired.service, 200),
  age_seconds: roundSeconds(expired.ageSeconds, 'milli'), expire_after_seconds: expired.expireAfterSeconds,
});

/**
 * The services a sweep attributes groups to: the configured ones, plus (with discover_services) those
 * discovered among the groups it read, whose expiry is the top-level expire_after_seconds.
 */
function attributableServices(config: ExporterConfig, groups: readonly GatewayGroup[]): Pick<ExporterConfig, 'services'> {
  if (config.discovery === undefined) return config;
  const discovered = discoveredAmong(config, heartbeatPushersOfGroups(groups, config.defaults.heartbeatMetric, config.defaults.job));
  if (discovered.services.size === 0) return config;
  return { services: new Map([...config.services, ...discovered.services]) };
}

/** Where the sweep reads and deletes: one of the config's Pushgateways (the first by default), with its token, timeout and a JSON-sized read limit. */
export function groupsAccess(config: ExporterConfig, pushgatewayUrl: string = config.pushgatewayUrls[0] ?? ''): GroupsAccess {
  return {
    pushgatewayUrl, bearerToken: config.pushgatewayBearerToken,
    timeoutMs: SWEEP_REQUEST_TIMEOUT_MS, maxBodyBytes: config.maxBodyBytes * JSON_BODY_FACTOR,
  };
}

/**
 * One sweep (docs/operations.md#expiring-dead-groups): read every group, choose the expired ones
 * (lib/core/reap/expiry.ts), then re-read and DELETE each only if it is still expired, so a push
 * that landed since the read survives; a re-read serves the DELETEs of its window (REREAD_VALID_MS).
 * Every deletion is logged. A dry run reads once and deletes nothing. Never throws: a failure ends
 * the sweep and is its outcome.
 */
export async function sweep(config: ExporterConfig, ports: SweepPorts, options: { readonly dryRun: boolean }): Promise<SweepResult> {
  const { clock, logger } = ports;
  const started = ports.monotonicMs();
  // Every Pushgateway in turn (docs/high-availability.md#the-reaper): a group on one is judged by its own push time there.
  const each: GatewaySweep[] = [];
  for (const url of config.pushgatewayUrls) {
    if (each.length > 0 && ports.stopNow?.() === true) break;
    each.push(await sweepGateway(config, url, ports, options));
  }
  const several = config.pushgatewayUrls.length > 1;
  const errors = each.flatMap((one) => (one.error === undefined ? [] : [several ? `${redactUrl(one.url)}: ${one.error}` : one.error]));
  const error = errors.length === 0 ? undefined : errors.join('; ');
  const deleted = each.flatMap((one) => one.deleted);
  const kept = each.reduce((sum, one) => sum + one.kept, 0);
  const seen = each.reduce((sum, one) => sum + one.groups, 0);
  const unattributed = each.reduce((sum, one) => sum + one.unattributed, 0);
  const durationSeconds = roundSeconds((ports.monotonicMs() - started) / 1000, 'milli');
  const result: SweepResult = { success: error === undefined, error, deleted, kept, groups: seen, unattributed, durationSeconds };
  logger.info('reap: sweep done', {
    outcome: result.success ? 'success' : 'failure', dry_run: options.dryRun, groups: seen, deleted: deleted.length, kept, unattributed, duration_seconds: durationSeconds,
  });
  if (!options.dryRun && ports.pusher !== undefined) {
    for (const url of config.pushgatewayUrls) await pushSweepMetrics(config, url, ports.pusher, clock, result, logger);
  }
  return result;
}

/** One Pushgateway's part of a sweep. */
interface GatewaySweep {
  readonly url: string;
  readonly error: string | undefined;
  readonly deleted: readonly ExpiredGroup[];
  readonly kept: number;
  readonly groups: number;
  readonly unattributed: number;
}

async function sweepGateway(config: ExporterConfig, url: string, ports: SweepPorts, options: { readonly dryRun: boolean }): Promise<GatewaySweep> {
  const { groups, clock } = ports;
  const access = groupsAccess(config, url);
  const pushgateway = config.pushgatewayUrls.length > 1 ? { pushgateway: redactUrl(url) } : {};
  const logger = { info: (message: string, fields: Record<string, unknown>) => ports.logger.info(message, { ...fields, ...pushgateway }) };
  const deleted: ExpiredGroup[] = [];
  let kept = 0;
  let seen = 0;
  let unattributed = 0;
  let error: string | undefined;
  try {
    const all = await groups.list(access);
    // With discover_services, a discovered service's groups are attributed (and expire) like a configured one's.
    const owners = attributableServices(config, all);
    const decision = expiredGroups(all, owners, clock() / 1000);
    seen = all.length;
    unattributed = decision.unattributed;
    if (options.dryRun) {
      for (const chosen of decision.expired) logger.info('reap: would delete group (dry run)', groupFields(chosen));
      deleted.push(...decision.expired);
    }
    let next = options.dryRun ? decision.expired.length : 0;
    while (next < decision.expired.length) {
      if (ports.stopNow?.() === true) {
        ports.logger.warn('reap: stopped before the sweep ended; the next sweep goes on', { left: decision.expired.length - next, ...pushgateway });
        break;
      }
      const pending = decision.expired.slice(next);
      await ports.beforeReread?.(pending);
      // Pushgateway has no conditional DELETE: a re-read after the decision is what keeps a fresh
      // push. One re-read serves the DELETEs sent within its window (REREAD_VALID_MS, or less);
      // later ones wait for the next re-read (a 10k-group read takes seconds: one per DELETE
      // would not end).
      const readStarted = ports.monotonicMs();
      const reread = new Map((await groups.list(access)).map((group) => [groupId(group.labels), group]));
      const readAt = ports.monotonicMs();
      const windowMs = Math.min(REREAD_VALID_MS, readAt - readStarted);
      do {
        const chosen = decision.expired[next] as ExpiredGroup;
        next += 1;
        if (!stillExpired(chosen, reread.get(groupId(chosen.group.labels)), owners, clock() / 1000)) {
          kept += 1;
          logger.info('reap: kept group pushed since the sweep read it', groupFields(chosen));
          continue;
        }
        await groups.delete(access, chosen.group.labels);
        deleted.push(chosen);
        logger.info('reap: deleted group', groupFields(chosen));
      } while (next < decision.expired.length && ports.monotonicMs() - readAt < windowMs);
    }
  } catch (caught) {
    error = describeError(caught);
    ports.logger.error('reap: sweep failed', { error, deleted: deleted.length, ...pushgateway });
  }
  return { url, error, deleted, kept, groups: seen, unattributed };
}

/** The sweep's metrics to the reaper's own group; a failed push is logged, never the sweep's outcome. */
async function pushSweepMetrics(
  config: ExporterConfig, pushgatewayUrl: string, pusher: Pick<PushgatewayPusher, 'push'>, clock: Clock, result: SweepResult, logger: Logger,
): Promise<void> {
  const families = sweepFamilies({ finishedAtSeconds: roundSeconds(clock() / 1000, 'milli'), success: result.success, deletedGroups: result.deleted.length, durationSeconds: result.durationSeconds });
  try {
    await pusher.push({
      pushgatewayUrl, bearerToken: config.pushgatewayBearerToken, job: REAPER_JOB, labels: [], timeoutMs: SWEEP_REQUEST_TIMEOUT_MS,
    }, families);
  } catch (caught) {
    logger.warn('reap: could not push the sweep metrics', { error: describeError(caught), ...(config.pushgatewayUrls.length > 1 ? { pushgateway: redactUrl(pushgatewayUrl) } : {}) });
  }
}
