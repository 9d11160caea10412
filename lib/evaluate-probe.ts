import type { ExporterConfig, ServiceConfig, ServiceMaintenance } from './config.ts';
import type { Labels, Sample } from './exposition-parser.ts';
import { lookupHeartbeat, type Heartbeat } from './heartbeat-lookup.ts';
import { activeMaintenanceWindow } from './maintenance-window.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from './signal-metrics.ts';
import { groupKey, PUSH_FAILURE_TIME_METRIC, PUSH_TIME_METRIC, type PushGroup, type Snapshot } from './snapshot.ts';
import { evaluateStatusRule, type StatusRuleResult } from './status-rule.ts';

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
}

/** The run signals found in the service's group (newest of each). */
export interface RunSignals {
  readonly startSeconds: number | undefined;
  readonly failureSeconds: number | undefined;
  readonly durationSeconds: number | undefined;
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
  /** When the next heartbeat is due (before grace); undefined with no heartbeat or a schedule that ended. */
  readonly nextExpectedSeconds: number | undefined;
  /** How far past its deadline (grace included) the service is; 0 when on time, undefined with no heartbeat. */
  readonly lateSeconds: number | undefined;
  readonly lastRunDurationSeconds: number | undefined;
  readonly signals: RunSignals;
  /** True while a run that started after the last success has not finished. */
  readonly running: boolean;
  readonly statusRules: readonly StatusRuleResult[];
  /** The maintenance window in force, if any. */
  readonly maintenance: ServiceMaintenance | undefined;
  readonly replicas: { readonly expected: number; readonly fresh: number; readonly heartbeats: readonly ReplicaHeartbeat[] } | undefined;
  /** The service's group's other samples, re-exposed with `job`/`instance` removed. */
  readonly passThrough: readonly PassThroughSample[];
}

/** Names the probe itself exposes: a pushed sample may not shadow them. */
const OWN_PREFIX = 'probe_';

const iso = (seconds: number): string => (Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : String(seconds));
const secs = (seconds: number): string => `${Math.round(seconds * 1000) / 1000}s`;

/** When the heartbeat after one that arrived at `arrivalSeconds` is due, and how late it is at `nowSeconds`. */
interface Expectation {
  readonly nextExpectedSeconds: number | undefined;
  /** Positive when late; otherwise minus the time left. */
  readonly lateSeconds: number;
}

function expectationAfter(arrivalSeconds: number, service: ServiceConfig, nowSeconds: number): Expectation {
  if (service.schedule !== undefined) {
    const next = service.schedule.schedule.nextAfter(arrivalSeconds);
    // A schedule that never fires again never makes the service late.
    if (next === undefined) return { nextExpectedSeconds: undefined, lateSeconds: Number.NEGATIVE_INFINITY };
    return { nextExpectedSeconds: next, lateSeconds: nowSeconds - (next + service.schedule.graceSeconds) };
  }
  const threshold = service.freshnessThresholdSeconds ?? 0;
  // Age against threshold (not now against arrival + threshold): the boundary is exact for the 0.1-style values users push.
  return { nextExpectedSeconds: arrivalSeconds + threshold, lateSeconds: nowSeconds - arrivalSeconds - threshold };
}

function isFreshAt(timestampSeconds: number, service: ServiceConfig, nowSeconds: number, maxClockSkewSeconds: number): boolean {
  if (timestampSeconds - nowSeconds > maxClockSkewSeconds) return false;
  return expectationAfter(timestampSeconds, service, nowSeconds).lateSeconds <= 0;
}

