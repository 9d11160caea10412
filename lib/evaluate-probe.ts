import type { ExporterConfig, ServiceConfig } from './config.ts';
import { deadlineAfter, type Deadline } from './deadline.ts';
import type { Labels, Sample } from './exposition-parser.ts';
import { lookupHeartbeat, type Heartbeat } from './heartbeat-lookup.ts';
import { activeMaintenance, type ActiveMaintenance } from './maintenance-window.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from './signal-metrics.ts';
import { groupKey, PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC, type PushGroup, type Snapshot } from './snapshot.ts';
import { evaluateStatusRule, type StatusRuleResult } from './status-rule.ts';
import { formatSeconds as secs, isoTime as iso } from './time-format.ts';

/** A pushed sample as the probe re-exposes it. */
export interface PassThroughSample {
  readonly name: string;
  readonly family: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Why a probe answered as it did: exactly one holds (`probe_state`). */
export const PROBE_STATES = ['up', 'late', 'failed', 'running_too_long', 'never', 'paused'] as const;
export type ProbeState = (typeof PROBE_STATES)[number];

export interface ReplicaHeartbeat {
  readonly job: string;
  readonly instance: string;
  readonly timestampSeconds: number;
  readonly ageSeconds: number;
  readonly fresh: boolean;
  /** The instance's own state, judged on its group as a single service would be. */
  readonly state: ProbeState;
  /** Why the instance does not count, when it does not. */
  readonly problem: string | undefined;
}

/** The run signals found in the service's group: the newest of each, ignoring any from the future. */
export interface RunSignals {
  readonly startSeconds: number | undefined;
  readonly failureSeconds: number | undefined;
  readonly durationSeconds: number | undefined;
  /** Signals ignored because they lie further ahead than `max_clock_skew_seconds` (a clock or unit error). */
  readonly ignored: readonly string[];
}

export interface ProbeEvaluation {
  readonly target: string;
  readonly service: ServiceConfig;
  readonly success: boolean;
  readonly state: ProbeState;
  /** One line naming the rule that decided the state, with the figures it used. */
  readonly reason: string;
  readonly heartbeat: Heartbeat | undefined;
  readonly ageSeconds: number | undefined;
  readonly maxClockSkewSeconds: number;
  /** When the next report is due (before grace); undefined with no heartbeat or a schedule that ended. */
  readonly nextExpectedSeconds: number | undefined;
  /** How far past its deadline (grace included) the service is; 0 when on time, undefined with no heartbeat. */
  readonly lateSeconds: number | undefined;
  readonly lastRunDurationSeconds: number | undefined;
  readonly signals: RunSignals;
  /** True while a run that started after the last finish has not finished. */
  readonly running: boolean;
  readonly statusRules: readonly StatusRuleResult[];
  /** The maintenance in force, if any. */
  readonly maintenance: ActiveMaintenance | undefined;
  readonly replicas: { readonly expected: number; readonly fresh: number; readonly heartbeats: readonly ReplicaHeartbeat[] } | undefined;
  /** The service's group's other samples, re-exposed with `job`/`instance` removed. */
  readonly passThrough: readonly PassThroughSample[];
}

/** Names the probe itself exposes: a pushed sample may not shadow them. */
const OWN_PREFIX = 'probe_';

/** The group's samples that belong to the target: unlabelled ones, and those labelled with its service. */
function samplesFor(group: PushGroup | undefined, target: string): readonly Sample[] {
  // A group may carry several services' samples (step 2 of the lookup): read only this one's.
  return (group?.samples ?? []).filter((sample) => sample.service === undefined || sample.service === target);
}

function readSignals(samples: readonly Sample[], nowSeconds: number, maxClockSkewSeconds: number): RunSignals {
  const ignored: string[] = [];
  const newest = (metric: string, isTime: boolean): number | undefined => {
    let found: number | undefined;
    for (const sample of samples) {
      if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
      if (isTime && sample.value - nowSeconds > maxClockSkewSeconds) {
        if (!ignored.includes(metric)) ignored.push(metric);
        continue;
      }
      if (found === undefined || sample.value > found) found = sample.value;
    }
    return found;
  };
  return {
    startSeconds: newest(START_METRIC, true),
    failureSeconds: newest(FAILURE_METRIC, true),
    durationSeconds: newest(RUN_DURATION_METRIC, false),
    ignored,
  };
}

function passThroughOf(group: PushGroup | undefined, service: ServiceConfig): PassThroughSample[] {
  if (group === undefined) return [];
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
    const { job: _job, instance: _instance, ...labels } = sample.labels;
    out.push({ name: sample.name, family: sample.family, labels, value: sample.value });
  }
  return out;
}

interface Decision {
  readonly state: ProbeState;
  readonly reason: string;
}

