import { CONFIG_DEFAULTS, type ExporterConfig, type ServiceConfig } from '../core/config/config-types.ts';
import { resolveService } from '../core/config/resolve-service.ts';
import { serviceFromDefaults } from '../core/config/parse-service.ts';
import type { Discovery } from '../core/discovery/discovered-services.ts';
import { renderExposition } from '../core/exposition/exposition-renderer.ts';
import { evaluateProbe, judgeProbe, lookUpProbe } from '../core/probe/evaluate-probe.ts';
import type { ProbeEvaluation } from '../core/probe/probe-evaluation.ts';
import { elapsedSeconds, fixProbeTimeout, remainingMs, type ProbeBudget } from '../core/probe/probe-budget.ts';
import { quote } from '../core/quote.ts';
import { ownMetricsAscii, passThroughFamilies, renderProbeOwnMetrics, type ProbeContext } from '../core/report/probe-metrics.ts';
import { isAscii } from '../core/ascii-text.ts';
import type { ProbeParts } from '../core/report/probe-answer-cache.ts';
import { EMPTY_SNAPSHOT, type Snapshot } from '../core/snapshot/snapshot.ts';
import type { SnapshotRead } from '../core/snapshot/snapshot-read.ts';
import type { Runtime } from './runtime.ts';
import { discoveredOrNone, discoveredWithin } from './lazy-discovery.ts';
import { andThen, type MaybePromise } from '../core/maybe-promise.ts';

// The one probe pipeline, for HTTP and the CLI alike (docs/architecture.md#how-a-probe-flows):
// budget → config → snapshot → clock → evaluate.

/** Why no probe was made, and the one line that says so. */
export type ProbeRefusal = {
  readonly kind: 'refused';
  readonly reason: 'bad-scrape-timeout' | 'no-config' | 'unknown-target';
  readonly message: string;
};

/** The HTTP status each refusal answers with; the CLI names it in its "no probe answer" line too. */
export const REFUSAL_STATUS: Readonly<Record<ProbeRefusal['reason'], number>> = {
  'bad-scrape-timeout': 400,
  'no-config': 503,
  'unknown-target': 404,
};

/** What every probe of one request shares: the config and snapshot read, and when it was judged. */
interface ProbeInputs {
  readonly config: ExporterConfig;
  readonly read: SnapshotRead;
  /** The snapshot read, or an empty one when there is none (for the metrics; the judgement sees none). */
  readonly snapshot: Snapshot;
  readonly nowSeconds: number;
  /** The read and how long the probe took: what the metrics and the status report say of it. */
  readonly context: ProbeContext & SnapshotRead;
}

export interface TargetProbed extends ProbeInputs {
  readonly kind: 'probed';
  readonly evaluation: ProbeEvaluation;
  /** The probe's metrics in the text exposition format: the answer of `/probe`. */
  readonly exposition: string;
  /** Whether `exposition` is all ASCII, known from its parts without scanning it (lib/http/standalone-server.ts writes it so). */
  readonly expositionAscii: boolean;
}

export interface AllProbed extends ProbeInputs {
  readonly kind: 'probed';
  /** One per configured service, in config order, then one per discovered service, in name order. */
  readonly evaluations: readonly ProbeEvaluation[];
  /** What discover_services found (empty when it is off). */
  readonly discovery: Discovery;
}

const MAX_ECHO = 80;

/** The config in force, and the budget fixed by it. */
interface Ready {
  readonly kind: 'ready';
  readonly config: ExporterConfig;
  readonly budget: ProbeBudget;
  /** False while a failed reload left the last good config in force. */
  readonly reloadSuccessful: boolean;
  /**
   * The monotonic clock's time the config was asked for, when it was answered at once (within its
   * TTL): the snapshot's wait, asked for in the same turn, counts from it without a clock read of its own.
   */
  readonly inHandAtMs: number | undefined;
  /** The clock's time the config's TTL was checked at, when it was answered at once: the snapshot's TTL is checked at it too. */
  readonly inHandClockMs: number | undefined;
}

/**
 * The budget fixed by the config in force, then that config (a due reload may use part of the
 * budget); at once while the config is within its TTL. `arrivedInTurnMs`: the budget's start, when
 * the probe is asked for in the turn its request arrived in (nothing awaited since): the config's
 * wait counts from it without a clock read of its own (docs/performance.md#the-warm-path).
 */
