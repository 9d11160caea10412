import type { ExporterConfig, ServiceConfig } from '../config/config-types.ts';
import { deadlineAfter, type Deadline } from './deadline.ts';
import type { Labels, Sample } from '../exposition/exposition-types.ts';
import { keyMetricsOf, lookupHeartbeat, type Heartbeat } from './heartbeat-lookup.ts';
import type {
  DecidingRule, PassThrough, PassThroughSample, ProbeEvaluation, ProbeState, ReplicaHeartbeat, ReplicaReport, RunSignals,
} from './probe-evaluation.ts';
import { newLabelSet } from '../exposition/label-set.ts';
import { activeMaintenance } from '../rules/maintenance-window.ts';
import { fromMicros, secondsBetween, toMicros } from '../time/microseconds.ts';
import { explainDecision } from './probe-reason.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from './signal-metrics.ts';
import { EMPTY_SNAPSHOT, groupKey, PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC, samplesNamed, type PushGroup, type Snapshot } from '../snapshot/snapshot.ts';
import { evaluateOkWhenRule, type OkWhenResult } from '../rules/ok-when.ts';

/** Names the probe itself exposes: a pushed sample may not shadow them. */
const OWN_PREFIX = 'probe_';

/** A sample of the target's: unlabelled, or labelled with its service (a group may carry several services' samples). */
const belongsTo = (sample: Sample, target: string): boolean => sample.service === undefined || sample.service === target;

const NO_SIGNALS: readonly string[] = [];
const NO_RULES: readonly OkWhenResult[] = [];
const NO_SAMPLES: readonly Sample[] = [];

/**
 * What a probe reads of the snapshot for one target: everything of the evaluation that does not
 * depend on the time it is judged at. The same (snapshot, service, target) always gives the same
 * lookup, so a warm process may keep it for the snapshot's life (../report/probe-answer-cache.ts).
 */
export interface ProbeLookup {
  readonly primary: Heartbeat | undefined;
  readonly perInstance: readonly Heartbeat[];
  /** The target's group: the heartbeat's, else its own `{job, instance=target}` one. */
  readonly group: PushGroup | undefined;
  /** The key metrics' samples of `group` (keyMetricsOf), found by name among all its lines. */
  readonly samples: readonly Sample[];
  /** The key metrics' samples of each `perInstance` group, in that order (with `replicas` only). */
  readonly replicaSamples: readonly (readonly Sample[])[];
  readonly passThrough: PassThrough;
  /** Samples held by `samples`, `replicaSamples` and `passThrough`: what a cache weighs the lookup by. */
  readonly sampleCount: number;
}

/** Reads what the probe of `target` needs from `snapshot`; no clock involved. */
export function lookUpProbe(snapshot: Snapshot, service: ServiceConfig, target: string): ProbeLookup {
  const { primary, perInstance } = lookupHeartbeat(snapshot, service, target);
  // A job that failed or started but never succeeded still has its own group to read signals from.
  const group = primary?.group ?? snapshot.groups.get(groupKey(service.job, target));
  // Found by name among all of the group's lines: a group flooded with other series still has them.
  const metrics = keyMetricsOf(service);
  const samples = group === undefined ? NO_SAMPLES : samplesNamed(group, metrics);
  const replicaSamples = service.replicas === undefined ? [] : perInstance.map((heartbeat) => samplesNamed(heartbeat.group, metrics));
  const passThrough = passThroughOf(group, service);
  let sampleCount = samples.length + passThrough.samples.length;
  for (const list of replicaSamples) sampleCount += list.length;
  return { primary, perInstance, group, samples, replicaSamples, passThrough, sampleCount };
}

