import type { ExporterConfig } from '../core/config/config-types.ts';
import type { Discovery } from '../core/discovery/discovered-services.ts';
import type { MetricFamily } from '../core/exposition/exposition-renderer.ts';
import type { Snapshot } from '../core/snapshot/snapshot.ts';
import { describeError, ExporterError } from '../core/errors.ts';
import type { Logger } from '../edges/logger.ts';

// discover_services' code (./discovery.ts, lib/core/discovery/, the linear-time engine) is loaded
// the first time a config turns it on: a probe under a config without it never loads it, and the
// Lambda's init graph stays small (docs/deploying.md#cold-start).

let loaded: Promise<typeof import('./discovery.ts')> | undefined;
const discoveryCode = (): Promise<typeof import('./discovery.ts')> => (loaded ??= import('./discovery.ts'));

/** What a config without discover_services discovers: nothing (NO_DISCOVERY's shape, without loading its module). */
const NOTHING: Discovery = Object.freeze({ services: new Map(), overCap: 0 });

/** The services discovered in `snapshot`, waiting for a discovery still running: lib/runtime/discovery.ts's discoveredWithin, loaded on first use. */
export async function discoveredWithin(config: ExporterConfig, snapshot: Snapshot | undefined, maxWaitMs: number): Promise<Discovery> {
  return config.discovery === undefined ? NOTHING : (await discoveryCode()).discoveredWithin(config, snapshot, maxWaitMs);
}

/**
 * discoveredWithin for an answer that covers the configured services too (`/probes`, the status
 * page): a failed discovery is logged at error and lists nothing, so the configured services are
 * still judged. What needs the discovered names themselves (a target not configured, `/sd`, a
 * check-in) calls discoveredWithin and answers the failure as a bug (docs/discovery.md#while-discovery-runs).
 */
export async function discoveredOrNone(config: ExporterConfig, snapshot: Snapshot | undefined, maxWaitMs: number, logger: Logger): Promise<Discovery> {
  try {
    return await discoveredWithin(config, snapshot, maxWaitMs);
  } catch (error) {
    logFailure(logger, error);
    return NOTHING;
  }
}

/** What `/metrics` shows of discovery (lib/runtime/discovery.ts's discoveredIn): nothing without discover_services, nor when it failed (logged at error). */
export async function discoveryMetrics(config: ExporterConfig | undefined, snapshot: Snapshot | undefined, logger: Logger): Promise<MetricFamily[]> {
  if (config?.discovery === undefined) return [];
  const [{ discoveryFamilies }, { discoveredIn }] = await Promise.all([import('../core/discovery/discovered-services.ts'), discoveryCode()]);
  try {
    return discoveryFamilies(discoveredIn(config, snapshot));
  } catch (error) {
    logFailure(logger, error);
    return [];
  }
}

/** The one line a failed discovery leaves, whichever answer went on without it. */
function logFailure(logger: Logger, error: unknown): void {
  logger.error('discovery failed', { code: error instanceof ExporterError ? error.code : undefined, error: describeError(error) });
}
