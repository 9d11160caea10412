import type { ServiceStatus, StatusReport } from './status-report.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "3m 12s"-style durations: what a person scanning the page needs, not microseconds. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '—';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.round(Math.abs(seconds));
  if (rest < 60) return `${sign}${Math.abs(seconds) < 10 ? Math.abs(seconds).toFixed(1) : rest}s`;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return sign + parts.slice(0, 2).join(' ');
}

const STATE_LABELS: Record<ServiceStatus['state'], string> = {
  up: 'up', late: 'late', failed: 'failed', running_too_long: 'running too long', never: 'never reported', paused: 'paused',
  unreachable: 'Pushgateway unreachable',
};

function time(iso: string | undefined): string {
  return iso === undefined ? '—' : `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>`;
}

// Styled inline, so a page without discovered services is byte for byte what it was before discovery.
const DISCOVERED_MARK = ' <span class="discovered" title="found by discover_services, probed with the defaults" style="font-size:.75em;color:#555;border:1px solid #aaa;border-radius:3px;padding:0 .3em">discovered</span>';

function row(service: ServiceStatus): string {
  const expectation = service.schedule ?? (service.freshness_threshold_seconds === undefined ? '—' : `within ${formatDuration(service.freshness_threshold_seconds)}`);
  return [
    `<tr data-service="${escapeHtml(service.name)}" data-state="${service.state}">`,
    `<td class="name">${escapeHtml(service.name)}${service.discovered === true ? DISCOVERED_MARK : ''}</td>`,
    `<td class="state"><span class="badge ${service.state}">${STATE_LABELS[service.state]}</span></td>`,
    `<td class="last">${time(service.last_heartbeat)}</td>`,
    `<td class="age">${formatDuration(service.age_seconds)}</td>`,
    `<td class="next">${time(service.next_expected)}</td>`,
    `<td class="late">${service.late_seconds ? formatDuration(service.late_seconds) : '—'}</td>`,
    `<td class="expect">${escapeHtml(expectation)}</td>`,
    `<td class="reason">${escapeHtml(service.reason)}</td>`,
    '</tr>',
  ].join('');
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d1d1f;background:#fff}
h1{font-size:1.3rem;margin:0 0 .3rem}
p.meta{color:#555;margin:0 0 1rem}
p.warn{background:#fff4e5;border:1px solid #f0a030;padding:.5rem;border-radius:4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f5f5f7;font-weight:600}
td.reason{color:#444;font-size:12px}
td.name,td.last,td.next{white-space:nowrap}
.badge{display:inline-block;padding:.1rem .5rem;border-radius:3px;color:#fff;font-weight:600;white-space:nowrap}
.badge.up{background:#1a7f37}.badge.paused{background:#6e7781}.badge.late{background:#d1242f}
.badge.failed{background:#a40e26}.badge.running_too_long{background:#bc4c00}.badge.never{background:#57606a}
.badge.unreachable{background:#8250df}
`;

/** The status page (`GET /`): one server-rendered table, no scripts; every pushed or configured text is escaped. */
export function renderStatusPage(report: StatusReport, refreshSeconds: number): string {
  const down = report.services.filter((service) => !service.success).length;
  const summary = `${report.services.length} services, ${down} down`;
  const snapshot = report.pushgateway_up
    ? `Pushgateway read ${formatDuration(report.snapshot_age_seconds)} ago`
    : 'Pushgateway unreachable';
  const warning = report.pushgateway_up
    ? ''
    : `<p class="warn">The last Pushgateway read failed${report.pushgateway_error === undefined ? '' : `: ${escapeHtml(report.pushgateway_error)}`}. ${report.snapshot_age_seconds === undefined ? 'No snapshot within max_stale_seconds is left: no heartbeat can be judged, so services show unreachable (paused ones stay paused).' : `States below use a snapshot ${formatDuration(report.snapshot_age_seconds)} old.`}</p>`;
  // With several Pushgateways, one line per Pushgateway read (docs/high-availability.md#per-gateway-health).
  const gateways = report.pushgateways === undefined ? '' : `<ul class="meta">\n${report.pushgateways.map((gateway) =>
    `<li>Pushgateway ${escapeHtml(gateway.pushgateway)}: ${gateway.up ? `read ${escapeHtml(formatDuration(gateway.snapshot_age_seconds))} ago` : `<span class="warn">down</span>${gateway.error === undefined ? '' : ` (${escapeHtml(gateway.error)})`}`}</li>`).join('\n')}\n</ul>\n`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${Math.max(1, Math.round(refreshSeconds))}">
<title>Heartbeats: ${escapeHtml(summary)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Heartbeats</h1>
<p class="meta">${escapeHtml(summary)} · ${escapeHtml(snapshot)} · generated ${time(report.generated_at)} · <a href="?format=json">JSON</a></p>
${gateways}${warning}
<table>
<thead><tr><th>Service</th><th>State</th><th>Last heartbeat</th><th>Age</th><th>Next expected</th><th>Late by</th><th>Expected</th><th>Why</th></tr></thead>
<tbody>
${report.services.map(row).join('\n')}
</tbody>
</table>
</body>
</html>
`;
}
