// The alerting rules (local/alerts.yml) and the Grafana dashboard (local/grafana/): promtool checks
// and unit-tests the rules; the dashboard's JSON model is checked for structure; then a real
// Prometheus, run with the native stack's copy of local/prometheus.yml (rules included), scrapes a
// running exporter (`npm run serve`'s bundle) and a real Pushgateway, and every PromQL expression
// of the dashboard and of the rules is evaluated through /api/v1/query.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { ALERTS_FILE, DASHBOARD_FILE, writeNativePrometheusFiles } from '../../local/stack/native.ts';
import { readSettings } from '../../local/stack/settings.ts';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';

const PROBE_JOB = 'ping-microservices-loops';
const SERVICE_QUERY = `label_values(probe_success{job="${PROBE_JOB}"}, instance)`;
const ALERT_NAMES = ['ExporterConfigReloadFailing', 'ExporterScrapeFailing', 'HeartbeatDown', 'PushgatewayUnreachable'];
/** Metrics the exporter exposes today whose panels must show data once Prometheus has scraped it. */
const METRICS_THAT_MUST_HAVE_DATA = [
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
const DASHBOARD_METRICS = [
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

function asRecord(value: unknown, what: string): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} is not an object`);
  return value as Record<string, unknown>;
}

function asList(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value;
}

function asString(value: unknown, what: string): string {
  assert.equal(typeof value, 'string', `${what} is not a string`);
  return value as string;
}

function run(command: string, args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

interface Expression {
  /** Where it comes from, for failure messages. */
  readonly where: string;
  readonly expr: string;
}

interface Dashboard {
  readonly model: Record<string, unknown>;
  readonly panels: Array<Record<string, unknown>>;
  readonly variables: Array<Record<string, unknown>>;
  readonly expressions: Expression[];
}

async function loadDashboard(): Promise<Dashboard> {
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

async function loadAlertRules(): Promise<Array<Record<string, unknown>>> {
  const rules = asRecord(parse(await readFile(join(PROJECT_ROOT, ALERTS_FILE), 'utf8')), ALERTS_FILE);
  return asList(rules.groups, 'groups').flatMap((group) => asList(asRecord(group, 'group').rules, 'rules').map((rule) => asRecord(rule, 'rule')));
}

/** What Grafana would send for the dashboard's variables: every service, a 1m rate window. */
function substituteVariables(expr: string): string {
  const substituted = expr
    .replace(/\$\{service(?::regex)?\}|\$service\b/g, '.*')
    .replace(/\$\{__rate_interval\}|\$__rate_interval\b/g, '1m')
    .replace(/\$\{__interval\}|\$__interval\b/g, '15s')
    .replace(/\$\{__range\}|\$__range\b/g, '1h');
  assert.doesNotMatch(substituted, /\$/, `an unknown variable is left in ${substituted}`);
  return substituted;
}

/** Names of the metrics an expression selects (of this exporter, and `up`). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b(probe_[a-z_]+|pushgateway_exporter_[a-z_]+|up)\b(?=\s*(?:[{[)]|$))/g)].map((match) => match[1] ?? '');
}

describe('alerting rules: promtool', () => {
  it('promtool check rules finds the four rules and no problem', () => {
    const { status, output } = run('promtool', ['check', 'rules', 'alerts.yml'], join(PROJECT_ROOT, 'local'));
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 4 rules found/);
    assert.doesNotMatch(output, /WARNING|FAILED|error/i, output);
  });

  it('promtool test rules passes alerts.test.yml', () => {
    const { status, output } = run('promtool', ['test', 'rules', 'alerts.test.yml'], join(PROJECT_ROOT, 'local'));
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
    assert.doesNotMatch(output, /FAILED/, output);
  });

  it('each alert has a severity, a summary and a description naming what is down', async () => {
    const rules = await loadAlertRules();
    assert.deepEqual(rules.map((rule) => rule.alert).sort(), ALERT_NAMES);
    for (const rule of rules) {
      const name = String(rule.alert);
      assert.match(String(asRecord(rule.labels, `${name} labels`).severity), /^(critical|warning)$/, name);
      const annotations = asRecord(rule.annotations, `${name} annotations`);
      assert.ok(typeof annotations.summary === 'string' && annotations.summary !== '', `${name} summary`);
      assert.ok(typeof annotations.description === 'string' && annotations.description !== '', `${name} description`);
      assert.match(`${annotations.summary} ${annotations.description}`, /\$labels\.(instance|job)/, `${name} names the target or job`);
      assert.match(String(rule.expr), new RegExp(PROBE_JOB), `${name} reads the probe job`);
    }
    const byName = new Map(rules.map((rule) => [String(rule.alert), rule]));
    assert.equal(byName.get('HeartbeatDown')?.for, '15s');
    // The reason is no label: an alert is its label set, so a reason that changes (late ->
    // running_too_long) would restart the `for:`. The annotations look it up in probe_state.
    const heartbeatDown = byName.get('HeartbeatDown');
    assert.doesNotMatch(String(heartbeatDown?.expr), /state|group_left/, 'HeartbeatDown labels do not depend on the probe state');
    const heartbeatAnnotations = asRecord(heartbeatDown?.annotations, 'HeartbeatDown annotations');
    for (const key of ['summary', 'description']) {
      const text = String(heartbeatAnnotations[key]);
      assert.match(text, /probe_state\{.*\|\s*query\b/, `HeartbeatDown ${key} looks up the probe state`);
      assert.doesNotMatch(text, /\$labels\.state/, `HeartbeatDown ${key} does not read a state label`);
    }
  });
});

describe('Grafana dashboard JSON model', () => {
  it('has a uid, a title, a schemaVersion Grafana 10-12 reads, and the datasource and service variables', async () => {
    const { model, variables } = await loadDashboard();
    assert.equal(model.uid, 'pushgateway-exporter');
    assert.equal(typeof model.title, 'string');
    assert.ok(typeof model.schemaVersion === 'number' && model.schemaVersion >= 36 && model.schemaVersion <= 41, `schemaVersion ${String(model.schemaVersion)}`);
    const names = variables.map((variable) => variable.name);
    assert.equal(new Set(names).size, names.length, `duplicate variables: ${names.join(', ')}`);
    const datasource = variables.find((variable) => variable.name === 'datasource');
    assert.ok(datasource, 'a datasource variable');
    assert.equal(datasource.type, 'datasource');
    assert.equal(datasource.query, 'prometheus');
    const service = variables.find((variable) => variable.name === 'service');
    assert.ok(service, 'a service variable');
    assert.equal(service.type, 'query');
    assert.deepEqual(service.datasource, { type: 'prometheus', uid: '${datasource}' });
    assert.equal(service.definition, SERVICE_QUERY);
    assert.equal(asRecord(service.query, 'service query').query, SERVICE_QUERY);
    assert.equal(service.includeAll, true);
    assert.equal(service.allValue, '.*');
  });

  it('every panel has a unique id, the datasource variable, targets with unique refIds and expressions, and a place on the grid', async () => {
    const { panels } = await loadDashboard();
    assert.ok(panels.length >= 10, `${panels.length} panels`);
    const ids = panels.map((panel) => panel.id);
    assert.ok(ids.every((id) => Number.isInteger(id)), `ids ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(', ')}`);
    const cells = new Set<string>();
    for (const panel of panels) {
      const title = asString(panel.title, 'title');
      assert.notEqual(title, '');
      assert.match(String(panel.type), /^(timeseries|state-timeline|table|stat)$/, `${title} type`);
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, `${title} datasource`);
      const targets = asList(panel.targets, `${title} targets`).map((target) => asRecord(target, `${title} target`));
      assert.ok(targets.length > 0, `${title} has no target`);
      const refIds = targets.map((target) => asString(target.refId, `${title} refId`));
      assert.equal(new Set(refIds).size, refIds.length, `${title} duplicate refIds`);
      for (const target of targets) {
        assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' }, `${title} target datasource`);
        assert.notEqual(asString(target.expr, `${title} expr`).trim(), '');
        // A probe panel follows the service picker.
        if (String(target.expr).includes(`job="${PROBE_JOB}"`)) assert.match(String(target.expr), /instance=~"\$service"/, `${title}: ${String(target.expr)}`);
      }
      const grid = asRecord(panel.gridPos, `${title} gridPos`);
      const [x, y, w, h] = [grid.x, grid.y, grid.w, grid.h].map(Number) as [number, number, number, number];
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${title} gridPos ${JSON.stringify(grid)}`);
      for (let row = y; row < y + h; row += 1) {
        for (let column = x; column < x + w; column += 1) {
          const cell = `${row}:${column}`;
          assert.ok(!cells.has(cell), `${title} overlaps another panel at row ${row}, column ${column}`);
          cells.add(cell);
        }
      }
    }
  });

  it('charts every metric it is meant to, and uses no undefined variable', async () => {
    const { expressions } = await loadDashboard();
    const charted = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
    for (const metric of DASHBOARD_METRICS) assert.ok(charted.has(metric), `no panel charts ${metric}`);
    for (const { expr } of expressions) substituteVariables(expr);
    assert.ok(expressions.some(({ expr }) => /histogram_quantile\(0\.99,/.test(expr)), 'a p99 of the read duration');
    assert.ok(expressions.some(({ expr }) => /rate\(pushgateway_exporter_probes_total\[\$__rate_interval\]\)/.test(expr)));
  });

  it('the provisioning files load this dashboard from a Prometheus data source at http://prometheus:9090', async () => {
    const provisioning = join(PROJECT_ROOT, 'local/grafana/provisioning');
    const datasourceFiles = (await readdir(join(provisioning, 'datasources'))).filter((file) => file.endsWith('.yml'));
    assert.ok(datasourceFiles.length > 0, 'no datasource provisioning file');
    const datasources = (await Promise.all(datasourceFiles.map((file) => readFile(join(provisioning, 'datasources', file), 'utf8'))))
      .flatMap((text) => asList(asRecord(parse(text), 'datasources file').datasources, 'datasources').map((d) => asRecord(d, 'datasource')));
    const prometheus = datasources.find((datasource) => datasource.type === 'prometheus');
    assert.ok(prometheus, 'a prometheus data source');
    assert.equal(prometheus.url, 'http://prometheus:9090');
    assert.equal(prometheus.isDefault, true, 'the default, so ${datasource} starts on it');

    const providerFiles = (await readdir(join(provisioning, 'dashboards'))).filter((file) => file.endsWith('.yml'));
    assert.ok(providerFiles.length > 0, 'no dashboard provisioning file');
    const providers = (await Promise.all(providerFiles.map((file) => readFile(join(provisioning, 'dashboards', file), 'utf8'))))
      .flatMap((text) => asList(asRecord(parse(text), 'providers file').providers, 'providers').map((p) => asRecord(p, 'provider')));
    // docker-compose.yml mounts local/grafana/dashboards at this path (checked in local-stack.test.ts).
    assert.ok(providers.some((provider) => provider.type === 'file' && asRecord(provider.options, 'options').path === '/etc/grafana/dashboards'));
  });
});