/** The newest of each run signal in one pass over the group (probes are hot: no intermediate arrays). */
function readSignals(samples: readonly Sample[], target: string, nowSeconds: number, maxClockSkewSeconds: number): RunSignals {
  const now = toMicros(nowSeconds);
  const skew = toMicros(maxClockSkewSeconds);
  let startSeconds: number | undefined;
  let failureSeconds: number | undefined;
  let durationSeconds: number | undefined;
  let ignored = NO_SIGNALS;
  for (const sample of samples) {
    const { name, value } = sample;
    if ((name !== START_METRIC && name !== FAILURE_METRIC && name !== RUN_DURATION_METRIC) || !Number.isFinite(value) || !belongsTo(sample, target)) continue;
    if (name === RUN_DURATION_METRIC) {
      if (durationSeconds === undefined || value > durationSeconds) durationSeconds = value;
    } else if (toMicros(value) - now > skew) {
      if (!ignored.includes(name)) ignored = [...ignored, name];
    } else if (name === START_METRIC) {
      if (startSeconds === undefined || value > startSeconds) startSeconds = value;
    } else if (failureSeconds === undefined || value > failureSeconds) {
      failureSeconds = value;
    }
  }
  return { startSeconds, failureSeconds, durationSeconds, ignored };
}

/** The labels minus `job` and `instance`, in a label set: a pushed label named `constructor` or `__proto__` stays an ordinary label. */
function withoutGroupLabels(labels: Labels): Labels {
  const out = newLabelSet();
  for (const name of Object.keys(labels)) {
    if (name !== 'job' && name !== 'instance') out[name] = labels[name] as string;
  }
  return out;
}

function passThroughOf(group: PushGroup | undefined, service: ServiceConfig): PassThrough {
  if (group === undefined) return { samples: [], truncated: false };
  const out: PassThroughSample[] = [];
  for (const sample of group.samples) {
    if (
      sample.name === service.heartbeatMetric ||
      sample.name === PUSH_TIME_METRIC ||
      sample.name === PUSH_FAILURE_TIME_METRIC ||
      sample.family.startsWith(OWN_PREFIX) ||
      sample.name.startsWith(OWN_PREFIX)
    ) {
      continue;
    }
    out.push({ name: sample.name, family: sample.family, labels: withoutGroupLabels(sample.labels), value: sample.value });
  }
  return { samples: out, truncated: group.truncated === true };
}

/** A state and the rule of the decision order that settled it. */
interface Decision {
  readonly state: ProbeState;
  readonly rule: DecidingRule;
}

/** What one group's run signals and status rules say, judged against its last success. */
interface RunReport {
  readonly signals: RunSignals;
  readonly running: boolean;
  readonly okWhenResults: readonly OkWhenResult[];
  /** Set when the group itself reports a problem: a failure, a run too long, a broken status rule. */
  readonly problem: Decision | undefined;
  /** When the group last reported (its success, or the start of a run in progress), and the deadline that gives. */
  readonly arrivalSeconds: number | undefined;
  readonly deadline: Deadline | undefined;
  /** The pushed duration of the last finished run, else its finish minus its start. */
  readonly lastRunDurationSeconds: number | undefined;
}