/** What one group's run signals and status rules say, judged against its last success. */
interface RunReport {
  readonly signals: RunSignals;
  readonly running: boolean;
  readonly statusRules: readonly StatusRuleResult[];
  /** Set when the group itself reports a problem: a failure, a run too long, a broken status rule. */
  readonly problem: Decision | undefined;
  /** When the group last reported (its success, or the start of a run in progress), and the deadline that gives. */
  readonly arrivalSeconds: number | undefined;
  readonly deadline: Deadline | undefined;
}

function readRun(group: PushGroup | undefined, successSeconds: number | undefined, service: ServiceConfig, target: string, nowSeconds: number, skew: number): RunReport {
  const samples = samplesFor(group, target);
  const signals = readSignals(samples, nowSeconds, skew);
  const { startSeconds, failureSeconds } = signals;
  const lastFinish = Math.max(successSeconds ?? Number.NEGATIVE_INFINITY, failureSeconds ?? Number.NEGATIVE_INFINITY);
  // Equal times count as finished: a sub-second job pushing whole seconds starts and succeeds in the same second.
  const running = startSeconds !== undefined && startSeconds > lastFinish;
  const statusRules = group === undefined ? [] : service.okWhen.map((rule) => evaluateStatusRule(rule, samples));
  const arrivalSeconds = running ? startSeconds : successSeconds;
  let deadline = arrivalSeconds === undefined ? undefined : deadlineAfter(arrivalSeconds, service, nowSeconds);
  if (running && service.maxRunSeconds !== undefined) {
    // A run in progress is bounded by max_run_seconds, not by the period: a long job is not late while it may still run.
    const end = startSeconds + service.maxRunSeconds;
    deadline = { nextExpectedSeconds: end, lateSeconds: nowSeconds - end };
  }

  let problem: Decision | undefined;
  // Equal times count as a success: whole-second pushes cannot order them, and the later push usually is the success.
  if (failureSeconds !== undefined && !running && (successSeconds === undefined || failureSeconds > successSeconds)) {
    const since = successSeconds === undefined ? 'and it never succeeded' : `after the last success at ${iso(successSeconds)}`;
    problem = { state: 'failed', reason: `the run failed at ${iso(failureSeconds)} (${FAILURE_METRIC}), ${since}` };
  } else if (running && service.maxRunSeconds !== undefined && nowSeconds - startSeconds > service.maxRunSeconds) {
    problem = {
      state: 'running_too_long',
      reason: `a run started at ${iso(startSeconds)} (${START_METRIC}) is still running after ${secs(nowSeconds - startSeconds)}, over max_run_seconds ${service.maxRunSeconds}`,
    };
  } else if (arrivalSeconds !== undefined) {
    const broken = statusRules.find((result) => !result.passed);
    if (broken !== undefined) {
      const seen = broken.values.length === 0 ? `${broken.rule.metric} was not pushed` : `${broken.rule.metric} is ${broken.values.join(', ')}`;
      problem = { state: 'failed', reason: `status rule "${broken.rule.text}" does not hold: ${seen}` };
    }
  }
  return { signals, running, statusRules, problem, arrivalSeconds, deadline };
}

/** The state of a service with one group, from its heartbeat and its run report. */
function decideSingle(run: RunReport, successSeconds: number | undefined, service: ServiceConfig, nowSeconds: number, skew: number): Decision {
  if (run.problem !== undefined) return run.problem;
  const { arrivalSeconds, deadline } = run;
  if (arrivalSeconds === undefined || deadline === undefined) {
    return { state: 'never', reason: `no ${service.heartbeatMetric} heartbeat for this target in the snapshot` };
  }
  if (successSeconds !== undefined && successSeconds - nowSeconds > skew) {
    return { state: 'late', reason: `the heartbeat is ${secs(successSeconds - nowSeconds)} in the future, beyond max_clock_skew_seconds ${skew}` };
  }
  const doing = run.running ? `a run started at ${iso(arrivalSeconds)} is in progress` : `the last heartbeat is ${secs(nowSeconds - arrivalSeconds)} old`;
  if (run.running && service.maxRunSeconds !== undefined) {
    return { state: 'up', reason: `${doing}, within max_run_seconds ${service.maxRunSeconds}` };
  }
  if (service.schedule !== undefined) {
    const { schedule, graceSeconds } = service.schedule;
    const when = `${schedule.expression} in ${schedule.timezone}`;
    const next = deadline.nextExpectedSeconds;
    if (next === undefined) return { state: 'up', reason: `${doing}, and the schedule (${when}) does not fire again` };
    if (deadline.lateSeconds > 0) {
      return { state: 'late', reason: `${doing}: the run due at ${iso(next)} (${when}) is ${secs(deadline.lateSeconds)} past its grace of ${graceSeconds}s` };
    }
    return { state: 'up', reason: `${doing}; the next run is due at ${iso(next)} (${when}), grace ${graceSeconds}s` };
  }
  const threshold = service.freshnessThresholdSeconds;
  if (deadline.lateSeconds > 0) return { state: 'late', reason: `${doing}, over freshness_threshold_seconds ${threshold}` };
  return { state: 'up', reason: `${doing}, within freshness_threshold_seconds ${threshold}` };
}

