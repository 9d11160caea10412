// The alerting rules (local/alerts.yml) and the Grafana dashboard (local/grafana/) as the tests read
// them: the names they must hold, their expressions, and what Grafana substitutes for the variables.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ALERTS_FILE, DASHBOARD_FILE } from '../../local/stack/native.ts';
import { asList, asRecord, asString } from './parsed-shapes.ts';
import { PROJECT_ROOT } from './processes.ts';

export const PROBE_JOB = 'ping-microservices-loops';
export const SERVICE_QUERY = `label_values(probe_success{job="${PROBE_JOB}"}, instance)`;
export const ALERT_NAMES = ['ExporterConfigReloadFailing', 'ExporterScrapeFailing', 'HeartbeatDown', 'PushgatewayDown', 'PushgatewayUnreachable'];
/** Metrics the exporter exposes today whose panels must show data once Prometheus has scraped it. */
export const METRICS_THAT_MUST_HAVE_DATA = [
  'probe_success',
  'probe_heartbeat_age_seconds',
  'probe_freshness_threshold_seconds',
  'probe_pushgateway_up',
  'probe_snapshot_age_seconds',
  'pushgateway_exporter_probes_total',
  'pushgateway_exporter_pushgateway_read_duration_seconds_bucket',
  'pushgateway_exporter_pushgateway_reads_total',
  'pushgateway_exporter_config_last_reload_successful',
];
/** Every metric the dashboard is meant to chart. */
export const DASHBOARD_METRICS = [
  ...METRICS_THAT_MUST_HAVE_DATA,
  'probe_state',
  'probe_late_seconds',
  'probe_next_expected_timestamp_seconds',
  'probe_last_run_duration_seconds',
  'probe_config_last_reload_successful',
  'pushgateway_exporter_snapshot_age_seconds',
  'pushgateway_exporter_config_reloads_total',
  'up',
];

export interface Expression {
  /** Where it comes from, for failure messages. */
  readonly where: string;
  readonly expr: string;
}

export interface Dashboard {
  readonly model: Record<string, unknown>;
  readonly panels: Array<Record<string, unknown>>;
  readonly variables: Array<Record<string, unknown>>;
  readonly expressions: Expression[];
}

export async function loadDashboard(): Promise<Dashboard> {
  const model = asRecord(JSON.parse(await readFile(join(PROJECT_ROOT, DASHBOARD_FILE), 'utf8')), 'dashboard');
  const panels = asList(model.panels, 'panels').map((panel, index) => asRecord(panel, `panels[${index}]`));
  const variables = asList(asRecord(model.templating, 'templating').list, 'templating.list').map((v, index) => asRecord(v, `variables[${index}]`));
  const expressions = panels.flatMap((panel) =>
    asList(panel.targets, `panel "${String(panel.title)}" targets`).map((target) => {
      const record = asRecord(target, `panel "${String(panel.title)}" target`);
      return { where: `panel "${String(panel.title)}" target ${String(record.refId)}`, expr: asString(record.expr, 'expr') };
    }),
  );
  return { model, panels, variables, expressions };
}

export async function loadAlertRules(): Promise<Array<Record<string, unknown>>> {
  const rules = asRecord(parse(await readFile(join(PROJECT_ROOT, ALERTS_FILE), 'utf8')), ALERTS_FILE);
  return asList(rules.groups, 'groups').flatMap((group) => asList(asRecord(group, 'group').rules, 'rules').map((rule) => asRecord(rule, 'rule')));
}

/** What Grafana would send for the dashboard's variables: every service, a 1m rate window. */
export function substituteVariables(expr: string): string {
  const substituted = expr
    .replace(/\$\{service(?::regex)?\}|\$service\b/g, '.*')
    .replace(/\$\{__rate_interval\}|\$__rate_interval\b/g, '1m')
    .replace(/\$\{__interval\}|\$__interval\b/g, '15s')
    .replace(/\$\{__range\}|\$__range\b/g, '1h');
  assert.doesNotMatch(substituted, /\$/, `an unknown variable is left in ${substituted}`);
  return substituted;
}

/** Names of the metrics an expression selects (of this exporter, and `up`). */
export function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(probe_[a-z_]+|pushgateway_exporter_[a-z_]+|up)\b(?=\s*(?:[{[)]|$))/g)].map((match) => match[1] ?? '');
}