function readRun(
  group: PushGroup | undefined, samples: readonly Sample[], successSeconds: number | undefined, service: ServiceConfig, target: string, nowSeconds: number, skew: number,
): RunReport {
  const signals = readSignals(samples, target, nowSeconds, skew);
  const { startSeconds, failureSeconds } = signals;
  const lastFinish = Math.max(successSeconds ?? Number.NEGATIVE_INFINITY, failureSeconds ?? Number.NEGATIVE_INFINITY);
  const now = toMicros(nowSeconds);
  // Equal times count as finished: a sub-second job pushing whole seconds starts and succeeds in the same second.
  const running = startSeconds !== undefined && toMicros(startSeconds) > toMicros(lastFinish);
  const ownSamples = service.okWhen.length === 0 ? samples : samples.filter((sample) => belongsTo(sample, target));
  const okWhenResults = group === undefined || service.okWhen.length === 0 ? NO_RULES : service.okWhen.map((rule) => evaluateOkWhenRule(rule, ownSamples));
  const arrivalSeconds = running ? startSeconds : successSeconds;
  let deadline = arrivalSeconds === undefined ? undefined : deadlineAfter(arrivalSeconds, service, nowSeconds);
  if (running && service.maxRunSeconds !== undefined) {
    // A run in progress is bounded by max_run_seconds, not by the period: a long job is not late while it may still run.
    const end = toMicros(startSeconds) + toMicros(service.maxRunSeconds);
    deadline = { nextExpectedSeconds: fromMicros(end), lateSeconds: fromMicros(now - end) };
  }

  let problem: Decision | undefined;
  // Equal times count as a success: whole-second pushes cannot order them, and the later push usually is the success.
  if (failureSeconds !== undefined && !running && (successSeconds === undefined || toMicros(failureSeconds) > toMicros(successSeconds))) {
    problem = { state: 'failed', rule: 'failure_signal' };
  } else if (running && service.maxRunSeconds !== undefined && now - toMicros(startSeconds) > toMicros(service.maxRunSeconds)) {
    problem = { state: 'running_too_long', rule: 'run_too_long' };
  } else if (arrivalSeconds !== undefined && okWhenResults.some((result) => !result.passed)) {
    problem = { state: 'failed', rule: 'ok_when' };
  }
  const lastRunDurationSeconds =
    signals.durationSeconds ?? (startSeconds !== undefined && !running && Number.isFinite(lastFinish) ? secondsBetween(lastFinish, startSeconds) : undefined);
  return { signals, running, okWhenResults, problem, arrivalSeconds, deadline, lastRunDurationSeconds };
}

/** The state of a service with one group, from its heartbeat and its run report. */
function decideSingle(run: RunReport, successSeconds: number | undefined, service: ServiceConfig, nowSeconds: number, skew: number): Decision {
  if (run.problem !== undefined) return run.problem;
  const { deadline } = run;
  if (run.arrivalSeconds === undefined || deadline === undefined) return { state: 'never', rule: 'never' };
  if (successSeconds !== undefined && toMicros(successSeconds) - toMicros(nowSeconds) > toMicros(skew)) return { state: 'late', rule: 'future_heartbeat' };
  if (run.running && service.maxRunSeconds !== undefined) return { state: 'up', rule: 'run_within_max' };
  if (service.schedule !== undefined) {
    if (deadline.nextExpectedSeconds === undefined) return { state: 'up', rule: 'schedule_ended' };
    return { state: deadline.lateSeconds > 0 ? 'late' : 'up', rule: 'schedule' };
  }
  return { state: deadline.lateSeconds > 0 ? 'late' : 'up', rule: 'threshold' };
}

/** Each replica judged on its own group: late, failed and hung instances do not count as fresh. */
function judgeReplicas(
  heartbeats: readonly Heartbeat[], samples: readonly (readonly Sample[])[], service: ServiceConfig, target: string, nowSeconds: number, skew: number,
): ReplicaHeartbeat[] {
  return heartbeats.map((heartbeat, index) => {
    const successSeconds = heartbeat.timestampSeconds;
    const run = readRun(heartbeat.group, samples[index] ?? NO_SAMPLES, successSeconds, service, target, nowSeconds, skew);
    const { state, rule } = decideSingle(run, successSeconds, service, nowSeconds, skew);
    const problem = state === 'up' ? undefined : explainDecision({
      state, rule, service, judgedAt: { nowSeconds, maxClockSkewSeconds: skew },
      heartbeat: { successSeconds, pushgatewayError: undefined }, run: { signals: run.signals, running: run.running },
      deadline: { arrivalSeconds: run.arrivalSeconds, due: run.deadline }, rules: { okWhenResults: run.okWhenResults, maintenance: undefined }, replicas: undefined,
    });
    return {
      job: heartbeat.group.job, instance: heartbeat.group.instance, timestampSeconds: successSeconds,
      ageSeconds: secondsBetween(nowSeconds, successSeconds), fresh: state === 'up', state, problem,
    };
  });
}

function decideReplicated(replicas: ReplicaReport): Decision {
  if (replicas.heartbeats.length === 0) return { state: 'never', rule: 'replicas_never' };
  if (replicas.fresh >= replicas.expected) return { state: 'up', rule: 'replicas' };
  // The shortfall is a failure when an instance says so, else lateness.
  const failing = replicas.heartbeats.some((replica) => replica.state === 'failed' || replica.state === 'running_too_long');
  return { state: failing ? 'failed' : 'late', rule: 'replicas' };
}