/** Each replica judged on its own group: late, failed and hung instances do not count as fresh. */
function judgeReplicas(
  heartbeats: readonly Heartbeat[], service: ServiceConfig, target: string, nowSeconds: number, skew: number,
): ReplicaHeartbeat[] {
  return heartbeats.map((heartbeat) => {
    const run = readRun(heartbeat.group, heartbeat.timestampSeconds, service, target, nowSeconds, skew);
    const decision = decideSingle(run, heartbeat.timestampSeconds, service, nowSeconds, skew);
    return {
      job: heartbeat.group.job,
      instance: heartbeat.group.instance,
      timestampSeconds: heartbeat.timestampSeconds,
      ageSeconds: nowSeconds - heartbeat.timestampSeconds,
      fresh: decision.state === 'up',
      state: decision.state,
      problem: decision.state === 'up' ? undefined : decision.reason,
    };
  });
}

function decideReplicated(replicas: NonNullable<ProbeEvaluation['replicas']>): Decision {
  const counts = `${replicas.fresh} instance(s) up, ${replicas.expected} required (replicas)`;
  if (replicas.heartbeats.length === 0) return { state: 'never', reason: 'no instance has pushed a heartbeat labelled with this service' };
  if (replicas.fresh >= replicas.expected) return { state: 'up', reason: counts };
  // The shortfall is a failure when an instance says so, else lateness.
  const failing = replicas.heartbeats.find((replica) => replica.state === 'failed' || replica.state === 'running_too_long');
  if (failing !== undefined) return { state: 'failed', reason: `${counts}; instance ${JSON.stringify(failing.instance)}: ${failing.problem}` };
  return { state: 'late', reason: counts };
}

/**
 * Judges one target against one snapshot at `nowSeconds`. Pure: the caller supplies the
 * config, the snapshot and the clock reading. The first rule that holds decides the state:
 * paused, failed (failure signal), running_too_long, never, failed (ok_when), late, up.
 * With `replicas`, each instance is judged so on its own group, and enough must be up.
 */
export function evaluateProbe(
  config: Pick<ExporterConfig, 'maxClockSkewSeconds'>,
  snapshot: Snapshot,
  service: ServiceConfig,
  target: string,
  nowSeconds: number,
): ProbeEvaluation {
  const skew = config.maxClockSkewSeconds;
  const { primary, perInstance } = lookupHeartbeat(snapshot, service, target);
  // A job that failed or started but never succeeded still has its own group to read signals from.
  const group = primary?.group ?? snapshot.groups.get(groupKey(service.job, target));
  const successSeconds = primary?.timestampSeconds;
  const run = readRun(group, successSeconds, service, target, nowSeconds, skew);
  const { signals, running } = run;
  const lastFinish = Math.max(successSeconds ?? Number.NEGATIVE_INFINITY, signals.failureSeconds ?? Number.NEGATIVE_INFINITY);
  const lastRunDurationSeconds =
    signals.durationSeconds ??
    (signals.startSeconds !== undefined && !running && Number.isFinite(lastFinish) ? lastFinish - signals.startSeconds : undefined);
  const maintenance = activeMaintenance(service.maintenance, nowSeconds);

  let replicas: ProbeEvaluation['replicas'];
  if (service.replicas !== undefined) {
    const heartbeats = judgeReplicas(perInstance, service, target, nowSeconds, skew);
    replicas = { expected: service.replicas, fresh: heartbeats.filter((heartbeat) => heartbeat.fresh).length, heartbeats };
  }

  let decision: Decision;
  if (service.paused) decision = { state: 'paused', reason: 'paused: true in the config' };
  else if (maintenance !== undefined) {
    const why = maintenance.reasons.length === 0 ? '' : ` (${maintenance.reasons.join('; ')})`;
    decision = { state: 'paused', reason: `in a maintenance window until ${iso(maintenance.untilSeconds)}${why}` };
  } else if (replicas !== undefined) decision = decideReplicated(replicas);
  else decision = decideSingle(run, successSeconds, service, nowSeconds, skew);

  return {
    target, service, success: decision.state === 'up' || decision.state === 'paused', state: decision.state, reason: decision.reason,
    heartbeat: primary, ageSeconds: successSeconds === undefined ? undefined : nowSeconds - successSeconds, maxClockSkewSeconds: skew,
    nextExpectedSeconds: run.deadline?.nextExpectedSeconds,
    lateSeconds: run.deadline === undefined ? undefined : Math.max(0, run.deadline.lateSeconds),
    lastRunDurationSeconds, signals, running, statusRules: run.statusRules, maintenance, replicas,
    passThrough: passThroughOf(group, service),
  };
}
