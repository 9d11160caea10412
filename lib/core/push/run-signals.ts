import type { MetricFamily } from '../exposition/exposition-renderer.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../probe/signal-metrics.ts';
import { roundSeconds } from '../time/round-seconds.ts';

/** What a pusher reports about one run of a job, loop iteration or cron task. */
export type RunSignal =
  | { readonly kind: 'success'; readonly atSeconds: number; readonly durationSeconds?: number | undefined }
  | { readonly kind: 'start'; readonly atSeconds: number }
  | { readonly kind: 'failure'; readonly atSeconds: number; readonly durationSeconds?: number | undefined };

const HELP = {
  [SUCCESS_METRIC]: 'Unix time when the last run finished successfully (the heartbeat).',
  [START_METRIC]: 'Unix time when the last run started.',
  [FAILURE_METRIC]: 'Unix time when the last run failed.',
  [RUN_DURATION_METRIC]: 'How long the last finished run took, in seconds.',
} as const;

const toMillis = (seconds: number): number => roundSeconds(seconds, 'milli');

/**
 * Gauges, as every client library pushes them (prometheus_client, prom-client, client_golang):
 * Pushgateway rejects a push whose type for a name differs from that name's type in any other
 * group, so every pusher of these names must agree (docs/pushing.md).
 */
function family(name: string, help: string, service: string, value: number): MetricFamily {
  return { name, help, type: 'gauge', samples: [{ labels: { service }, value: toMillis(value) }] };
}

const TIMESTAMP_METRIC = { success: SUCCESS_METRIC, start: START_METRIC, failure: FAILURE_METRIC } as const;

/**
 * The metric families one signal pushes, each sample labelled `service="<service>"`. Pushed with
 * POST, they replace only these names in the group: a start or a failure keeps the last heartbeat.
 */
export function signalFamilies(signal: RunSignal, service: string, successMetric: string = SUCCESS_METRIC): MetricFamily[] {
  const timestampMetric = TIMESTAMP_METRIC[signal.kind];
  // A service configured with its own heartbeat_metric gets its successes under that name.
  const name = signal.kind === 'success' ? successMetric : timestampMetric;
  const families = [family(name, HELP[timestampMetric], service, signal.atSeconds)];
  if (signal.kind !== 'start' && signal.durationSeconds !== undefined) {
    families.push(family(RUN_DURATION_METRIC, HELP[RUN_DURATION_METRIC], service, signal.durationSeconds));
  }
  return families;
}