function readConfig(runtime: Runtime, budget: ProbeBudget, arrivedInTurnMs?: number): MaybePromise<Ready | ProbeRefusal> {
  const fixed = fixProbeTimeout(budget, runtime.config.current()?.timeoutSeconds ?? CONFIG_DEFAULTS.timeoutSeconds);
  if ('error' in fixed) return { kind: 'refused', reason: 'bad-scrape-timeout', message: fixed.error };
  const askedAtMs = arrivedInTurnMs ?? runtime.monotonicMs();
  const clockMs = runtime.clock();
  const read = runtime.config.read(remainingMs(fixed.budget, askedAtMs), clockMs);
  const atOnce = !(read instanceof Promise);
  return andThen(read, ({ value: config, error }): Ready | ProbeRefusal => {
    if (config === undefined) return { kind: 'refused', reason: 'no-config', message: `no config loaded: ${error ?? 'unknown error'}` };
    return {
      kind: 'ready', config, budget: fixed.budget, reloadSuccessful: error === undefined,
      inHandAtMs: atOnce ? askedAtMs : undefined, inHandClockMs: atOnce ? clockMs : undefined,
    };
  });
}

/** The snapshot read for a probe, and the time it is judged at. */
type SnapshotInHand = Pick<ProbeInputs, 'read' | 'snapshot' | 'nowSeconds'>;

/**
 * The snapshot of `shard`'s Pushgateways (undefined: all), waiting only what is left of the budget at
 * `nowMs` (the monotonic clock's time, read now when not given); at once while fresh. `clockMs`: the
 * clock's time read in this same turn, for the TTL check. The probe is judged at the time the read
 * was answered.
 */
function readSnapshot(
  runtime: Runtime, budget: ProbeBudget, config: ExporterConfig, shard?: readonly string[], nowMs = runtime.monotonicMs(), clockMs?: number,
): MaybePromise<SnapshotInHand> {
  const read = runtime.snapshots.read(config, remainingMs(budget, nowMs, config.timeoutSeconds), shard, clockMs);
  return andThen(read, (done) => ({ read: done, snapshot: done.snapshot ?? EMPTY_SNAPSHOT, nowSeconds: (done.readAtMs ?? runtime.clock()) / 1000 }));
}

const unknownTarget = (target: string, discovering = false): ProbeRefusal => ({
  kind: 'refused', reason: 'unknown-target',
  message: `unknown target ${quote(target, MAX_ECHO)}: not a configured ${discovering ? 'or discovered ' : ''}service (add it under services: in the config, or set allow_unlisted_targets: true)`,
});

/**
 * One target judged: what `/probe` answers and `pushgateway-exporter probe` prints. At once, with no
 * promise, while the config and the target's snapshot are within their TTLs (a warm probe).
 * `arrivedInTurnMs`: the budget's start, when nothing was awaited since it (see readConfig).
 */
export function probeTarget(runtime: Runtime, target: string, budget: ProbeBudget, arrivedInTurnMs?: number): MaybePromise<TargetProbed | ProbeRefusal> {
  return andThen(readConfig(runtime, budget, arrivedInTurnMs), (ready) => (ready.kind === 'refused' ? ready : probeWithConfig(runtime, target, ready)));
}

/** The target resolved under the config in force, its snapshot read, then judged; at once while that snapshot is fresh. */
function probeWithConfig(runtime: Runtime, target: string, ready: Ready): MaybePromise<TargetProbed | ProbeRefusal> {
  const { config } = ready;
  // A warm target's service, lookup and pass-through lines are kept per snapshot and config; only
  // what depends on the time is judged and rendered again (lib/core/report/probe-answer-cache.ts).
  const known = runtime.probeAnswers.find(config, target);
  // With discover_services, a target not configured may be discovered in the snapshot: it is
  // resolved once the snapshot is read (configured, then discovered, then unlisted).
  const discovering = config.discovery !== undefined && !config.services.has(target);
  const early = discovering ? undefined : (known?.service ?? resolveService(config, target));
  if (!discovering && early === undefined) return unknownTarget(target);
  // A sharded service reads only its own Pushgateways (docs/high-availability.md#sharding); a
  // target still to be discovered reads them all.
  return andThen(readSnapshot(runtime, ready.budget, config, early?.pushgateways, ready.inHandAtMs, ready.inHandClockMs), (inHand) => {
    if (early !== undefined) return judgeTarget(runtime, target, ready, inHand, early, known);
    // A discovery still running is waited for within the budget; past it, the last complete one answers (docs/discovery.md#while-discovery-runs).
    return discoveredWithin(config, inHand.read.snapshot, remainingMs(ready.budget, runtime.monotonicMs(), config.timeoutSeconds)).then((discovery) => {
      const service = discovery.services.get(target) ?? (config.allowUnlistedTargets ? serviceFromDefaults(target, config.defaults) : undefined);
      return service === undefined ? unknownTarget(target, true) : judgeTarget(runtime, target, ready, inHand, service, known);
    });
  });
}

