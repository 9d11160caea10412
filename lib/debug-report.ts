import type { ExporterConfig } from './config.ts';
import type { ProbeEvaluation } from './evaluate-probe.ts';
import { redactUrl } from './redact-url.ts';
import type { SnapshotRead } from './snapshot-source.ts';

const iso = (seconds: number): string => (Number.isFinite(seconds) && Math.abs(seconds) < 8.64e12 ? new Date(seconds * 1000).toISOString() : String(seconds));
const secs = (seconds: number): string => `${seconds.toFixed(3)}s`;
/** Pushed values and the target are shown as JSON strings so no control character reaches the reader raw. */
const quote = (text: string): string => JSON.stringify(text);

const VERDICTS: Record<ProbeEvaluation['verdict'], string> = {
  fresh: 'FRESH: probe succeeded',
  stale: 'STALE: the heartbeat is older than the threshold',
  future: 'FUTURE: the heartbeat is further ahead than max_clock_skew_seconds allows',
  never: 'NEVER: no heartbeat for this target in the snapshot',
  too_few_replicas: 'TOO FEW REPLICAS: fewer fresh instances than required',
};

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
    `Probe of target ${quote(evaluation.target)} at ${iso(nowSeconds)}`,
    '',
    'Config used:',
    `  pushgateway_url: ${redactUrl(config.pushgatewayUrl)}${config.pushgatewayBearerToken === undefined ? '' : ' (bearer token set, not shown)'}`,
    `  service: ${quote(service.name)}${config.services.has(service.name) ? '' : ' (unlisted target, defaults applied)'}`,
    `  job: ${quote(service.job)}`,
    `  heartbeat_metric: ${service.heartbeatMetric}`,
    `  freshness_threshold_seconds: ${service.freshnessThresholdSeconds}`,
    `  max_clock_skew_seconds: ${config.maxClockSkewSeconds}`,
    `  scrape_interval_seconds (snapshot cache): ${config.scrapeIntervalSeconds}`,
    '',
    'Pushgateway snapshot:',
    `  read succeeded: ${read.pushgatewayUp ? 'yes' : 'no'}${read.cacheHit ? ' (cached)' : ''}`,
  ];
  if (read.error !== undefined) lines.push(`  error: ${read.error}`);
  lines.push(
    read.snapshotAgeSeconds === undefined ? '  snapshot: none available' : `  snapshot age: ${secs(read.snapshotAgeSeconds)}${read.pushgatewayUp ? '' : ' (stale fallback)'}`,
  );
  if (read.snapshot !== undefined) lines.push(`  groups: ${read.snapshot.groups.size}, samples: ${read.snapshot.sampleCount}`);
  lines.push('', 'Heartbeat:');
  const heartbeat = evaluation.heartbeat;
  if (heartbeat === undefined) {
    lines.push(
      `  not found: no group {job=${quote(service.job)}, instance=${quote(evaluation.target)}} with ${service.heartbeatMetric},`,
      `  and no ${service.heartbeatMetric} sample labelled service=${quote(evaluation.target)}`,
    );
  } else {
    lines.push(
      `  group found: {job=${quote(heartbeat.group.job)}, instance=${quote(heartbeat.group.instance)}} (${heartbeat.via === 'group' ? "the target's own group" : 'matched by its service label'})`,
      `  heartbeat timestamp: ${heartbeat.timestampSeconds} (${iso(heartbeat.timestampSeconds)})`,
      `  age: ${secs(evaluation.ageSeconds ?? Number.NaN)} (threshold ${secs(service.freshnessThresholdSeconds)})`,
    );
    if (heartbeat.group.pushTimeSeconds !== undefined) {
      lines.push(`  push_time_seconds: ${heartbeat.group.pushTimeSeconds} (${iso(heartbeat.group.pushTimeSeconds)})`);
    }
    lines.push(`  passed-through samples: ${evaluation.passThrough.length}`);
  }
  if (evaluation.replicas !== undefined) {
    lines.push('', `Replicas: ${evaluation.replicas.fresh} fresh of ${evaluation.replicas.expected} required`);
    for (const replica of evaluation.replicas.heartbeats) {
      lines.push(`  instance ${quote(replica.instance)}: age ${secs(replica.ageSeconds)} ${replica.fresh ? 'fresh' : 'not fresh'}`);
    }
  }
  lines.push('', `Verdict: ${VERDICTS[evaluation.verdict]}`, '', 'Metrics:', metrics);
  return lines.join('\n');
}
