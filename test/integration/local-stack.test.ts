// The local stack: local/docker-compose.yml and local/prometheus.yml are valid, and
// `npm run local` without Docker runs Pushgateway, the exporter, Prometheus (with the alerting
// rules of local/alerts.yml) and the demo heartbeat on free ports, then stops all of it on SIGTERM.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { DASHBOARD_FILE, writeNativePrometheusFiles } from '../../local/stack/native.ts';
import { readSettings } from '../../local/stack/settings.ts';
import { freePort, getText, PROJECT_ROOT, sampleValue, tempDir, type TempDir } from '../support/processes.ts';
import { pushedGroup } from '../support/pushgateway-groups.ts';

const PROBE_JOB = {
  job_name: 'ping-microservices-loops',
  metrics_path: '/probe',
  scrape_interval: '5s',
  static_configs: [{ targets: ['service1'] }, { targets: ['service2'] }],
  relabel_configs: [
    { source_labels: ['__address__'], target_label: '__param_target' },
    { source_labels: ['__param_target'], target_label: 'instance' },
    { target_label: '__address__', replacement: 'pushgateway-exporter:9116' },
  ],
};

function asRecord(value: unknown, what: string): Record<string, unknown> {
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `${what} is not a mapping`);
  return value as Record<string, unknown>;
}

