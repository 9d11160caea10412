import type { ExporterConfig } from '../core/config/config-types.ts';
import type { Discovery } from '../core/discovery/discovered-services.ts';
import type { MetricFamily } from '../core/exposition/exposition-renderer.ts';
import type { Snapshot } from '../core/snapshot/snapshot.ts';

// discover_services' code (./discovery.ts, lib/core/discovery/, the linear-time engine) is loaded
// the first time a config turns it on: a probe under a config without it never loads it, and the
// Lambda's init graph stays small (docs/deploying.md#cold-start).

let loaded: Promise<typeof import('./discovery.ts')> | undefined;
const discoveryCode = (): Promise<typeof import('./discovery.ts')> => (loaded ??= import('./discovery.ts'));

/** What a config without discover_services discovers: nothing (NO_DISCOVERY's shape, without loading its module). */
const NOTHING: Discovery = Object.freeze({ services: new Map(), overCap: 0 });

/** The services discovered in `snapshot`: lib/runtime/discovery.ts's discoveredIn, loaded on first use. */
export async function discoveredIn(config: ExporterConfig, snapshot: Snapshot | undefined): Promise<Discovery> {
  return config.discovery === undefined ? NOTHING : (await discoveryCode()).discoveredIn(config, snapshot);
}

/** What `/metrics` shows of discovery: nothing without discover_services. */
export async function discoveryMetrics(config: ExporterConfig | undefined, snapshot: Snapshot | undefined): Promise<MetricFamily[]> {
  if (config?.discovery === undefined) return [];
  const [{ discoveryFamilies }, discovery] = await Promise.all([import('../core/discovery/discovered-services.ts'), discoveredIn(config, snapshot)]);
  return discoveryFamilies(discovery);
}