interface QueryAnswer {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

interface RuleAnswer {
  readonly name: string;
  readonly type: string;
  readonly health: string;
  readonly lastError?: string;
  readonly alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }>;
}

async function eventually<T>(timeoutMs: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** Sample names of an exposition body (the part before labels or value). */
function exposedNames(body: string): Set<string> {
  return new Set(body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(/[{ ]/, 1)[0] ?? ''));
}

describe('every expression against a real Prometheus scraping a running exporter', { timeout: 120_000 }, () => {
  let dir: TempDir;
  let pushgateway: RunningProcess;
  let exporter: RunningProcess;
  let prometheus: RunningProcess;
  let pushing = true;
  let pusher: Promise<void> | undefined;

  const query = async (promql: string): Promise<QueryAnswer> => {
    const { body } = await getText(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    return JSON.parse(body) as QueryAnswer;
  };
  const rules = async (): Promise<RuleAnswer[]> => {
    const { status, body } = await getText(`${prometheus.url}/api/v1/rules`);
    assert.equal(status, 200, body);
    const answer = JSON.parse(body) as { data: { groups: Array<{ name: string; file: string; rules: RuleAnswer[] }> } };
    return answer.data.groups.flatMap((group) => group.rules);
  };

  /** The state at 1 in the exporter's own answer for service2, if it exposes probe_state at all. */
  const service2State = async (): Promise<string | undefined> => {
    const probe2 = await getText(`${exporter.url}/probe?target=service2`);
    const state = /^probe_state\{state="([a-z_]+)"\} 1$/m.exec(probe2.body)?.[1];
    if (probe2.body.includes('probe_state')) assert.ok(state, `probe_state without a series at 1:\n${probe2.body}`);
    return state;
  };

  before(async () => {
    const server = join(PROJECT_ROOT, 'dist/server/server.mjs');
    assert.ok(existsSync(server), `${server} is missing: run npm run build first`);
    dir = await tempDir('pgx-alerts-dashboard-');
    pushgateway = await startPushgateway();
    pusher = (async () => {
      while (pushing) {
        await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000).catch(() => undefined);
        await sleep(1000);
      }
    })();
    const exporterPort = await freePort();
    exporter = await startProcess('node', [server], {
      readyUrl: `http://127.0.0.1:${exporterPort}/-/healthy`,
      url: `http://127.0.0.1:${exporterPort}`,
      port: exporterPort,
      env: {
        PORT: String(exporterPort),
        HOST: '127.0.0.1',
        PUSHGATEWAY_URL: pushgateway.url,
        CONFIG_FILE: join(PROJECT_ROOT, 'local/config.yml'),
        LOG_LEVEL: 'warn',
      },
    });
    // The native stack's copy of local/prometheus.yml, alerts.yml beside it, on this test's ports.
    const prometheusPort = await freePort();
    const settings = readSettings({
      PORT: String(exporterPort),
      PUSHGATEWAY_PORT: String(pushgateway.port),
      PROMETHEUS_PORT: String(prometheusPort),
      LOCAL_STACK_DIR: dir.path,
    });
    const configFile = await writeNativePrometheusFiles(settings);
    const url = `http://127.0.0.1:${prometheusPort}`;
    prometheus = await startProcess(
      'prometheus',
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`],
      { readyUrl: `${url}/-/ready`, url, port: prometheusPort, timeoutMs: 60_000 },
    );
  });

  after(async () => {
    pushing = false;
    await pusher;
    await prometheus?.stop();
    await exporter?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('Prometheus loaded the four alerting rules and evaluates them without error', async () => {
    const loaded = await eventually(30_000, async () => {
      const all = await rules();
      assert.deepEqual(all.map((rule) => rule.name).sort(), ALERT_NAMES);
      for (const rule of all) {
        assert.equal(rule.type, 'alerting');
        assert.equal(rule.health, 'ok', `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
      }
      return all;
    });
    assert.equal(loaded.length, 4);
  });

  it('every dashboard expression evaluates; those over metrics the exporter exposes return series', async () => {
    const { expressions } = await loadDashboard();
    // Probes first: the config (and its self-metric) loads with the first probe.
    const probe1 = await getText(`${exporter.url}/probe?target=service1`);
    const probe2 = await getText(`${exporter.url}/probe?target=service2`);
    const self = await getText(`${exporter.url}/metrics`);
    const exposed = new Set(['up', ...exposedNames(probe1.body), ...exposedNames(probe2.body), ...exposedNames(self.body)]);
    for (const metric of METRICS_THAT_MUST_HAVE_DATA) assert.ok(exposed.has(metric), `the exporter no longer exposes ${metric}`);
    const mustHaveData = expressions.filter(({ expr }) => metricNames(expr).every((name) => exposed.has(name)));
    for (const metric of METRICS_THAT_MUST_HAVE_DATA) {
      assert.ok(mustHaveData.some(({ expr }) => metricNames(expr).includes(metric)), `no panel over ${metric} is checked for data`);
    }

    // rate() over 1m needs two scrapes of the exporter's /metrics: wait until everything has data.
    await eventually(45_000, async () => {
      for (const { where, expr } of mustHaveData) {
        const answer = await query(substituteVariables(expr));
        assert.equal(answer.status, 'success', `${where}: ${answer.error ?? ''}`);
        assert.ok((answer.data?.result.length ?? 0) > 0, `${where} returns no series yet: ${expr}`);
      }
    });
    for (const { where, expr } of expressions) {
      const answer = await query(substituteVariables(expr));
      assert.equal(answer.status, 'success', `${where} does not evaluate: ${answer.error ?? ''}\n${expr}`);
      assert.equal(answer.data?.resultType, 'vector', where);
    }
  });

  it("the service variable's label_values() lists both configured services", async () => {
    const selector = /^label_values\((.+), instance\)$/.exec(SERVICE_QUERY)?.[1];
    assert.ok(selector);
    const answer = await eventually(20_000, async () => {
      const result = await query(selector);
      assert.equal(result.status, 'success', result.error);
      assert.deepEqual(result.data?.result.map((series) => series.metric.instance).sort(), ['service1', 'service2']);
      return result;
    });
    assert.equal(answer.data?.result.length, 2);
  });

  it('every alert expression evaluates: only HeartbeatDown matches, for service2 (never pushed), without a state label', async () => {
    const alertRules = await loadAlertRules();
    await eventually(30_000, async () => {
      for (const rule of alertRules) {
        const name = String(rule.alert);
        const answer = await query(String(rule.expr));
        assert.equal(answer.status, 'success', `${name}: ${answer.error ?? ''}`);
        const labels = answer.data?.result.map((series) => series.metric) ?? [];
        if (name === 'HeartbeatDown') {
          assert.equal(labels.length, 1, `${name}: ${JSON.stringify(labels)}`);
          assert.equal(labels[0]?.instance, 'service2');
          assert.equal(labels[0]?.job, PROBE_JOB);
          assert.equal(labels[0]?.state, undefined, `${name} must not carry the probe state as a label (it would restart the for:)`);
        } else {
          assert.deepEqual(labels, [], `${name} matches while everything is healthy`);
        }
      }
    });
  });

  it('HeartbeatDown is pending or firing for service2 only, its annotations naming the probe state when exposed, and no other alert is active', async () => {
    const state = await service2State();
    await eventually(30_000, async () => {
      const all = await rules();
      const active = all.flatMap((rule) => rule.alerts.map((alert) => ({ rule: rule.name, ...alert })));
      assert.deepEqual(
        active.map(({ rule, labels }) => [rule, labels.instance]),
        [['HeartbeatDown', 'service2']],
      );
      const [alert] = active;
      assert.match(alert?.state ?? '', /^(pending|firing)$/);
      assert.equal(alert?.labels.state, undefined, 'no state label');
      // Prometheus answers the annotations expanded, the probe_state lookup included.
      assert.equal(alert?.annotations.summary, `Heartbeat of service2 is down${state === undefined ? '' : ` (${state})`}`);
      if (state === undefined) assert.doesNotMatch(alert?.annotations.description ?? '', /probe state/);
      else assert.match(alert?.annotations.description ?? '', new RegExp(`; probe state: ${state}\\.`));
    });
  });
});
