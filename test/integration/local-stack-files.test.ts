// The local stack's files: local/docker-compose.yml (as `docker-compose config` reads it),
// local/prometheus.yml (promtool with its rules) and its native copy, local/config.yml. The stack
// itself runs in test/integration/local-stack.test.ts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { DASHBOARD_FILE, writeNativePrometheusFiles } from '../../local/stack/native.ts';
import { readSettings } from '../../local/stack/settings.ts';
import { asList, asRecord } from '../support/parsed-shapes.ts';
import { PROJECT_ROOT, tempDir } from '../support/processes.ts';
import { runPromtool } from '../support/promtool.ts';

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

/** promtool check config also loads every rule file the config names, relative to it. */
function promtoolCheck(dir: string, file: string): string {
  const { status, output } = runPromtool(['check', 'config', file], dir);
  assert.equal(status, 0, `promtool check config ${file}:\n${output}`);
  return output;
}

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

/**
 * The services of `docker-compose config`, read once for the whole file (each run takes a second or
 * two), with the variables the compose file reads unset so its defaults show.
 */
let composeServices: Record<string, unknown> | undefined;
function composeConfigServices(): Record<string, unknown> {
  if (composeServices !== undefined) return composeServices;
  const env = { ...process.env };
  for (const name of ['PORT', 'PUSHGATEWAY_PORT', 'PROMETHEUS_PORT', 'GRAFANA_PORT', 'GRAFANA_ADMIN_PASSWORD', 'LOG_LEVEL']) delete env[name];
  const result = spawnSync('docker-compose', ['-f', 'local/docker-compose.yml', 'config'], { cwd: PROJECT_ROOT, env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  composeServices = asRecord(asRecord(parse(result.stdout), 'compose config').services, 'services');
  return composeServices;
}

describe('local stack files', () => {
  it('docker-compose.yml is valid: five services on official images, the exporter on 9116, the Dockerfile server as an option', () => {
    const services = composeConfigServices();
    assert.deepEqual(Object.keys(services).sort(), ['grafana', 'heartbeat', 'prometheus', 'pushgateway', 'pushgateway-b', 'pushgateway-exporter', 'pushgateway-exporter-server']);
    const service = (name: string): Record<string, unknown> => asRecord(services[name], name);
    assert.deepEqual(service('pushgateway-b').profiles, ['two-pushgateways'], 'the second Pushgateway starts only on request (docs/high-availability.md)');
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
    const services = composeConfigServices();
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
    const services = composeConfigServices();
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
    assert.match(output, /SUCCESS: 5 rules found/, 'promtool loaded alerts.yml through rule_files');
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
    assert.match(promtoolCheck(dir.path, 'prometheus.yml'), /SUCCESS: 5 rules found/);
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
