import type { DiscoveryConfig, ExporterConfig } from '../core/config/config-types.ts';
import { discoverServices, discoveryWork, NO_DISCOVERY, type Discovery, type JobMatcher, type NamedPusher } from '../core/discovery/discovered-services.ts';
import { describeError, ExporterError } from '../core/errors.ts';
import type { Snapshot } from '../core/snapshot/snapshot.ts';
import type { SlicedWork } from '../core/sliced-work.ts';
import { settlesWithin } from '../edges/cache/expiring-cache.ts';
import { linearRegExp } from '../edges/linear-regexp.ts';
import { monotonicMs } from '../edges/monotonic-clock.ts';
import { nextTurn, runSliced, SLICE_MS } from '../edges/time-slicing.ts';

// discover_services for the probe service and the reaper: the config's discover_jobs compiled for
// V8's linear-time engine once per config; each snapshot's discovery run in slices between requests,
// once per snapshot and config; and the last complete discovery kept for while the next one runs
// or no snapshot is read (docs/discovery.md#while-discovery-runs).

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

/**
 * A snapshot's discovery under one config: done, still running (`done` settles with it, or
 * undefined if it stopped), or failed for a reason other than its snapshot's release (a bug: kept,
 * and thrown to every caller, never hidden behind the last list; see lazy-discovery.ts for who
 * answers what).
 */
type LiveRun = { readonly config: ExporterConfig; readonly discovery: Discovery } | { readonly config: ExporterConfig; readonly done: Promise<Discovery | undefined> };
type Run = LiveRun | { readonly config: ExporterConfig; readonly failure: unknown };

/** Per snapshot, the last config's run: `/probes`, `/sd`, `/metrics` and each `/probe` of one snapshot share one walk. */
const RUNS = new WeakMap<Snapshot, Run>();
/** The last complete discovery of each config: what a probe sees while the next runs, or while no Pushgateway can be read. */
const LAST = new WeakMap<ExporterConfig, Discovery>();

/**
 * The services discovered in `snapshot`, when that discovery is complete; otherwise it is started
 * (once: its first slice runs now, so a snapshot of a few thousand groups is done at once) and the
 * answer is the last complete one under `config`, or none. With no snapshot, the last one.
 */
export function discoveredIn(config: ExporterConfig, snapshot: Snapshot | undefined): Discovery {
  const run = discoveryRun(config, snapshot);
  return 'discovery' in run ? run.discovery : (LAST.get(config) ?? NO_DISCOVERY);
}

/**
 * discoveredIn, waiting at most `maxWaitMs` for a discovery still running (the event loop serves
 * other requests meanwhile): a probe of a discovered target answers as soon as its snapshot's
 * discovery is done, and within its budget whatever the snapshot's size.
 */
export async function discoveredWithin(config: ExporterConfig, snapshot: Snapshot | undefined, maxWaitMs: number): Promise<Discovery> {
  const run = discoveryRun(config, snapshot);
  if ('discovery' in run) return run.discovery;
  if (await settlesWithin(run.done, maxWaitMs)) return discoveredIn(config, snapshot);
  return LAST.get(config) ?? NO_DISCOVERY;
}

/**
 * The services discovered in `snapshot` once that discovery is complete, waiting at most
 * `maxWaitMs`; undefined when it is not complete by then (or no snapshot was read). For what must
 * count every discovered service, as a check-in's cap check does, never a stale list.
 */
export async function completeDiscoveryWithin(config: ExporterConfig, snapshot: Snapshot | undefined, maxWaitMs: number): Promise<Discovery | undefined> {
  if (snapshot === undefined) return undefined;
  const run = discoveryRun(config, snapshot);
  if ('discovery' in run) return RUNS.get(snapshot)?.config === config ? run.discovery : undefined;
  return (await settlesWithin(run.done, maxWaitMs)) && RUNS.get(snapshot)?.config === config ? discoveredIn(config, snapshot) : undefined;
}

function discoveryRun(config: ExporterConfig, snapshot: Snapshot | undefined): LiveRun {
  if (config.discovery === undefined) return { config, discovery: NO_DISCOVERY };
  if (snapshot === undefined) return { config, discovery: LAST.get(config) ?? NO_DISCOVERY };
  const known = RUNS.get(snapshot);
  if (known?.config === config) {
    if ('failure' in known) throw known.failure;
    return known;
  }
  const work = discoveryWork(config, snapshot, jobMatcher(config.discovery));
  const finish = (discovery: Discovery): Discovery => {
    // A config replaced meanwhile leaves the snapshot's run to the new one's.
    if (RUNS.get(snapshot)?.config === config) RUNS.set(snapshot, { config, discovery });
    LAST.set(config, discovery);
    return discovery;
  };
  /** Keeps a failure for the requests that follow: a retry would walk again and could find a partial answer. */
  const keep = (error: unknown): ExporterError => {
    const failure = discoveryFailure(error);
    RUNS.set(snapshot, { config, failure });
    return failure;
  };
  let first: ReturnType<typeof firstSlice<Discovery>>;
  try {
    first = firstSlice(work);
  } catch (error) {
    throw keep(error);
  }
  if (first === 'released') return { config, discovery: LAST.get(config) ?? NO_DISCOVERY };
  if (first.done) {
    RUNS.set(snapshot, { config, discovery: first.value });
    return { config, discovery: finish(first.value) };
  }
  const failed = (error: unknown): undefined => {
    // Released: the newer snapshot has its own discovery. A config replaced meanwhile owns the run.
    if (!isReleased(error) && RUNS.get(snapshot)?.config === config) keep(error);
    return undefined;
  };
  const done = nextTurn().then(() => runSliced(work)).then(finish, failed);
  const run = { config, done };
  RUNS.set(snapshot, run);
  return run;
}

/**
 * Runs `work` for up to one slice, now; 'released' when the snapshot's memory was reused by a newer
 * read meanwhile (SNAPSHOT_RELEASED): the newer snapshot has its own discovery. Any other error is
 * thrown.
 */
function firstSlice<T>(work: SlicedWork<T>): { readonly done: true; readonly value: T } | { readonly done: false } | 'released' {
  const end = monotonicMs() + SLICE_MS;
  try {
    for (;;) {
      const step = work.next();
      if (step.done) return { done: true, value: step.value };
      if (monotonicMs() >= end) return { done: false };
    }
  } catch (error) {
    if (isReleased(error)) return 'released';
    throw error;
  }
}

const isReleased = (error: unknown): boolean => error instanceof ExporterError && error.code === 'SNAPSHOT_RELEASED';

/** A failure of the walk as the requests that need it see it, with a code a log search can match. */
const discoveryFailure = (error: unknown): ExporterError =>
  new ExporterError('DISCOVERY_FAILED', `discover_services failed on the snapshot in hand: ${describeError(error)}`, { cause: error });

/** The services discovered among `pushers` (the reaper's read of the groups). */
export function discoveredAmong(config: ExporterConfig, pushers: Iterable<NamedPusher>): Discovery {
  return config.discovery === undefined ? NO_DISCOVERY : discoverServices(config, pushers, jobMatcher(config.discovery));
}
