import type { ServiceConfig } from '../config/config-types.ts';
import type { Labels } from '../exposition/exposition-types.ts';
import type { Heartbeat } from './heartbeat-lookup.ts';
import type { ActiveMaintenance } from '../rules/maintenance-window.ts';
import type { OkWhenResult } from '../rules/ok-when.ts';
import type { Deadline } from './deadline.ts';

/** A pushed sample as the probe re-exposes it. */
export interface PassThroughSample {
  readonly name: string;
  readonly family: string;
  readonly labels: Labels;
  readonly value: number;
}

/** Why a probe answered as it did: exactly one holds (`probe_state`). */
export const PROBE_STATES = ['up', 'late', 'failed', 'running_too_long', 'never', 'paused', 'unreachable'] as const;
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

/** Which rule of the decision order settled a probe's state. */
export type DecidingRule =
  | 'paused' | 'maintenance' | 'unreachable' | 'failure_signal' | 'run_too_long' | 'never' | 'ok_when' | 'future_heartbeat'
  | 'run_within_max' | 'schedule_ended' | 'schedule' | 'threshold' | 'replicas_never' | 'replicas';

/** When a probe was judged, and how far ahead of it a pushed time may lie. */
export interface JudgedAt {
  readonly nowSeconds: number;
  readonly maxClockSkewSeconds: number;
}

/** The heartbeat the probe judged by, or why there was none to look up. */
export interface HeartbeatFacts {
  /** False when there was no snapshot to judge by: nothing about the heartbeat is known. */
  readonly judged: boolean;
  /** Why the Pushgateway could not be read, when there was no snapshot to judge by. */
  readonly pushgatewayError: string | undefined;
  readonly found: Heartbeat | undefined;
  /** The last success (heartbeat) of the group judged. */
  readonly successSeconds: number | undefined;
  readonly ageSeconds: number | undefined;
}

/** The run signals of the group judged, and what they say. */
export interface RunFacts {
  readonly signals: RunSignals;
  readonly running: boolean;
  readonly lastRunDurationSeconds: number | undefined;
}

/** When the next report is due, from the last one (threshold or schedule). */
export interface DeadlineFacts {
  /** The last success, or the start of a run in progress. */
  readonly arrivalSeconds: number | undefined;
  readonly due: Deadline | undefined;
  /** When the next report is due (before grace); undefined with no heartbeat or a schedule that ended. */
  readonly nextExpectedSeconds: number | undefined;
  /** How far past its deadline (grace included) the service is; 0 when on time, undefined with no heartbeat. */
  readonly lateSeconds: number | undefined;
}

/** The operator's rules in force: the ok_when results and any active maintenance window. */
export interface RuleFacts {
  readonly okWhenResults: readonly OkWhenResult[];
  readonly maintenance: ActiveMaintenance | undefined;
}

/** With `replicas`: each instance judged on its own group, and how many count. */
export interface ReplicaReport {
  readonly expected: number;
  readonly fresh: number;
  readonly heartbeats: readonly ReplicaHeartbeat[];
}

/** The service's group's other samples, re-exposed with `job`/`instance` removed (bounded: docs/probe-rules.md#pass-through). */
export interface PassThrough {
  readonly samples: readonly PassThroughSample[];
  /** Whether the group held more than the pass-through bound, so `samples` leaves some out. */
  readonly truncated: boolean;
}

/** What the reason is written from: the deciding rule and the figures it used. */
export interface DecisionFacts {
  readonly state: ProbeState;
  readonly rule: DecidingRule;
  readonly service: ServiceConfig;
  readonly judgedAt: JudgedAt;
  readonly heartbeat: Pick<HeartbeatFacts, 'successSeconds' | 'pushgatewayError'>;
  readonly run: Pick<RunFacts, 'signals' | 'running'>;
  readonly deadline: Pick<DeadlineFacts, 'arrivalSeconds' | 'due'>;
  readonly rules: RuleFacts;
  readonly replicas: ReplicaReport | undefined;
}

/**
 * A probe's verdict (`success`, `state`, the deciding `rule`) and everything it was judged on,
 * grouped by what it describes; `explainDecision` (probe-reason.ts) turns it into one line of why.
 */
export interface ProbeEvaluation extends DecisionFacts {
  readonly target: string;
  readonly success: boolean;
  readonly heartbeat: HeartbeatFacts;
  readonly run: RunFacts;
  readonly deadline: DeadlineFacts;
  readonly passThrough: PassThrough;
}