/** The target's service judged against the snapshot in hand, and its answer rendered. */
function judgeTarget(
  runtime: Runtime, target: string, ready: Ready, inHand: SnapshotInHand, service: ServiceConfig, known: ProbeParts | undefined,
): TargetProbed {
  const { config } = ready;
  const { read, snapshot, nowSeconds } = inHand;
  // No snapshot at all is judged as such (unreachable), not as an empty Pushgateway (never).
  const parts = read.snapshot === undefined ? undefined : known?.snapshot === read.snapshot ? known : runtime.probeAnswers.parts(config, read.snapshot, service, target);
  const lookup = parts?.lookup ?? lookUpProbe(EMPTY_SNAPSHOT, service, target);
  const evaluation = judgeProbe(config, lookup, read.snapshot !== undefined, service, target, nowSeconds, read.error);
  const context = {
    snapshot: read.snapshot, pushgatewayUp: read.pushgatewayUp, snapshotAgeSeconds: read.snapshotAgeSeconds, error: read.error, cacheHit: read.cacheHit,
    durationSeconds: elapsedSeconds(ready.budget, runtime.monotonicMs()), configReloadSuccessful: ready.reloadSuccessful, gateways: read.gateways,
  };
  const passThroughText = parts?.passThroughText ?? renderExposition(passThroughFamilies(lookup.passThrough, target, snapshot));
  const own = renderProbeOwnMetrics(evaluation, context);
  const expositionAscii = (parts?.passThroughAscii ?? isAscii(passThroughText)) && ownMetricsAscii(own, context);
  return { kind: 'probed', config, read, snapshot, nowSeconds, context, evaluation, exposition: own + passThroughText, expositionAscii };
}

/** Every configured service judged against one snapshot: what `/probes` and the status page show. */
export async function probeAll(runtime: Runtime, budget: ProbeBudget): Promise<AllProbed | ProbeRefusal> {
  const ready = await readConfig(runtime, budget);
  if (ready.kind === 'refused') return ready;
  const { config } = ready;
  // Each Pushgateway read once; each service judged on its shard's merge of those reads (docs/high-availability.md#sharding).
  const reads = await runtime.snapshots.readEach(config, remainingMs(ready.budget, runtime.monotonicMs(), config.timeoutSeconds));
  const nowSeconds = runtime.clock() / 1000;
  const read = runtime.snapshots.combine(config, reads);
  const snapshot = read.snapshot ?? EMPTY_SNAPSHOT;
  const discovery = await discoveredOrNone(config, read.snapshot, remainingMs(ready.budget, runtime.monotonicMs(), config.timeoutSeconds), runtime.logger);
  const services = discovery.services.size === 0 ? [...config.services.values()] : [...config.services.values(), ...discovery.services.values()];
  const evaluations = services.map((service) => {
    const own = service.pushgateways === undefined ? read : runtime.snapshots.combine(config, reads, service.pushgateways);
    return evaluateProbe(config, own.snapshot, service, service.name, nowSeconds, own.error);
  });
  const context = { ...read, durationSeconds: elapsedSeconds(ready.budget, runtime.monotonicMs()), configReloadSuccessful: ready.reloadSuccessful };
  return { kind: 'probed', config, read, snapshot, nowSeconds, context, evaluations, discovery };
}

/** The services /sd lists: the config's, then (with discover_services) the discovered ones. */
export interface ServicesListed {
  readonly kind: 'listed';
  readonly config: ExporterConfig;
  readonly services: readonly ServiceConfig[];
}

/** Every service, configured then discovered; the Pushgateway is read only when discovery is on. */
export async function listServices(runtime: Runtime, budget: ProbeBudget): Promise<ServicesListed | ProbeRefusal> {
  const ready = await readConfig(runtime, budget);
  if (ready.kind === 'refused') return ready;
  const { config } = ready;
  if (config.discovery === undefined) return { kind: 'listed', config, services: [...config.services.values()] };
  const { read } = await readSnapshot(runtime, ready.budget, config);
  const discovery = await discoveredWithin(config, read.snapshot, remainingMs(ready.budget, runtime.monotonicMs(), config.timeoutSeconds));
  return { kind: 'listed', config, services: [...config.services.values(), ...discovery.services.values()] };
}

/**
 * The debug report of one probe (`debug=true`, the CLI's `probe`): how the answer was reached, then
 * the metrics. Its renderer loads on the first report: a plain probe never loads it (docs/deploying.md#cold-start).
 */
export async function probeReport(probed: TargetProbed): Promise<string> {
  const { renderDebugReport } = await import('../core/report/debug-report.ts');
  return renderDebugReport(probed.evaluation, probed.config, probed.read, probed.nowSeconds, probed.exposition);
}