function asList(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} is not a list`);
  return value;
}

/** promtool check config also loads every rule file the config names, relative to it. */
function promtoolCheck(dir: string, file: string): string {
  const result = spawnSync('promtool', ['check', 'config', file], { cwd: dir, encoding: 'utf8' });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 0, `promtool check config ${file}:\n${output}`);
  return output;
}

const ALERT_NAMES = ['ExporterConfigReloadFailing', 'ExporterScrapeFailing', 'HeartbeatDown', 'PushgatewayUnreachable'];

interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly mode: string | undefined;
}

/** The bind mounts of a service in `docker-compose config` output ("/host/path:/container/path[:mode]"). */
function bindMounts(service: Record<string, unknown>, what: string): BindMount[] {
  return asList(service.volumes ?? [], `${what} volumes`)
    .map((volume) => String(volume).split(':'))
    .filter(([source]) => source !== undefined && isAbsolute(source))
    .map(([source = '', target = '', mode]) => ({ source, target, mode }));
}

describe('local stack files', () => {
  it('docker-compose.yml is valid: five services on official images, the exporter on 9116, the Dockerfile server as an option', () => {
    const env = { ...process.env };
    for (const name of ['PORT', 'PUSHGATEWAY_PORT', 'PROMETHEUS_PORT', 'GRAFANA_PORT', 'GRAFANA_ADMIN_PASSWORD', 'LOG_LEVEL']) delete env[name];
    const result = spawnSync('docker-compose', ['-f', 'local/docker-compose.yml', 'config'], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const services = asRecord(asRecord(parse(result.stdout), 'compose config').services, 'services');
    assert.deepEqual(Object.keys(services).sort(), ['grafana', 'heartbeat', 'prometheus', 'pushgateway', 'pushgateway-exporter', 'pushgateway-exporter-server']);
    const service = (name: string): Record<string, unknown> => asRecord(services[name], name);
    const server = service('pushgateway-exporter-server');
    assert.deepEqual(server.profiles, ['server'], 'the Dockerfile server starts only on request');
    assert.deepEqual(server.build, { context: PROJECT_ROOT, dockerfile: 'Dockerfile' });
    assert.deepEqual(asList(server.ports, 'server ports'), ['127.0.0.1:9117:9116/tcp']);

    assert.match(String(service('pushgateway').image), /^prom\/pushgateway:v1\.\d+\.\d+$/);
    assert.match(String(service('prometheus').image), /^prom\/prometheus:v[23]\.\d+\.\d+$/);
    assert.equal(service('pushgateway-exporter').image, 'node:22');
    assert.match(String(service('heartbeat').image), /^(node:22|curlimages\/curl:\d+\.\d+\.\d+)$/);

    const exporter = service('pushgateway-exporter');
    assert.deepEqual(asList(exporter.ports, 'exporter ports'), ['127.0.0.1:9116:9116/tcp']);
    assert.deepEqual(asList(exporter.command, 'exporter command').at(-1), 'npm ci && npm start');
    const environment = asRecord(exporter.environment, 'exporter environment');
    assert.equal(environment.HOST, '0.0.0.0');
    assert.equal(String(environment.PORT), '9116');
    assert.equal(environment.PUSHGATEWAY_URL, 'http://pushgateway:9091');
    assert.equal(environment.CONFIG_FILE, 'local/config.yml');
    assert.ok(asList(exporter.volumes, 'exporter volumes').some((volume) => String(volume).endsWith(':/app:rw')));

    assert.deepEqual(asList(service('pushgateway').ports, 'pushgateway ports'), ['127.0.0.1:9091:9091/tcp']);
    const prometheus = service('prometheus');
    assert.ok(
      asList(prometheus.volumes, 'prometheus volumes').some((volume) =>
        String(volume).endsWith('local/prometheus.yml:/etc/prometheus/prometheus.yml:ro'),
      ),
    );
    for (const name of ['pushgateway-exporter', 'prometheus', 'heartbeat']) {
      assert.ok('pushgateway' in asRecord(service(name).depends_on, `${name} depends_on`), `${name} depends on pushgateway`);
    }
    // Every file or folder a service mounts from the repository exists.
    for (const name of Object.keys(services)) {
      for (const mount of bindMounts(service(name), name)) assert.ok(existsSync(mount.source), `${name} mounts ${mount.source}, which does not exist`);
    }

    const heartbeat = asList(service('heartbeat').command, 'heartbeat command').join(' ');
    assert.match(heartbeat, /'# TYPE loop_heartbeat_timestamp_seconds gauge\\nloop_heartbeat_timestamp_seconds\{service="service1"\} %s\\n'/, 'typed as docs/pushing.md says');
    assert.match(heartbeat, /http:\/\/pushgateway:9091\/metrics\/job\/heartbeat\/instance\/service1/);
    assert.match(heartbeat, /sleep [23]\b/);
  });

  it('docker-compose.yml mounts the alerting rules next to prometheus.yml, as its rule_files expects', async () => {
    const result = spawnSync('docker-compose', ['-f', 'local/docker-compose.yml', 'config'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const services = asRecord(asRecord(parse(result.stdout), 'compose config').services, 'services');
    const mounts = bindMounts(asRecord(services.prometheus, 'prometheus'), 'prometheus');
    const config = asRecord(parse(await readFile(join(PROJECT_ROOT, 'local/prometheus.yml'), 'utf8')), 'prometheus.yml');
    const ruleFiles = asList(config.rule_files, 'rule_files');
    assert.deepEqual(ruleFiles, ['alerts.yml']);
    // prom/prometheus reads /etc/prometheus/prometheus.yml; relative rule files resolve beside it.
    assert.ok(mounts.some((m) => m.source === join(PROJECT_ROOT, 'local/prometheus.yml') && m.target === '/etc/prometheus/prometheus.yml'));
    assert.deepEqual(
      mounts.filter((m) => m.target === '/etc/prometheus/alerts.yml'),
      [{ source: join(PROJECT_ROOT, 'local/alerts.yml'), target: '/etc/prometheus/alerts.yml', mode: 'ro' }],
    );
  });

  it('docker-compose.yml runs Grafana (official image, pinned) on loopback 3000 with the provisioning and the dashboard mounted', async () => {
    const env = { ...process.env };
    for (const name of ['GRAFANA_PORT', 'GRAFANA_ADMIN_PASSWORD']) delete env[name];
    const result = spawnSync('docker-compose', ['-f', 'local/docker-compose.yml', 'config'], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const services = asRecord(asRecord(parse(result.stdout), 'compose config').services, 'services');
    const grafana = asRecord(services.grafana, 'grafana');
    assert.match(String(grafana.image), /^grafana\/grafana-oss:\d+\.\d+\.\d+$/, 'the official image with a pinned version tag');
    assert.deepEqual(asList(grafana.ports, 'grafana ports'), ['127.0.0.1:3000:3000/tcp']);
    assert.ok('prometheus' in asRecord(grafana.depends_on, 'grafana depends_on'));
    const environment = asRecord(grafana.environment, 'grafana environment');
    assert.equal(environment.GF_AUTH_ANONYMOUS_ENABLED, 'true');
    assert.equal(environment.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer', 'anonymous users may only view');
    assert.equal(environment.GF_SECURITY_ADMIN_PASSWORD, 'admin', 'the documented default admin login');

    const mounts = bindMounts(grafana, 'grafana');
    const mountOf = (source: string): BindMount | undefined => mounts.find((m) => m.source === join(PROJECT_ROOT, source));
    assert.equal(mountOf('local/grafana/provisioning')?.target, '/etc/grafana/provisioning');
    const dashboards = mountOf('local/grafana/dashboards');
    assert.ok(dashboards, `the dashboards folder is mounted: ${JSON.stringify(mounts)}`);
    for (const mount of mounts) assert.equal(mount.mode, 'ro', `${mount.source} is mounted read-only`);
    // The home dashboard and the provider's folder are where the dashboard JSON lands in the container.
    const dashboardName = DASHBOARD_FILE.split('/').at(-1) ?? '';
    assert.ok(existsSync(join(PROJECT_ROOT, DASHBOARD_FILE)));
    assert.equal(environment.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, `${dashboards.target}/${dashboardName}`);
    const provider = asRecord(parse(await readFile(join(PROJECT_ROOT, 'local/grafana/provisioning/dashboards/pushgateway-exporter.yml'), 'utf8')), 'provider file');
    const providers = asList(provider.providers, 'providers').map((p) => asRecord(p, 'provider'));
    assert.deepEqual(providers.map((p) => asRecord(p.options, 'options').path), [dashboards.target]);
    // The data source names a compose service that listens on that port.
    const datasources = asRecord(parse(await readFile(join(PROJECT_ROOT, 'local/grafana/provisioning/datasources/prometheus.yml'), 'utf8')), 'datasource file');
    const prometheus = asList(datasources.datasources, 'datasources').map((d) => asRecord(d, 'datasource'));
    assert.deepEqual(prometheus.map((d) => [d.type, d.url]), [['prometheus', 'http://prometheus:9090']]);
    assert.ok(asList(asRecord(services.prometheus, 'prometheus').ports, 'prometheus ports').some((port) => String(port).endsWith(':9090/tcp')));
  });

  it('prometheus.yml passes promtool with its rules and holds the probe job exactly as the spec writes it', async () => {
    const output = promtoolCheck(join(PROJECT_ROOT, 'local'), 'prometheus.yml');
    assert.match(output, /SUCCESS: 4 rules found/, 'promtool loaded alerts.yml through rule_files');
    const config = asRecord(parse(await readFile(join(PROJECT_ROOT, 'local/prometheus.yml'), 'utf8')), 'prometheus.yml');
    assert.equal(asRecord(config.global, 'global').scrape_interval, '5s');
    const jobs = asList(config.scrape_configs, 'scrape_configs').map((job) => asRecord(job, 'scrape config'));
    assert.deepEqual(
      jobs.find((job) => job.job_name === PROBE_JOB.job_name),
      PROBE_JOB,
    );
  });

  it('the native copy of prometheus.yml only points the addresses at the chosen loopback ports, with the rules beside it', async (t) => {
    const dir = await tempDir('pgx-local-config-');
    t.after(() => dir.remove());
    const settings = readSettings({ PORT: '19116', PUSHGATEWAY_PORT: '19091', PROMETHEUS_PORT: '19090', LOCAL_STACK_DIR: dir.path });
    const configFile = await writeNativePrometheusFiles(settings);
    assert.equal(configFile, join(dir.path, 'prometheus.yml'));
    const text = await readFile(configFile, 'utf8');
    assert.match(promtoolCheck(dir.path, 'prometheus.yml'), /SUCCESS: 4 rules found/);
    assert.equal(await readFile(join(dir.path, 'alerts.yml'), 'utf8'), await readFile(join(PROJECT_ROOT, 'local/alerts.yml'), 'utf8'));
    const jobs = asList(asRecord(parse(text), 'native config').scrape_configs, 'scrape_configs').map((job) => asRecord(job, 'job'));
    assert.deepEqual(
      jobs.find((job) => job.job_name === PROBE_JOB.job_name),
      {
        ...PROBE_JOB,
        relabel_configs: [...PROBE_JOB.relabel_configs.slice(0, 2), { target_label: '__address__', replacement: '127.0.0.1:19116' }],
      },
    );
    assert.doesNotMatch(text, /pushgateway:9091|pushgateway-exporter:9116|localhost:9090/);
  });

  it('config.yml probes service1 and service2 with a 5 s threshold', async () => {
    const config = asRecord(parse(await readFile(join(PROJECT_ROOT, 'local/config.yml'), 'utf8')), 'config.yml');
    assert.equal(config.pushgateway_url, 'http://pushgateway:9091');
    assert.equal(config.scrape_interval_seconds, 3);
    assert.deepEqual(config.services, [
      { name: 'service1', freshness_threshold_seconds: 5 },
      { name: 'service2', freshness_threshold_seconds: 5 },
    ]);
  });
});

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** Retries `check` until it passes or the time is up, then rethrows its last failure. */
async function eventually(timeoutMs: number, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

interface QueryResult {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

async function promQuery(prometheusUrl: string, query: string): Promise<QueryResult[]> {
  const { status, body } = await getText(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
  assert.equal(status, 200, body);
  const answer = asRecord(JSON.parse(body), 'query answer');
  return asList(asRecord(answer.data, 'data').result, 'result') as QueryResult[];
}

describe('npm run local without Docker', { timeout: 300_000 }, () => {
  const ports = { exporter: 0, pushgateway: 0, prometheus: 0, lambda: 0 };
  let stateDir: TempDir;
  let stack: ChildProcess;
  let output = '';
  let exited: Promise<void>;
  /** Process groups of the stack's children, from its "started … (pid N)" lines. */
  const childGroups = (): number[] => [...output.matchAll(/started \S+ \(pid (\d+)\)/g)].map((match) => Number(match[1]));
  const exporterUrl = (): string => `http://127.0.0.1:${ports.exporter}`;
  const prometheusUrl = (): string => `http://127.0.0.1:${ports.prometheus}`;

  before(async () => {
    ports.exporter = await freePort();
    ports.pushgateway = await freePort();
    ports.prometheus = await freePort();
    ports.lambda = await freePort();
    stateDir = await tempDir('pgx-local-stack-');
    stack = spawn('npm', ['run', 'local', '--silent', '--', '--native'], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(ports.exporter),
        PUSHGATEWAY_PORT: String(ports.pushgateway),
        PROMETHEUS_PORT: String(ports.prometheus),
        OFFLINE_LAMBDA_PORT: String(ports.lambda),
        LOCAL_STACK_DIR: stateDir.path,
      },
    });
    exited = new Promise((resolveExit) => stack.once('exit', () => resolveExit()));
    const append = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    stack.stdout?.on('data', append);
    stack.stderr?.on('data', append);

    const deadline = Date.now() + 180_000;
    while (!output.includes('Local stack ready')) {
      if (stack.exitCode !== null || stack.signalCode !== null) throw new Error(`npm run local exited before it was ready:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm run local not ready after 180 s:\n${output}`);
      await sleep(200);
    }
  });

  after(async () => {
    const pgid = stack?.pid;
    if (pgid !== undefined && groupAlive(pgid)) {
      killGroup(pgid, 'SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      killGroup(pgid, 'SIGKILL');
    }
    // Should the stack not have stopped its children, end their groups here.
    for (const child of childGroups()) killGroup(child, 'SIGKILL');
    await stateDir?.remove();
  });

  it('says that it runs no Grafana, and where the dashboard is instead', () => {
    assert.match(output, /no Grafana in the native stack/);
    assert.ok(output.includes(join(PROJECT_ROOT, DASHBOARD_FILE)), output);
    assert.match(output, new RegExp(`import it into an existing Grafana .* at http://localhost:${ports.prometheus}`));
    assert.match(output, /npm run local -- --docker/);
  });

  it('prints what to curl, on the chosen ports', () => {
    assert.match(output, new RegExp(`curl 'localhost:${ports.exporter}/probe\\?target=service1'`));
    assert.match(output, new RegExp(`curl 'localhost:${ports.exporter}/probe\\?target=service1&debug=true'`));
    assert.match(output, new RegExp(`http://localhost:${ports.prometheus}/api/v1/query\\?query=probe_success`));
    assert.ok(output.includes(`PUSHGATEWAY_URL=http://127.0.0.1:${ports.pushgateway} npx pushgateway-exporter probe --target service1 --config config.yml`), output);
    assert.equal(childGroups().length, 3, output);
  });

  it('probes service1, which the demo heartbeat keeps fresh, as probe_success 1', async () => {
    await eventually(30_000, async () => {
      const { status, body } = await getText(`${exporterUrl()}/probe?target=service1`);
      assert.equal(status, 200, body);
      assert.equal(sampleValue(body, 'probe_success'), 1, body);
      assert.equal(sampleValue(body, 'probe_heartbeat_found'), 1, body);
    });
  });

  it('the demo heartbeat pushes a gauge, as docs/pushing.md says, so the CLI can push beside it', async () => {
    const group = await pushedGroup(`http://127.0.0.1:${ports.pushgateway}`, { job: 'heartbeat', instance: 'service1' });
    assert.equal(group?.families.get('loop_heartbeat_timestamp_seconds')?.type, 'gauge');
  });

  it('the CLI line it prints probes service1 as up, as printed', async () => {
    const line = /^ {2}CLI {10}(.+)$/m.exec(output)?.[1] ?? '';
    const run = spawnSync('sh', ['-c', line], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PUSHGATEWAY_URL: '', CONFIG_FILE: '' } });
    assert.equal(run.status, 0, `${line}\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /^State: UP: /m);
  });

  it('probes service2, which never pushes, as probe_success 0', async () => {
    const { status, body } = await getText(`${exporterUrl()}/probe?target=service2`);
    assert.equal(status, 200, body);
    assert.equal(sampleValue(body, 'probe_success'), 0, body);
    assert.equal(sampleValue(body, 'probe_heartbeat_found'), 0, body);
  });

  it('Prometheus scrapes the probe job: service1 up and successful', async () => {
    await eventually(60_000, async () => {
      const success = await promQuery(prometheusUrl(), 'probe_success{instance="service1"}');
      assert.deepEqual(
        success.map((series) => series.value[1]),
        ['1'],
        JSON.stringify(success),
      );
      const up = await promQuery(prometheusUrl(), 'up{job="ping-microservices-loops"}');
      assert.deepEqual(
        up.map((series) => [series.metric.instance, series.value[1]]).sort(),
        [
          ['service1', '1'],
          ['service2', '1'],
        ],
      );
    });
  });

  it('Prometheus loaded the alerting rules; HeartbeatDown is pending or firing for service2 (never pushed) only, its annotations naming the probe state', async () => {
    // The state at 1 in the exporter's own answer for service2 (never), if it exposes probe_state.
    const probe2 = await getText(`${exporterUrl()}/probe?target=service2`);
    const state = /^probe_state\{state="([a-z_]+)"\} 1$/m.exec(probe2.body)?.[1];
    if (probe2.body.includes('probe_state')) assert.ok(state, `probe_state without a series at 1:\n${probe2.body}`);
    await eventually(30_000, async () => {
      const { status, body } = await getText(`${prometheusUrl()}/api/v1/rules`);
      assert.equal(status, 200, body);
      const groups = asList(asRecord(asRecord(JSON.parse(body), 'rules answer').data, 'data').groups, 'groups');
      const rules = groups.flatMap((group) => asList(asRecord(group, 'group').rules, 'rules').map((rule) => asRecord(rule, 'rule')));
      assert.deepEqual(rules.map((rule) => rule.name).sort(), ALERT_NAMES);
      for (const rule of rules) assert.equal(rule.health, 'ok', `${String(rule.name)}: ${String(rule.lastError)}`);
      const active = rules.flatMap((rule) =>
        asList(rule.alerts, 'alerts').map((alert) => {
          const { labels, annotations, state } = asRecord(alert, 'alert');
          return { rule: rule.name, labels: asRecord(labels, 'labels'), annotations: asRecord(annotations, 'annotations'), state };
        }),
      );
      assert.equal(active.length, 1, JSON.stringify(active));
      const [alert] = active;
      assert.deepEqual([alert?.rule, alert?.labels.instance], ['HeartbeatDown', 'service2']);
      assert.match(String(alert?.state), /^(pending|firing)$/);
      // The reason is in the (expanded) annotations, never a label: a label would restart the for:.
      assert.equal(alert?.labels.state, undefined, JSON.stringify(alert?.labels));
      assert.equal(alert?.annotations.summary, `Heartbeat of service2 is down${state === undefined ? '' : ` (${state})`}`);
    });
  });

  it('SIGTERM to its process group stops every process and frees every port', async () => {
    const pgid = stack.pid;
    assert.ok(pgid !== undefined);
    killGroup(pgid, 'SIGTERM');
    await eventually(30_000, async () => {
      assert.equal(groupAlive(pgid), false, 'npm run local still runs');
      for (const child of childGroups()) assert.equal(groupAlive(child), false, `child group ${child} still runs:\n${output}`);
      for (const [name, port] of Object.entries(ports)) assert.equal(await portOpen(port), false, `${name} port ${port} still open`);
    });
    assert.match(output, /local stack: stopped/);
  });
});
