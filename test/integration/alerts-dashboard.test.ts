// The alerting rules (local/alerts.yml) and the Grafana dashboard (local/grafana/) against a real
// Prometheus, run with the native stack's copy of local/prometheus.yml (rules included), scraping a
// running exporter (`npm run serve`'s bundle) and a real Pushgateway: every PromQL expression of the
// dashboard and of the rules is evaluated through /api/v1/query. Their files alone are checked in
// test/unit/alert-rules.test.ts and test/unit/grafana-dashboard.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeNativePrometheusFiles } from '../../local/stack/native.ts';
import { readSettings } from '../../local/stack/settings.ts';
import { eventually } from '../support/eventually.ts';
import {
  ALERT_NAMES, loadAlertRules, loadDashboard, METRICS_THAT_MUST_HAVE_DATA, metricNames, PROBE_JOB, SERVICE_QUERY, substituteVariables,
} from '../support/monitoring-files.ts';
import { stateOf } from '../support/probe-state.ts';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';

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

  /** The state at 1 in the exporter's own answer for service2 (exactly one series is). */
  const service2State = async (): Promise<string> => stateOf((await getText(`${exporter.url}/probe?target=service2`)).body);

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

  it('Prometheus loaded the five alerting rules and evaluates them without error', async () => {
    const loaded = await eventually(30_000, async () => {
      const all = await rules();
      assert.deepEqual(all.map((rule) => rule.name).sort(), ALERT_NAMES);
      for (const rule of all) {
        assert.equal(rule.type, 'alerting');
        assert.equal(rule.health, 'ok', `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
      }
      return all;
    });
    assert.equal(loaded.length, ALERT_NAMES.length);
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

  it('HeartbeatDown is pending or firing for service2 only, its annotations naming the probe state, and no other alert is active', async () => {
    const state = await service2State();
    assert.equal(state, 'never', 'service2 never pushed');
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
      assert.equal(alert?.annotations.summary, `Heartbeat of service2 is down (${state})`);
      assert.match(alert?.annotations.description ?? '', new RegExp(`; probe state: ${state}\\.`));
    });
  });
});
