import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import type { MetricFamily } from '../exposition/exposition-renderer.ts';
import { serviceFromDefaults } from '../config/parse-service.ts';
import { heartbeatPushersOf, type HeartbeatPusher, type Snapshot } from '../snapshot/snapshot.ts';
import { byCodeUnits, runToEnd, sortedWork, type SlicedWork } from '../sliced-work.ts';

// discover_services (docs/discovery.md): the services that pushed the heartbeat metric without
// being configured, probed with the defaults. Every name comes from a pusher, so the set is bounded
// (max_discovered_services), its order deterministic and each name checked before it is used.

/** The longest discovered name, in UTF-16 code units: a service name, not a payload. */
export const MAX_DISCOVERED_NAME_LENGTH = 200;
/** A job name longer than this matches no `discover_jobs` pattern: the match stays short whatever the pusher sends. */
export const MAX_MATCHED_JOB_LENGTH = 256;

/** Whether a job name passes the config's `discover_jobs` (the runtime compiles them: lib/edges/linear-regexp.ts). */
export type JobMatcher = (job: string) => boolean;

export interface Discovery {
  /** Discovered services by name, in name order (UTF-16 code units), each marked `discovered`. */
  readonly services: ReadonlyMap<string, ServiceConfig>;
  /** How many names passed every check but were left out by max_discovered_services. */
  readonly overCap: number;
}

/** What discovery reads of a pusher: its name, and the job it pushed under. */
export type NamedPusher = Pick<HeartbeatPusher, 'name' | 'job'>;

export const NO_DISCOVERY: Discovery = { services: new Map(), overCap: 0 };

/**
 * Whether a pushed name may name a discovered service: 1 to 200 characters, well-formed Unicode
 * (no lone surrogate, which UTF-8 cannot hold), no C0 or C1 control character nor DEL (a line
 * break or terminal escape in a log). One pass over the name's code units.
 */
export function isDiscoverableName(name: string): boolean {
  if (name.length === 0 || name.length > MAX_DISCOVERED_NAME_LENGTH) return false;
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = name.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * The services `pushers` make known under `config`: a name that is not configured, passes
 * isDiscoverableName and pushed under a job `jobMatches` accepts (any job when `discover_jobs` is
 * empty); the first max_discovered_services by name. Pure; empty when discovery is off.
 */
export function discoverServices(config: ExporterConfig, pushers: Iterable<NamedPusher>, jobMatches: JobMatcher): Discovery {
  return runToEnd(discoveryOf(config, pushers, jobMatches));
}

/**
 * discoverServices over the heartbeat pushers of `snapshot`, as sliced work: at 60k groups the walk
 * is seconds of CPU on a loaded host, and the runtime runs it between requests
 * (lib/runtime/discovery.ts, docs/discovery.md#limits). Each slice is tens of microseconds.
 */
export function* discoveryWork(config: ExporterConfig, snapshot: Snapshot, jobMatches: JobMatcher): SlicedWork<Discovery> {
  if (config.discovery === undefined) return NO_DISCOVERY;
  const pushers = yield* heartbeatPushersOf(snapshot, config.defaults.heartbeatMetric, config.defaults.job);
  return yield* discoveryOf(config, pushers, jobMatches);
}

/** discoveryWork run straight to the end (tests and tools; the runtime slices it). */
export function discoveredServices(config: ExporterConfig, snapshot: Snapshot, jobMatches: JobMatcher): Discovery {
  return runToEnd(discoveryWork(config, snapshot, jobMatches));
}

/** discoverServices in slices of NAME_STEP names. */
function* discoveryOf(config: ExporterConfig, pushers: Iterable<NamedPusher>, jobMatches: JobMatcher): SlicedWork<Discovery> {
  const discovery = config.discovery;
  if (discovery === undefined) return NO_DISCOVERY;
  const anyJob = discovery.jobPatterns.length === 0;
  // Each distinct job is matched once: a pusher may repeat one job under many names.
  const jobVerdicts = new Map<string, boolean>();
  const allowed = (job: string): boolean => {
    if (anyJob) return true;
    let verdict = jobVerdicts.get(job);
    if (verdict === undefined) jobVerdicts.set(job, (verdict = job.length <= MAX_MATCHED_JOB_LENGTH && jobMatches(job)));
    return verdict;
  };
  // No Set of names: at 60k names a Set's growth rehashes it in one go, tens of ms without a turn.
  // Repeats are dropped once the names are sorted, next to each other.
  const names: string[] = [];
  let steps = 0;
  for (const { name, job } of pushers) {
    if (++steps % NAME_STEP === 0) yield;
    if (config.services.has(name) || !isDiscoverableName(name) || !allowed(job)) continue;
    names.push(name);
  }
  const sorted = yield* sortedNames(names);
  // One template, copied per name: building each from the defaults costs ten times more (docs/discovery.md#limits).
  const template: ServiceConfig = { ...serviceFromDefaults('', config.defaults), discovered: true };
  const services: ServiceConfig[] = [];
  let distinct = 0;
  for (let index = 0; index < sorted.length; index++) {
    if ((index + 1) % NAME_STEP === 0) yield;
    const name = sorted[index] as string;
    if (index > 0 && name === sorted[index - 1]) continue;
    distinct += 1;
    if (services.length < discovery.maxServices) services.push({ ...template, name });
  }
  return { services: new SortedServices(services), overCap: distinct - services.length };
}

/**
 * Discovered services by name, over an array in name order: a Map of 60k names would rehash in one
 * go as it grows (tens of ms without a turn); a lookup here is a binary search.
 */
class SortedServices implements ReadonlyMap<string, ServiceConfig> {
  constructor(private readonly sorted: readonly ServiceConfig[]) {}

  get size(): number {
    return this.sorted.length;
  }

  get(name: string): ServiceConfig | undefined {
    let low = 0;
    let high = this.sorted.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const found = this.sorted[middle] as ServiceConfig;
      if (found.name === name) return found;
      if (found.name < name) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  forEach(callback: (value: ServiceConfig, key: string, map: ReadonlyMap<string, ServiceConfig>) => void, thisArg?: unknown): void {
    for (const service of this.sorted) callback.call(thisArg, service, service.name, this);
  }

  *entries(): MapIterator<[string, ServiceConfig]> {
    for (const service of this.sorted) yield [service.name, service];
  }

  *keys(): MapIterator<string> {
    for (const service of this.sorted) yield service.name;
  }

  values(): MapIterator<ServiceConfig> {
    return this.sorted.values();
  }

  [Symbol.iterator](): MapIterator<[string, ServiceConfig]> {
    return this.entries();
  }
}

/** Names handled between two slices. */
const NAME_STEP = 256;
/** `names` in UTF-16 code-unit order (as Array.prototype.sort orders strings), in slices. */
export const sortedNames = (names: string[]): SlicedWork<string[]> => sortedWork(names, byCodeUnits);

/**
 * What `/metrics` says of discovery (only when it is on, so a config without it shows what it did
 * before): how many services it probes, and how many names max_discovered_services left out.
 */
export function discoveryFamilies(discovery: Discovery): MetricFamily[] {
  return [
    { name: 'pushgateway_exporter_discovered_services', help: 'Services probed because they pushed a heartbeat without being configured (discover_services).', type: 'gauge', samples: [{ value: discovery.services.size }] },
    {
      name: 'pushgateway_exporter_discovered_services_over_cap', help: 'Names that pushed a heartbeat and passed every check but were left out by max_discovered_services.',
      type: 'gauge', samples: [{ value: discovery.overCap }],
    },
  ];
}
