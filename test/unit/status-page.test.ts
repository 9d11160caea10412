import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { buildStatusReport } from '../../lib/core/report/status-report.ts';
import { escapeHtml, formatDuration, renderStatusPage } from '../../lib/core/report/status-page.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

describe('status page rendering', () => {
  it('formats durations for people', () => {
    assert.deepEqual(
      [undefined, Number.NaN, 0.25, 9.94, 42, 59.6, 61, 3600, 3725, 90061, -5].map(formatDuration),
      ['—', '—', '0.3s', '9.9s', '42s', '1m', '1m 1s', '1h', '1h 2m', '1d 1h', '-5.0s'],
    );
  });

  it('escapes the five HTML-significant characters', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('reports a scheduled service with RFC 3339 times, and refreshes at the given interval', () => {
    const parsed = parseSchedule('0 * * * *', 'UTC');
    if ('error' in parsed) throw new Error(parsed.error);
    const service = serviceConfig({ name: 'hourly', freshnessThresholdSeconds: undefined, schedule: { schedule: parsed.schedule, graceSeconds: 60 } });
    const snapshot = indexSnapshot('loop_heartbeat_timestamp_seconds{instance="hourly",job="heartbeat"} 1767960000.5\n', FIXED_HASH_SEED);
    const now = Date.parse('2026-01-09T13:30:00Z') / 1000;
    const report = buildStatusReport([evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'hourly', now)], { pushgatewayUp: true, snapshotAgeSeconds: 1.23456, error: undefined }, now);
    assert.deepEqual(report, {
      generated_at: '2026-01-09T13:30:00.000Z',
      pushgateway_up: true,
      snapshot_age_seconds: 1.235,
      pushgateway_error: undefined,
      services: [{
        name: 'hourly', state: 'late', success: false,
        reason: 'the last heartbeat is 5399.5s old: the run due at 2026-01-09T13:00:00.000Z (0 * * * * in UTC) is 1740s past its grace of 60s',
        schedule: '0 * * * * (UTC)', freshness_threshold_seconds: undefined,
        last_heartbeat_timestamp_seconds: 1767960000.5, last_heartbeat: '2026-01-09T12:00:00.500Z', age_seconds: 5399.5,
        next_expected_timestamp_seconds: 1767963600, next_expected: '2026-01-09T13:00:00.000Z', late_seconds: 1740,
        last_run_duration_seconds: undefined,
      }],
    });
    const page = renderStatusPage(report, 7);
    assert.match(page, /<meta http-equiv="refresh" content="7">/);
    assert.match(page, /<td class="late">29m<\/td>/);
    assert.match(page, /<td class="next"><time datetime="2026-01-09T13:00:00.000Z">2026-01-09 13:00:00Z<\/time><\/td>/);
  });
});