/** The newest finite value of `metric` among the service's samples. */
function newestSignal(samples: readonly Sample[], metric: string): number | undefined {
  let newest: number | undefined;
  for (const sample of samples) {
    if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
    if (newest === undefined || sample.value > newest) newest = sample.value;
  }
  return newest;
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

/**
 * Judges one target against one snapshot at `nowSeconds`. Pure: the caller supplies the
 * config, the snapshot and the clock reading. The first rule that holds decides the state:
 * paused, failed (failure signal), running_too_long, never, failed (ok_when), late, up.
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
  // A group may carry several services' samples (step 2 of the lookup): read only this one's.
  const samples = (group?.samples ?? []).filter((sample) => sample.service === undefined || sample.service === target);
  const successSeconds = primary?.timestampSeconds;
  const signals: RunSignals = {
    startSeconds: newestSignal(samples, START_METRIC),
    failureSeconds: newestSignal(samples, FAILURE_METRIC),
    durationSeconds: newestSignal(samples, RUN_DURATION_METRIC),
  };
  const lastFinish = Math.max(successSeconds ?? Number.NEGATIVE_INFINITY, signals.failureSeconds ?? Number.NEGATIVE_INFINITY);
  const running = signals.startSeconds !== undefined && signals.startSeconds > lastFinish;
  const ageSeconds = successSeconds === undefined ? undefined : nowSeconds - successSeconds;

  // A run in progress counts as the service reporting: a long cron job is not late while it runs.
  const arrival = running ? Math.max(signals.startSeconds ?? 0, successSeconds ?? Number.NEGATIVE_INFINITY) : successSeconds;
  const expectation = arrival === undefined ? undefined : expectationAfter(arrival, service, nowSeconds);
  const lastRunDurationSeconds =
    signals.durationSeconds ??
    (signals.startSeconds !== undefined && !running && Number.isFinite(lastFinish) ? lastFinish - signals.startSeconds : undefined);
  const statusRules = group === undefined ? [] : service.okWhen.map((rule) => evaluateStatusRule(rule, samples));
  const maintenance = activeMaintenanceWindow(service.maintenance, nowSeconds);

  let replicas: ProbeEvaluation['replicas'];
  if (service.replicas !== undefined) {
    const heartbeats = perInstance.map((heartbeat): ReplicaHeartbeat => ({
      job: heartbeat.group.job,
      instance: heartbeat.group.instance,
      timestampSeconds: heartbeat.timestampSeconds,
      ageSeconds: nowSeconds - heartbeat.timestampSeconds,
      fresh: isFreshAt(heartbeat.timestampSeconds, service, nowSeconds, skew),
    }));
    replicas = { expected: service.replicas, fresh: heartbeats.filter((heartbeat) => heartbeat.fresh).length, heartbeats };
  }

  const decision = decide();
  return {
    target, service, success: decision.state === 'up' || decision.state === 'paused', state: decision.state, reason: decision.reason,
    heartbeat: primary, ageSeconds, maxClockSkewSeconds: skew,
    nextExpectedSeconds: expectation?.nextExpectedSeconds,
    lateSeconds: expectation === undefined ? undefined : Math.max(0, expectation.lateSeconds),
    lastRunDurationSeconds, signals, running, statusRules, maintenance, replicas,
    passThrough: passThroughOf(group, service),
  };

  function decide(): Decision {
    if (service.paused) return { state: 'paused', reason: 'paused: true in the config' };
    if (maintenance !== undefined) {
      const why = maintenance.reason === undefined ? '' : ` (${maintenance.reason})`;
      return { state: 'paused', reason: `in a maintenance window until ${iso(maintenance.toSeconds)}${why}` };
    }
    const { failureSeconds, startSeconds } = signals;
    if (failureSeconds !== undefined && (successSeconds === undefined || failureSeconds > successSeconds) && !running) {
      const since = successSeconds === undefined ? 'and it never succeeded' : `after the last success at ${iso(successSeconds)}`;
      return { state: 'failed', reason: `the run failed at ${iso(failureSeconds)} (${FAILURE_METRIC}), ${since}` };
    }
    if (running && startSeconds !== undefined && service.maxRunSeconds !== undefined && nowSeconds - startSeconds > service.maxRunSeconds) {
      return {
        state: 'running_too_long',
        reason: `a run started at ${iso(startSeconds)} (${START_METRIC}) is still running after ${secs(nowSeconds - startSeconds)}, over max_run_seconds ${service.maxRunSeconds}`,
      };
    }
    if (arrival === undefined || expectation === undefined) {
      return { state: 'never', reason: `no ${service.heartbeatMetric} heartbeat for this target in the snapshot` };
    }
    const broken = statusRules.find((result) => !result.passed);
    if (broken !== undefined) {
      const seen = broken.values.length === 0 ? `${broken.rule.metric} was not pushed` : `${broken.rule.metric} is ${broken.values.join(', ')}`;
      return { state: 'failed', reason: `status rule "${broken.rule.text}" does not hold: ${seen}` };
    }
    if (successSeconds !== undefined && successSeconds - nowSeconds > skew) {
      return { state: 'late', reason: `the heartbeat is ${secs(successSeconds - nowSeconds)} in the future, beyond max_clock_skew_seconds ${skew}` };
    }
    if (replicas !== undefined) {
      if (replicas.fresh < replicas.expected) {
        return { state: 'late', reason: `${replicas.fresh} instance(s) with a fresh heartbeat, ${replicas.expected} required (replicas)` };
      }
      return { state: 'up', reason: `${replicas.fresh} instance(s) with a fresh heartbeat, ${replicas.expected} required (replicas)` };
    }
    const doing = running ? `a run started at ${iso(arrival)} is in progress` : `the last heartbeat is ${secs(nowSeconds - arrival)} old`;
    if (service.schedule !== undefined) {
      const { schedule, graceSeconds } = service.schedule;
      const when = `${schedule.expression} in ${schedule.timezone}`;
      const next = expectation.nextExpectedSeconds;
      if (next === undefined) return { state: 'up', reason: `${doing}, and the schedule (${when}) does not fire again` };
      if (expectation.lateSeconds > 0) {
        return { state: 'late', reason: `${doing}: the run due at ${iso(next)} (${when}) is ${secs(expectation.lateSeconds)} past its grace of ${graceSeconds}s` };
      }
      return { state: 'up', reason: `${doing}; the next run is due at ${iso(next)} (${when}), grace ${graceSeconds}s` };
    }
    const threshold = service.freshnessThresholdSeconds;
    if (expectation.lateSeconds > 0) return { state: 'late', reason: `${doing}, over freshness_threshold_seconds ${threshold}` };
    return { state: 'up', reason: `${doing}, within freshness_threshold_seconds ${threshold}` };
  }
}
