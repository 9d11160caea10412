import type { ExporterConfig } from '../config/config-types.ts';
import { explainDecision } from '../probe/probe-reason.ts';
import type { ProbeEvaluation } from '../probe/probe-evaluation.ts';
import { redactUrl } from '../config/redact-url.ts';
import { jsonQuoted } from '../quote.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC } from '../probe/signal-metrics.ts';
import { formatExactSeconds as secs } from '../time/microseconds.ts';
import { isoTime as iso } from '../time/time-format.ts';
import type { SnapshotRead } from '../snapshot/snapshot-read.ts';

/**
 * Pushed values and the target, shown in full (the report explains one probe to a person; nothing
 * here is clipped) and JSON-quoted, so no control character or line separator reaches the reader raw.
 */
const jsonString = jsonQuoted;

const STATES: Record<ProbeEvaluation['state'], string> = {
  up: 'UP: probe succeeded',
  late: 'LATE: the heartbeat did not arrive in time',
  failed: 'FAILED: the service reported a failure',
  running_too_long: 'RUNNING TOO LONG: a run has not finished within max_run_seconds',
  never: 'NEVER: no heartbeat for this target in the snapshot',
  paused: 'PAUSED: probe succeeds so alerts stay quiet',
  unreachable: 'UNREACHABLE: the Pushgateway could not be read; the heartbeat was not judged',
};

/** How the service is expected to report, as the config says it. */
function expectationLines(evaluation: ProbeEvaluation): string[] {
  const { service } = evaluation;
  const lines: string[] = [];
  if (service.discovered === true) lines.push('  discovered: true (not configured: found by discover_services, judged with the defaults)');
  if (service.schedule === undefined) lines.push(`  freshness_threshold_seconds: ${service.freshnessThresholdSeconds}`);
  else {
    lines.push(
      `  schedule: ${jsonString(service.schedule.schedule.expression)} in ${service.schedule.schedule.timezone}`,
      `  grace_seconds: ${service.schedule.graceSeconds}`,
    );
  }
  if (service.maxRunSeconds !== undefined) lines.push(`  max_run_seconds: ${service.maxRunSeconds}`);
  for (const rule of service.okWhen) lines.push(`  ok_when: ${jsonString(rule.text)}`);
  if (service.paused) lines.push('  paused: true');
  for (const window of service.maintenance) {
    lines.push(`  maintenance: ${iso(window.fromSeconds)} to ${iso(window.toSeconds)}${window.reason === undefined ? '' : ` (${jsonString(window.reason)})`}`);
  }
  return lines;
}

/** The run signals and status rules the probe read, and the deadline they give. */
function runLines(evaluation: ProbeEvaluation): string[] {
  const { signals } = evaluation.run;
  const lines: string[] = [];
  const at = (seconds: number | undefined): string => (seconds === undefined ? 'not pushed' : `${seconds} (${iso(seconds)})`);
  if (signals.startSeconds !== undefined || signals.failureSeconds !== undefined || signals.durationSeconds !== undefined || signals.ignored.length > 0) {
    lines.push(
      '', 'Run signals:',
      `  ${START_METRIC}: ${at(signals.startSeconds)}${evaluation.run.running ? ' (running)' : ''}`,
      `  ${FAILURE_METRIC}: ${at(signals.failureSeconds)}`,
      `  ${RUN_DURATION_METRIC}: ${signals.durationSeconds === undefined ? 'not pushed' : secs(signals.durationSeconds)}`,
    );
  }
  for (const metric of signals.ignored) lines.push(`  ${metric}: ignored, further in the future than max_clock_skew_seconds ${evaluation.judgedAt.maxClockSkewSeconds}`);
  if (evaluation.run.lastRunDurationSeconds !== undefined) lines.push(`  last run took: ${secs(evaluation.run.lastRunDurationSeconds)}`);
  if (evaluation.rules.okWhenResults.length > 0) {
    lines.push('', 'Status rules (ok_when):');
    for (const result of evaluation.rules.okWhenResults) {
      const seen = result.values.length === 0 ? 'not pushed' : result.values.join(', ');
      lines.push(`  ${jsonString(result.rule.text)}: ${result.passed ? 'holds' : 'does not hold'} (${result.rule.metric} = ${seen})`);
    }
  }
  if (evaluation.deadline.nextExpectedSeconds !== undefined) {
    lines.push('', `Next heartbeat due: ${iso(evaluation.deadline.nextExpectedSeconds)}; late by ${secs(evaluation.deadline.lateSeconds ?? 0)}`);
  }
  return lines;
}

