import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import type { ProbeEvaluation } from '../../lib/core/probe/probe-evaluation.ts';
import { renderDebugReport } from '../../lib/core/report/debug-report.ts';
import { buildAllProbesMetrics, buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { buildStatusReport } from '../../lib/core/report/status-report.ts';
import { renderStatusPage } from '../../lib/core/report/status-page.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// Every probe state through every report: the debug text, /probe and /probes metrics, the status
// JSON and page, byte for byte as the exporter wrote them before ProbeEvaluation was regrouped.
const GOLDEN = new URL('../fixtures/golden/probe-reports.txt', import.meta.url);

describe('probe reports', () => {
  it('render every state exactly as the golden file records them', () => {
    const config = parseConfig(`
    pushgateway_url: "http://user:pw@pushgateway:9091"
    scrape_interval_seconds: 5
    defaults:
      freshness_threshold_seconds: 30
      timezone: Europe/Berlin
    services:
      - name: queue-consumer
        ok_when: ["loop_status == 1", "loop_queue_depth < 1000"]
      - name: worker
        replicas: 3
      - name: nightly-backup
        schedule: "30 2 * * *"
        grace_seconds: 1800
        max_run_seconds: 3600
      - name: billing
        paused: true
      - name: fresh
      - name: stale
      - name: failing
      - name: hung
        max_run_seconds: 60
      - name: future
      - name: maint
        maintenance: [{from: "2026-01-10T00:00:00Z", to: "2026-01-11T00:00:00Z", reason: "db move"}]
      - name: never
      - name: labelled
    `);
    const now = Date.parse('2026-01-10T12:00:00Z') / 1000;
    const g = (inst: string, extra = '') => `{instance="${inst}",job="heartbeat"${extra}}`;
    const lines = [
      '# HELP loop_queue_depth Queue depth.', '# TYPE loop_queue_depth gauge',
      `loop_queue_depth${g('queue-consumer')} 2000`, `loop_status${g('queue-consumer')} 1`, `loop_heartbeat_timestamp_seconds${g('queue-consumer')} ${now - 3}`,
      `loop_heartbeat_timestamp_seconds{instance="w1",job="heartbeat",service="worker"} ${now - 2}`,
      `loop_heartbeat_timestamp_seconds{instance="w2",job="heartbeat",service="worker"} ${now - 100}`,
      `loop_failure_timestamp_seconds{instance="w3",job="heartbeat",service="worker"} ${now - 1}`,
      `loop_heartbeat_timestamp_seconds{instance="w3",job="heartbeat",service="worker"} ${now - 10}`,
      `loop_heartbeat_timestamp_seconds${g('nightly-backup')} ${now - 86400 * 2}`, `loop_start_timestamp_seconds${g('nightly-backup')} ${now - 86400 * 2 - 60}`,
      `loop_last_run_duration_seconds${g('nightly-backup')} 55.5`,
      `loop_heartbeat_timestamp_seconds${g('fresh')} ${now - 1.25}`, `custom_total${g('fresh', ',kind="a\\"b"')} 7`, `push_time_seconds${g('fresh')} ${now - 1}`,
      `loop_heartbeat_timestamp_seconds${g('stale')} ${now - 100}`,
      `loop_heartbeat_timestamp_seconds${g('failing')} ${now - 100}`, `loop_failure_timestamp_seconds${g('failing')} ${now - 5}`,
      `loop_heartbeat_timestamp_seconds${g('hung')} ${now - 500}`, `loop_start_timestamp_seconds${g('hung')} ${now - 400}`, `loop_start_timestamp_seconds${g('stale')} ${now + 9999}`,
      `loop_heartbeat_timestamp_seconds${g('future')} ${now + 1000}`,
      `loop_heartbeat_timestamp_seconds{instance="host-7",job="cron",service="labelled"} ${now - 4}`,
      'pushgateway_build_info{version="1"} 1',
    ];
    const snapshot = indexSnapshot(`${lines.join('\n')}\n`, FIXED_HASH_SEED);
    const read = { snapshot, pushgatewayUp: true, snapshotAgeSeconds: 1.5, error: undefined, cacheHit: true };
    const context = { pushgatewayUp: true, snapshotAgeSeconds: 1.5, durationSeconds: 0.001234567, configReloadSuccessful: true };
    const out: string[] = [];
    const evaluations: ProbeEvaluation[] = [];
    for (const service of config.services.values()) {
      const e = evaluateProbe(config, snapshot, service, service.name, now);
      evaluations.push(e);
      const metrics = renderExposition(buildProbeMetrics(e, context, snapshot));
      out.push(`=== ${service.name}`, renderDebugReport(e, config, read, now, metrics));
      const u = evaluateProbe(config, undefined, service, service.name, now, 'Pushgateway at http://pushgateway:9091 did not answer');
      out.push(`=== ${service.name} unreachable`, renderDebugReport(u, config, { ...read, snapshot: undefined, pushgatewayUp: false, snapshotAgeSeconds: undefined, error: 'x' }, now, renderExposition(buildProbeMetrics(u, context, snapshot))));
    }
    out.push('=== all', renderExposition(buildAllProbesMetrics(evaluations, context, snapshot)));
    const report = buildStatusReport(evaluations, { pushgatewayUp: true, snapshotAgeSeconds: 1.5, error: undefined }, now);
    out.push('=== status', JSON.stringify(report, null, 1), renderStatusPage(report, 5));
    assert.equal(`${out.join('\n')}\n`, readFileSync(GOLDEN, 'utf8'));
  });
});
