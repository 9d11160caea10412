import { explainDecision } from '../probe/probe-reason.ts';
import type { ProbeEvaluation, ProbeState } from '../probe/probe-evaluation.ts';
import { rfc3339Time } from '../time/time-format.ts';
import { roundSeconds } from '../time/round-seconds.ts';
import type { GatewayRead } from '../snapshot/snapshot-read.ts';

/** One service as the status page and its JSON show it: plain data, times in unix seconds and RFC 3339. */
export interface ServiceStatus {
  readonly name: string;
  readonly state: ProbeState;
  readonly success: boolean;
  readonly reason: string;
  /** "*\/15 * * * * (Europe/Berlin)", or undefined for a threshold service. */
  readonly schedule: string | undefined;
  readonly freshness_threshold_seconds: number | undefined;
  readonly last_heartbeat_timestamp_seconds: number | undefined;
  readonly last_heartbeat: string | undefined;
  readonly age_seconds: number | undefined;
  readonly next_expected_timestamp_seconds: number | undefined;
  readonly next_expected: string | undefined;
  readonly late_seconds: number | undefined;
  readonly last_run_duration_seconds: number | undefined;
  /** True for a service found by discover_services (docs/discovery.md); absent for a configured one. */
  readonly discovered?: true;
}

export interface StatusReport {
  readonly generated_at: string;
  readonly pushgateway_up: boolean;
  readonly snapshot_age_seconds: number | undefined;
  /** Set when the Pushgateway read failed: what went wrong. */
  readonly pushgateway_error: string | undefined;
  /** Each Pushgateway read, only with several (docs/high-availability.md#per-gateway-health). */
  readonly pushgateways?: readonly PushgatewayStatus[] | undefined;
  readonly services: readonly ServiceStatus[];
}

/** One Pushgateway's read, named by its URL redacted of credentials. */
export interface PushgatewayStatus {
  readonly pushgateway: string;
  readonly up: boolean;
  readonly snapshot_age_seconds: number | undefined;
  readonly error: string | undefined;
}

export interface StatusContext {
  readonly pushgatewayUp: boolean;
  readonly snapshotAgeSeconds: number | undefined;
  readonly error: string | undefined;
  readonly gateways?: readonly GatewayRead[] | undefined;
}

const milli = (seconds: number | undefined): number | undefined => (seconds === undefined ? undefined : roundSeconds(seconds, 'milli'));

export function serviceStatusOf(evaluation: ProbeEvaluation): ServiceStatus {
  const { service } = evaluation;
  const heartbeat = evaluation.heartbeat.found?.timestampSeconds;
  return {
    name: evaluation.target,
    state: evaluation.state,
    success: evaluation.success,
    reason: explainDecision(evaluation),
    schedule: service.schedule === undefined ? undefined : `${service.schedule.schedule.expression} (${service.schedule.schedule.timezone})`,
    freshness_threshold_seconds: service.freshnessThresholdSeconds,
    last_heartbeat_timestamp_seconds: heartbeat,
    last_heartbeat: rfc3339Time(heartbeat),
    age_seconds: milli(evaluation.heartbeat.ageSeconds),
    next_expected_timestamp_seconds: evaluation.deadline.nextExpectedSeconds,
    next_expected: rfc3339Time(evaluation.deadline.nextExpectedSeconds),
    late_seconds: milli(evaluation.deadline.lateSeconds),
    last_run_duration_seconds: milli(evaluation.run.lastRunDurationSeconds),
    ...(service.discovered === true ? { discovered: true } : {}),
  };
}

/** Every service's status at `nowSeconds`, in config order. Pure. */
export function buildStatusReport(evaluations: readonly ProbeEvaluation[], context: StatusContext, nowSeconds: number): StatusReport {
  return {
    generated_at: rfc3339Time(nowSeconds) ?? '',
    pushgateway_up: context.pushgatewayUp,
    snapshot_age_seconds: milli(context.snapshotAgeSeconds),
    pushgateway_error: context.error,
    ...(context.gateways === undefined ? {} : {
      pushgateways: context.gateways.map((gateway) => ({
        pushgateway: gateway.pushgateway, up: gateway.up, snapshot_age_seconds: milli(gateway.snapshotAgeSeconds), error: gateway.error,
      })),
    }),
    services: evaluations.map(serviceStatusOf),
  };
}