/** The `debug=true` answer: how the probe reached its verdict, in plain words, then the metrics. */
export function renderDebugReport(
  evaluation: ProbeEvaluation,
  config: ExporterConfig,
  read: SnapshotRead,
  nowSeconds: number,
  metrics: string,
): string {
  const { service } = evaluation;
  const lines: string[] = [
    `Probe of target ${jsonString(evaluation.target)} at ${iso(nowSeconds)}`,
    '',
    'Config used:',
    `  pushgateway_url: ${config.pushgatewayUrls.map(redactUrl).join(', ')}${config.pushgatewayBearerToken === undefined ? '' : ' (bearer token set, not shown)'}`,
    ...(service.pushgateways === undefined ? [] : [`  pushgateways (the service's shard): ${service.pushgateways.map(redactUrl).join(', ')}`]),
    `  service: ${jsonString(service.name)}${config.services.has(service.name) ? '' : ' (unlisted target, defaults applied)'}`,
    `  job: ${jsonString(service.job)}`,
    `  heartbeat_metric: ${service.heartbeatMetric}`,
    ...expectationLines(evaluation),
    `  max_clock_skew_seconds: ${config.maxClockSkewSeconds}`,
    `  scrape_interval_seconds (snapshot cache): ${config.scrapeIntervalSeconds}`,
    `  max_stale_seconds: ${config.maxStaleSeconds}`,
    '',
    'Pushgateway snapshot:',
    `  read succeeded: ${read.pushgatewayUp ? 'yes' : 'no'}${read.cacheHit ? ' (cached)' : ''}`,
  ];
  if (read.error !== undefined) lines.push(`  error: ${read.error}`);
  // With several Pushgateways, each one's read (docs/high-availability.md#per-gateway-health).
  for (const gateway of read.gateways ?? []) {
    const age = gateway.snapshotAgeSeconds === undefined ? 'no snapshot' : `snapshot age ${secs(gateway.snapshotAgeSeconds)}${gateway.up ? '' : ' (stale fallback)'}`;
    lines.push(`  pushgateway ${gateway.pushgateway}: ${gateway.up ? 'read succeeded' : `read failed: ${gateway.error ?? 'unknown error'}`}; ${age}`);
  }
  lines.push(
    read.snapshotAgeSeconds === undefined ? '  snapshot: none available' : `  snapshot age: ${secs(read.snapshotAgeSeconds)}${read.pushgatewayUp ? '' : ' (stale fallback)'}`,
  );
  if (read.snapshot !== undefined) lines.push(`  groups: ${read.snapshot.groups.size}, samples: ${read.snapshot.sampleCount}`);
  const { invalidLines, firstInvalidLine } = read.snapshot ?? {};
  if (invalidLines !== undefined && invalidLines > 0) lines.push(`  invalid lines left out: ${invalidLines} (first: ${firstInvalidLine ?? 'unknown'})`);
  lines.push('', 'Heartbeat:');
  const heartbeat = evaluation.heartbeat.found;
  if (!evaluation.heartbeat.judged) {
    // "not found" would send the reader hunting for a broken job: nothing was looked at.
    lines.push('  not looked up: no Pushgateway snapshot to look in (see the error above)');
  } else if (heartbeat === undefined) {
    lines.push(
      `  not found: no group {job=${jsonString(service.job)}, instance=${jsonString(evaluation.target)}} with ${service.heartbeatMetric},`,
      `  and no ${service.heartbeatMetric} sample labelled service=${jsonString(evaluation.target)}`,
    );
  } else {
    lines.push(
      `  group found: {job=${jsonString(heartbeat.group.job)}, instance=${jsonString(heartbeat.group.instance)}} (${heartbeat.via === 'group' ? "the target's own group" : 'matched by its service label'})`,
      `  heartbeat timestamp: ${heartbeat.timestampSeconds} (${iso(heartbeat.timestampSeconds)})`,
      `  age: ${secs(evaluation.heartbeat.ageSeconds ?? Number.NaN)}`,
    );
    if (heartbeat.group.pushTimeSeconds !== undefined) {
      lines.push(`  push_time_seconds: ${heartbeat.group.pushTimeSeconds} (${iso(heartbeat.group.pushTimeSeconds)})`);
    }
    lines.push(`  passed-through samples: ${evaluation.passThrough.samples.length}${evaluation.passThrough.truncated ? ' (truncated: the group holds more than the pass-through bound, docs/probe-rules.md#pass-through)' : ''}`);
  }
  if (evaluation.replicas !== undefined) {
    lines.push('', `Replicas: ${evaluation.replicas.fresh} up of ${evaluation.replicas.expected} required`);
    for (const replica of evaluation.replicas.heartbeats) {
      lines.push(`  instance ${jsonString(replica.instance)}: age ${secs(replica.ageSeconds)}, ${replica.fresh ? 'up' : `${replica.state}: ${replica.problem ?? ''}`}`);
    }
  }
  lines.push(...runLines(evaluation));
  lines.push('', `State: ${STATES[evaluation.state]}`, `Why: ${explainDecision(evaluation)}`, '', 'Metrics:', metrics);
  return lines.join('\n');
}
