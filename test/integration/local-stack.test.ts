// The local stack: `npm run local` without Docker runs Pushgateway, the exporter, Prometheus (with
// the alerting rules of local/alerts.yml) and the demo heartbeat on free ports, then stops all of
// it on SIGTERM. Its files are checked in test/integration/local-stack-files.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { DASHBOARD_FILE } from '../../local/stack/native.ts';
import { eventually } from '../support/eventually.ts';
import { ALERT_NAMES } from '../support/monitoring-files.ts';
import { asList, asRecord } from '../support/parsed-shapes.ts';
import { stateOf } from '../support/probe-state.ts';
import { freePort, getText, PROJECT_ROOT, sampleValue, tempDir, type TempDir } from '../support/processes.ts';
import { pushedGroup } from '../support/pushgateway-groups.ts';

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
        // The stack's own demo key, whatever the shell holds.
        PUSH_TOKEN: '',
        PUSH_TOKEN_SSM_PARAMETER: '',
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
    // Run without blocking this process: a blocked event loop misses the exporter closing an idle
    // keep-alive connection (after 5 s), and the next test's fetch would reuse the dead socket.
    const run = await promisify(execFile)('sh', ['-c', line], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PUSHGATEWAY_URL: '', CONFIG_FILE: '' } });
    assert.match(run.stdout, /^State: UP: /m, `${line}\n${run.stdout}${run.stderr}`);
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
    // The state at 1 in the exporter's own answer for service2: never.
    const state = stateOf((await getText(`${exporterUrl()}/probe?target=service2`)).body);
    assert.equal(state, 'never');
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
      assert.equal(alert?.annotations.summary, `Heartbeat of service2 is down (${state})`);
    });
  });

  it('the check-in line it prints works with the demo key: service2 up, then failed by /fail; a wrong key 401', async () => {
    const url = /^ {2}check-in {5}curl -fsS '(localhost:\d+\/ping\/local-demo-key\/service2)'/m.exec(output)?.[1];
    assert.ok(url !== undefined, output);
    const state = async (): Promise<string | undefined> => stateOf((await getText(`${exporterUrl()}/probe?target=service2`)).body);
    const ping = await getText(`http://${url}`);
    assert.deepEqual([ping.status, ping.body], [200, 'OK\n']);
    await eventually(10_000, async () => assert.equal(await state(), 'up'));
    assert.equal((await getText(`http://${url}/fail`)).status, 200);
    await eventually(10_000, async () => assert.equal(await state(), 'failed'));
    assert.equal((await getText(`${exporterUrl()}/ping/wrong-key/service2`)).status, 401);
  });

  it('SIGTERM to its process group stops every process and frees every port', async () => {
    const pgid = stack.pid;
    assert.ok(pgid !== undefined);
    killGroup(pgid, 'SIGTERM');
    await eventually(30_000, async () => {
      assert.equal(groupAlive(pgid), false, 'npm run local still runs');
      for (const child of childGroups()) assert.equal(groupAlive(child), false, `child group ${child} still runs:\n${output}`);
      for (const [name, port] of Object.entries(ports)) assert.equal(await portOpen(port), false, `${name} port ${port} still open`);
      // Its last line can reach this process a turn after its group is gone: the pipe is read later.
      assert.match(output, /local stack: stopped/);
    });
  });
});
