import type { DiscoveryConfig, ExporterConfig } from '../core/config/config-types.ts';
import { discoveredServices, discoverServices, NO_DISCOVERY, type Discovery, type JobMatcher } from '../core/discovery/discovered-services.ts';
import type { HeartbeatPusher, Snapshot } from '../core/snapshot/snapshot.ts';
import { linearRegExp } from '../edges/linear-regexp.ts';

// discover_services for the probe service and the reaper: the config's discover_jobs compiled for
// V8's linear-time engine once per config, and the last discovery kept while no snapshot is read.

const MATCHERS = new WeakMap<DiscoveryConfig, JobMatcher>();

/** The config's `discover_jobs` as one matcher: a job passes when any pattern matches all of it. */
export function jobMatcher(discovery: DiscoveryConfig): JobMatcher {
  let matcher = MATCHERS.get(discovery);
  if (matcher === undefined) {
    // A pattern the engine refuses (the config's checks let none through) matches nothing: discovery fails closed.
    const patterns = discovery.jobPatterns.map(linearRegExp).filter((pattern): pattern is RegExp => pattern !== undefined);
    matcher = (job) => patterns.some((pattern) => pattern.test(job));
    MATCHERS.set(discovery, matcher);
  }
  return matcher;
}

/** The last discovery of each config: while the Pushgateway cannot be read, discovered services stay and probe as unreachable. */
const LAST = new WeakMap<ExporterConfig, Discovery>();

/** The services discovered in `snapshot` (or, with none, the last ones discovered under the same config). */
export function discoveredIn(config: ExporterConfig, snapshot: Snapshot | undefined): Discovery {
  if (config.discovery === undefined) return NO_DISCOVERY;
  if (snapshot === undefined) return LAST.get(config) ?? NO_DISCOVERY;
  const discovery = discoveredServices(config, snapshot, jobMatcher(config.discovery));
  LAST.set(config, discovery);
  return discovery;
}

/** The services discovered among `pushers` (the reaper's read of the groups). */
export function discoveredAmong(config: ExporterConfig, pushers: Iterable<HeartbeatPusher>): Discovery {
  return config.discovery === undefined ? NO_DISCOVERY : discoverServices(config, pushers, jobMatcher(config.discovery));
}
