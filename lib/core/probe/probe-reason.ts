import type { DecisionFacts } from './probe-evaluation.ts';
import { FAILURE_METRIC, START_METRIC } from './signal-metrics.ts';
import { formatExactSeconds as secs } from '../time/microseconds.ts';
import { isoTime as iso } from '../time/time-format.ts';

/**
 * One line saying why a probe answered as it did, with the figures the deciding rule used. Written
 * only when asked for (debug=true, the status page): most probes never need it.
 */
export function explainDecision(facts: DecisionFacts): string {
  const { service } = facts;
  const { nowSeconds } = facts.judgedAt;
  const { signals, running } = facts.run;
  const { arrivalSeconds, due: deadline } = facts.deadline;
  const doing = (): string =>
    running ? `a run started at ${iso(arrivalSeconds ?? Number.NaN)} is in progress` : `the last heartbeat is ${secs(nowSeconds - (arrivalSeconds ?? Number.NaN))} old`;
  const schedule = service.schedule;
  const when = schedule === undefined ? '' : `${schedule.schedule.expression} in ${schedule.schedule.timezone}`;
  switch (facts.rule) {
    case 'paused':
      return 'paused: true in the config';
    case 'maintenance': {
      const reasons = facts.rules.maintenance?.reasons ?? [];
      return `in a maintenance window until ${iso(facts.rules.maintenance?.untilSeconds ?? Number.NaN)}${reasons.length === 0 ? '' : ` (${reasons.join('; ')})`}`;
    }
    case 'unreachable':
      // The error leads: it names what broke (the monitoring path), and the rest says what that means.
      return `${facts.heartbeat.pushgatewayError ?? 'the Pushgateway could not be read'}; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged`;
    case 'failure_signal': {
      const since = facts.heartbeat.successSeconds === undefined ? 'and it never succeeded' : `after the last success at ${iso(facts.heartbeat.successSeconds)}`;
      return `the run failed at ${iso(signals.failureSeconds ?? Number.NaN)} (${FAILURE_METRIC}), ${since}`;
    }
    case 'run_too_long': {
      const start = signals.startSeconds ?? Number.NaN;
      return `a run started at ${iso(start)} (${START_METRIC}) is still running after ${secs(nowSeconds - start)}, over max_run_seconds ${service.maxRunSeconds}`;
    }
    case 'never':
      return `no ${service.heartbeatMetric} heartbeat for this target in the snapshot`;
    case 'ok_when': {
      const broken = facts.rules.okWhenResults.find((result) => !result.passed);
      if (broken === undefined) return 'a status rule does not hold';
      const seen = broken.values.length === 0 ? `${broken.rule.metric} was not pushed` : `${broken.rule.metric} is ${broken.values.join(', ')}`;
      return `status rule "${broken.rule.text}" does not hold: ${seen}`;
    }
    case 'future_heartbeat':
      return `the heartbeat is ${secs((facts.heartbeat.successSeconds ?? Number.NaN) - nowSeconds)} in the future, beyond max_clock_skew_seconds ${facts.judgedAt.maxClockSkewSeconds}`;
    case 'run_within_max':
      return `${doing()}, within max_run_seconds ${service.maxRunSeconds}`;
    case 'schedule_ended':
      return `${doing()}, and the schedule (${when}) does not fire again`;
    case 'schedule': {
      const next = iso(deadline?.nextExpectedSeconds ?? Number.NaN);
      const grace = schedule?.graceSeconds;
      if (facts.state === 'late') return `${doing()}: the run due at ${next} (${when}) is ${secs(deadline?.lateSeconds ?? Number.NaN)} past its grace of ${grace}s`;
      return `${doing()}; the next run is due at ${next} (${when}), grace ${grace}s`;
    }
    case 'threshold':
      return `${doing()}, ${facts.state === 'late' ? 'over' : 'within'} freshness_threshold_seconds ${service.freshnessThresholdSeconds}`;
    case 'replicas_never':
      return 'no instance has pushed a heartbeat labelled with this service';
    case 'replicas': {
      const replicas = facts.replicas;
      if (replicas === undefined) return 'replicas';
      const counts = `${replicas.fresh} instance(s) up, ${replicas.expected} required (replicas)`;
      const failing = facts.state === 'failed' ? replicas.heartbeats.find((replica) => replica.state === 'failed' || replica.state === 'running_too_long') : undefined;
      return failing === undefined ? counts : `${counts}; instance ${JSON.stringify(failing.instance)}: ${failing.problem ?? failing.state}`;
    }
  }
}
