import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import type { MetricFamily } from '../exposition/exposition-renderer.ts';
import { serviceFromDefaults } from '../config/parse-service.ts';
import { samplesNamed, type HeartbeatPusher, type Snapshot } from '../snapshot/snapshot.ts';

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
 * The heartbeat's pushers in `snapshot`: Snapshot.heartbeatPushers when the snapshot has it, else
 * a walk of its groups (the same answer, for snapshots built without an index).
 */
export function heartbeatPushersOf(snapshot: Snapshot, metric: string, job: string): readonly HeartbeatPusher[] {
  if (snapshot.heartbeatPushers !== undefined) return snapshot.heartbeatPushers(metric, job);
  const pushers: HeartbeatPusher[] = [];
  for (const group of snapshot.groups.values()) {
    const samples = samplesNamed(group, [metric]);
    if (samples.length === 0) continue;
    if (group.job === job) pushers.push({ name: group.instance, job });
    for (const sample of samples) if (sample.service !== undefined) pushers.push({ name: sample.service, job: group.job });
  }
  return pushers;
}

/**
 * The services `pushers` make known under `config`: a name that is not configured, passes
 * isDiscoverableName and pushed under a job `jobMatches` accepts (any job when `discover_jobs` is
 * empty); the first max_discovered_services by name. Pure; empty when discovery is off.
 */
export function discoverServices(config: ExporterConfig, pushers: Iterable<HeartbeatPusher>, jobMatches: JobMatcher): Discovery {
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
  const names = new Set<string>();
  for (const { name, job } of pushers) {
    if (names.has(name) || config.services.has(name) || !isDiscoverableName(name) || !allowed(job)) continue;
    names.add(name);
  }
  const sorted = [...names].sort();
  const services = new Map<string, ServiceConfig>();
  // One template, copied per name: building each from the defaults costs ten times more (docs/discovery.md#limits).
  const template: ServiceConfig = { ...serviceFromDefaults('', config.defaults), discovered: true };
  for (const name of sorted.slice(0, discovery.maxServices)) services.set(name, { ...template, name });
  return { services, overCap: Math.max(0, sorted.length - discovery.maxServices) };
}

/** Per snapshot, the last config's discovery: `/probes`, `/sd` and each `/probe` of one snapshot share one scan. */
const MEMO = new WeakMap<Snapshot, { readonly config: ExporterConfig; readonly discovery: Discovery }>();

/** discoverServices over the heartbeat pushers of `snapshot`, computed once per snapshot and config. */
export function discoveredServices(config: ExporterConfig, snapshot: Snapshot, jobMatches: JobMatcher): Discovery {
  if (config.discovery === undefined) return NO_DISCOVERY;
  const memo = MEMO.get(snapshot);
  if (memo !== undefined && memo.config === config) return memo.discovery;
  const discovery = discoverServices(config, heartbeatPushersOf(snapshot, config.defaults.heartbeatMetric, config.defaults.job), jobMatches);
  MEMO.set(snapshot, { config, discovery });
  return discovery;
}

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
