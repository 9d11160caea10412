import type { ExporterConfig } from '../core/config/config-types.ts';
import { describeError } from '../core/errors.ts';
import { clip } from '../core/quote.ts';
import { describeGroup, expiredGroups, groupId, stillExpired, type ExpiredGroup } from '../core/reap/expiry.ts';
import { REAPER_JOB, sweepFamilies } from '../core/reap/reaper-metrics.ts';
import type { Clock } from '../core/time/clock.ts';
import { roundSeconds } from '../core/time/round-seconds.ts';
import type { Logger } from '../edges/logger.ts';
import type { GroupsAccess, PushgatewayGroups } from '../edges/pushgateway/pushgateway-groups.ts';
import type { PushgatewayPusher } from '../edges/pushgateway/pushgateway-pusher.ts';

/**
 * `/api/v1/metrics` is JSON, several times the text exposition (about 1.1 KB a group against
 * 0.3 KB): the read limit is that many `max_body_bytes`.
 */
const JSON_BODY_FACTOR = 4;

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
  /** Runs after the sweep's read, just before each chosen group is re-read: where a test pushes to race the sweep. */
  readonly beforeReread?: (chosen: ExpiredGroup) => Promise<void> | void;
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

/** Where the sweep reads and deletes: the config's Pushgateway, with its token, timeout and a JSON-sized read limit. */
export function groupsAccess(config: ExporterConfig): GroupsAccess {
  return {
    pushgatewayUrl: config.pushgatewayUrl, bearerToken: config.pushgatewayBearerToken,
    timeoutMs: config.timeoutSeconds * 1000, maxBodyBytes: config.maxBodyBytes * JSON_BODY_FACTOR,
  };
}

/**
 * One sweep (docs/operations.md#expiring-dead-groups): read every group, choose the expired ones
 * (lib/core/reap/expiry.ts), then for each, re-read and DELETE it only if it is still expired, so a
 * push that landed since the read survives. Every deletion is logged. A dry run reads once and
 * deletes nothing. Never throws: a failure ends the sweep and is its outcome.
 */
export async function sweep(config: ExporterConfig, ports: SweepPorts, options: { readonly dryRun: boolean }): Promise<SweepResult> {
  const { groups, clock, logger } = ports;
  const access = groupsAccess(config);
  const started = ports.monotonicMs();
  const deleted: ExpiredGroup[] = [];
  let kept = 0;
  let seen = 0;
  let unattributed = 0;
  let error: string | undefined;
  try {
    const all = await groups.list(access);
    const decision = expiredGroups(all, config, clock() / 1000);
    seen = all.length;
    unattributed = decision.unattributed;
    for (const chosen of decision.expired) {
      if (options.dryRun) {
        logger.info('reap: would delete group (dry run)', groupFields(chosen));
        deleted.push(chosen);
        continue;
      }
      if (ports.stopNow?.() === true) {
        logger.warn('reap: stopped before the sweep ended; the next sweep goes on', { left: decision.expired.length - deleted.length - kept });
        break;
      }
      await ports.beforeReread?.(chosen);
      // Pushgateway has no conditional DELETE: the re-read just before it is what keeps a fresh push.
      const id = groupId(chosen.group.labels);
      const reread = (await groups.list(access)).find((group) => groupId(group.labels) === id);
      if (!stillExpired(chosen, reread, config, clock() / 1000)) {
        kept += 1;
        logger.info('reap: kept group pushed since the sweep read it', groupFields(chosen));
        continue;
      }
      await groups.delete(access, chosen.group.labels);
      deleted.push(chosen);
      logger.info('reap: deleted group', groupFields(chosen));
    }
  } catch (caught) {
    error = describeError(caught);
    logger.error('reap: sweep failed', { error, deleted: deleted.length });
  }
  const durationSeconds = roundSeconds((ports.monotonicMs() - started) / 1000, 'milli');
  const result: SweepResult = { success: error === undefined, error, deleted, kept, groups: seen, unattributed, durationSeconds };
  logger.info('reap: sweep done', {
    outcome: result.success ? 'success' : 'failure', dry_run: options.dryRun, groups: seen, deleted: deleted.length, kept, unattributed, duration_seconds: durationSeconds,
  });
  if (!options.dryRun && ports.pusher !== undefined) await pushSweepMetrics(config, ports.pusher, clock, result, logger);
  return result;
}

/** The sweep's metrics to the reaper's own group; a failed push is logged, never the sweep's outcome. */
async function pushSweepMetrics(config: ExporterConfig, pusher: Pick<PushgatewayPusher, 'push'>, clock: Clock, result: SweepResult, logger: Logger): Promise<void> {
  const families = sweepFamilies({ finishedAtSeconds: roundSeconds(clock() / 1000, 'milli'), success: result.success, deletedGroups: result.deleted.length, durationSeconds: result.durationSeconds });
  try {
    await pusher.push({
      pushgatewayUrl: config.pushgatewayUrl, bearerToken: config.pushgatewayBearerToken, job: REAPER_JOB, labels: [], timeoutMs: config.timeoutSeconds * 1000,
    }, families);
  } catch (caught) {
    logger.warn('reap: could not push the sweep metrics', { error: describeError(caught) });
  }
}