/**
 * Judges one target against one snapshot at `nowSeconds`. Pure: the caller supplies the
 * config, the snapshot and the clock reading. The first rule that holds decides the state:
 * paused, unreachable, failed (failure signal), running_too_long, never, failed (ok_when), late, up.
 * With `replicas`, each instance is judged so on its own group, and enough must be up.
 *
 * `snapshot` undefined means the Pushgateway could not be read and no snapshot within
 * `max_stale_seconds` is left: the heartbeat cannot be judged, so the state is `unreachable`
 * with `pushgatewayError` as its reason, unless the service is paused: that is an operator's
 * explicit choice to keep its alerts quiet, and needs no heartbeat to hold.
 */
export function evaluateProbe(
  config: Pick<ExporterConfig, 'maxClockSkewSeconds'>,
  snapshot: Snapshot | undefined,
  service: ServiceConfig,
  target: string,
  nowSeconds: number,
  pushgatewayError?: string,
): ProbeEvaluation {
  return judgeProbe(config, lookUpProbe(snapshot ?? EMPTY_SNAPSHOT, service, target), snapshot !== undefined, service, target, nowSeconds, pushgatewayError);
}

/**
 * evaluateProbe from a lookup made earlier on the same snapshot, service and target: every input
 * that depends on `nowSeconds` is read here, so the answer is the same as evaluateProbe's at any
 * time. `judged`: whether there is a snapshot at all (the lookup of none is made on EMPTY_SNAPSHOT).
 */
export function judgeProbe(
  config: Pick<ExporterConfig, 'maxClockSkewSeconds'>,
  lookup: ProbeLookup,
  judged: boolean,
  service: ServiceConfig,
  target: string,
  nowSeconds: number,
  pushgatewayError?: string,
): ProbeEvaluation {
  const skew = config.maxClockSkewSeconds;
  const { primary, group } = lookup;
  const successSeconds = primary?.timestampSeconds;
  const run = readRun(group, lookup.samples, successSeconds, service, target, nowSeconds, skew);
  const { signals, running } = run;
  const maintenance = activeMaintenance(service.maintenance, nowSeconds);

  let replicas: ReplicaReport | undefined;
  if (service.replicas !== undefined) {
    const heartbeats = judgeReplicas(lookup.perInstance, lookup.replicaSamples, service, target, nowSeconds, skew);
    replicas = { expected: service.replicas, fresh: heartbeats.filter((heartbeat) => heartbeat.fresh).length, heartbeats };
  }

  let decision: Decision;
  if (service.paused) decision = { state: 'paused', rule: 'paused' };
  else if (maintenance !== undefined) decision = { state: 'paused', rule: 'maintenance' };
  else if (!judged) decision = { state: 'unreachable', rule: 'unreachable' };
  else if (replicas !== undefined) decision = decideReplicated(replicas);
  else decision = decideSingle(run, successSeconds, service, nowSeconds, skew);

  return {
    target, service, success: decision.state === 'up' || decision.state === 'paused', state: decision.state, rule: decision.rule,
    judgedAt: { nowSeconds, maxClockSkewSeconds: skew },
    heartbeat: {
      judged, pushgatewayError: judged ? undefined : pushgatewayError, found: primary, successSeconds,
      ageSeconds: successSeconds === undefined ? undefined : secondsBetween(nowSeconds, successSeconds),
    },
    run: { signals, running, lastRunDurationSeconds: run.lastRunDurationSeconds },
    deadline: {
      arrivalSeconds: run.arrivalSeconds, due: run.deadline, nextExpectedSeconds: run.deadline?.nextExpectedSeconds,
      lateSeconds: run.deadline === undefined ? undefined : Math.max(0, run.deadline.lateSeconds),
    },
    rules: { okWhenResults: run.okWhenResults, maintenance },
    replicas,
    passThrough: lookup.passThrough,
  };
}
