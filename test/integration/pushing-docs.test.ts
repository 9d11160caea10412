// docs/pushing.md: its examples, as written (only the Pushgateway's port and the service names
// changed), push to one real Pushgateway side by side, and every service probes as up.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { START_METRIC, SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { bareEnv, codeBlocks, retarget, runShell, shellCommands, type CodeBlock } from '../support/doc-commands.ts';
import { PROJECT_ROOT, sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { pushedGroup, pushedGroups, valueOf } from '../support/pushgateway-groups.ts';

/** Debian's python3-prometheus-client is installed for the system Python, not for a pyenv one on PATH. */
const PYTHON = '/usr/bin/python3';
const DOC_PORT = 9091;

/** The block of `lang` whose text matches `pattern`; exactly one must. */
function blockOf(blocks: readonly CodeBlock[], lang: string, pattern: RegExp): string {
  const found = blocks.filter((block) => block.lang === lang && pattern.test(block.code));
  assert.equal(found.length, 1, `docs/pushing.md: one ${lang} block matching ${pattern}, found ${found.length}`);
  return found[0]?.code ?? '';
}

/** Runs a never-ending example until the Pushgateway holds its service's heartbeat, then stops it. */
async function runUntilPushed(command: string, args: readonly string[], pushgatewayUrl: string, service: string): Promise<void> {
  const child: ChildProcess = spawn(command, args, { cwd: PROJECT_ROOT, env: bareEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const deadline = Date.now() + 20_000;
    while (valueOf(await pushedGroup(pushgatewayUrl, { job: 'heartbeat', instance: service }), SUCCESS_METRIC) === undefined) {
      assert.ok(child.exitCode === null, `${command} exited (${child.exitCode}) before pushing:\n${output}`);
      assert.ok(Date.now() < deadline, `${command}: no heartbeat for ${service} after 20 s:\n${output}`);
      await sleep(100);
    }
    assert.doesNotMatch(output, /failed/, output);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('docs/pushing.md against a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  let blocks: CodeBlock[];
  let dir: TempDir;
  /** The docs' text pointed at this test's Pushgateway, with service1 renamed for each example. */
  let asWritten: (text: string, service: string) => string;
  const services: string[] = [];

  before(async () => {
    assert.ok(existsSync(PYTHON), `${PYTHON} not found: apt-get install python3-prometheus-client`);
    pushgateway = await startPushgateway();
    dir = await tempDir();
    blocks = codeBlocks(await readFile(join(PROJECT_ROOT, 'docs', 'pushing.md'), 'utf8'), 'docs/pushing.md');
    asWritten = (text, service) => {
      services.push(service);
      return retarget(text, { [DOC_PORT]: pushgateway.port }).replaceAll('service1', service);
    };
  });
  after(async () => {
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('the curl heartbeat pushes a gauge', async () => {
    const [curl] = shellCommands([{ file: '', lang: 'sh', code: blockOf(blocks, 'sh', /^printf .*loop_heartbeat_timestamp_seconds.*\| curl/ms) }]);
    const run = await runShell(asWritten(curl?.command ?? '', 'curl-loop'), bareEnv());
    assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 0, stderr: '' });
    const group = await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'curl-loop' });
    assert.equal(group?.families.get(SUCCESS_METRIC)?.type, 'gauge');
    assert.ok(Math.abs((valueOf(group, SUCCESS_METRIC) ?? 0) - Date.now() / 1000) < 60, 'the current time, in seconds');
  });

  it('the curl run signals push a start and a success, each a gauge', async () => {
    const script = blockOf(blocks, 'sh', /^signal\(\)/m);
    const run = await runShell(retarget(script, { [DOC_PORT]: pushgateway.port }), bareEnv());
    assert.deepEqual({ code: run.code, stderr: run.stderr }, { code: 0, stderr: '' });
    services.push('etl');
    const group = await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'etl' });
    assert.equal(group?.families.get(START_METRIC)?.type, 'gauge');
    assert.equal(group?.families.get(SUCCESS_METRIC)?.type, 'gauge');
    assert.ok((valueOf(group, SUCCESS_METRIC) ?? 0) >= (valueOf(group, START_METRIC) ?? Infinity));
  });

  it('the CLI lines push as written (PUSHGATEWAY_URL in the command itself)', async () => {
    const lines = shellCommands([{ file: '', lang: 'sh', code: blockOf(blocks, 'sh', /npx pushgateway-exporter push/) }]);
    assert.deepEqual(lines.map((line) => line.command.replace(/ --service .*/, '')), Array(2).fill('PUSHGATEWAY_URL=http://127.0.0.1:9091 npx pushgateway-exporter push'));
    const [heartbeat, wrapped] = lines.map((line) => line.command);
    const runs = [
      await runShell(asWritten(heartbeat ?? '', 'cli-loop'), bareEnv()),
      await runShell(asWritten((wrapped ?? '').replace('--service etl', '--service cli-job'), 'cli-job'), bareEnv()),
    ];
    assert.deepEqual(runs, Array(2).fill({ code: 0, stdout: '', stderr: '' }));
    for (const instance of ['cli-loop', 'cli-job']) {
      assert.equal((await pushedGroup(pushgateway.url, { job: 'heartbeat', instance }))?.families.get(SUCCESS_METRIC)?.type, 'gauge', instance);
    }
  });

  it('the Python example (prometheus_client) pushes a gauge', async () => {
    const code = asWritten(blockOf(blocks, 'python', /pushadd_to_gateway/), 'python-loop');
    await runUntilPushed(PYTHON, ['-c', code], pushgateway.url, 'python-loop');
    assert.equal((await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'python-loop' }))?.families.get(SUCCESS_METRIC)?.type, 'gauge');
  });

  it('the Node example without a dependency pushes a gauge', async () => {
    const code = asWritten(blockOf(blocks, 'js', /^(?![\s\S]*\bimport\b)[\s\S]*fetch\(/), 'node-loop');
    await runUntilPushed(process.execPath, ['--input-type=module', '-e', code], pushgateway.url, 'node-loop');
    assert.equal((await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'node-loop' }))?.families.get(SUCCESS_METRIC)?.type, 'gauge');
  });

  it("the prom-client example's wire format (a Gauge: # HELP, # TYPE gauge, the sample) is accepted beside the others", async () => {
    const code = blockOf(blocks, 'js', /from 'prom-client'/);
    assert.match(code, /new Gauge\(\{ name: 'loop_heartbeat_timestamp_seconds'/);
    assert.match(code, /\.setToCurrentTime\(\)/);
    assert.match(code, /gateway\.pushAdd\(\{ jobName: 'heartbeat', groupings: \{ instance: SERVICE \} \}\)/);
    const help = /help: '([^']+)'/.exec(code)?.[1];
    // What prom-client's registry renders for that gauge, and what its pushAdd POSTs.
    const body = `# HELP ${SUCCESS_METRIC} ${help}\n# TYPE ${SUCCESS_METRIC} gauge\n${SUCCESS_METRIC}{service="prom-client-loop"} ${Date.now() / 1000}\n`;
    const response = await fetch(`${pushgateway.url}/metrics/job/heartbeat/instance/prom-client-loop`, { method: 'POST', body });
    assert.equal(response.status, 200, await response.text());
    services.push('prom-client-loop');
  });

  it('the Go example uses a client_golang Gauge pushed to job heartbeat, grouped by instance', () => {
    const code = blockOf(blocks, 'go', /client_golang/);
    assert.match(code, /prometheus\.NewGaugeVec\(prometheus\.GaugeOpts\{\s*Name: "loop_heartbeat_timestamp_seconds",/);
    assert.match(code, /push\.New\("http:\/\/127\.0\.0\.1:9091", "heartbeat"\)\.Grouping\("instance", service\)\.Collector\(heartbeat\)/);
    assert.match(code, /heartbeat\.WithLabelValues\(service\)\.SetToCurrentTime\(\)/);
  });

  it('every example shares the name as one gauge, a bare untyped line is refused beside them, and each service probes up', async () => {
    const groups = await pushedGroups(pushgateway.url);
    const heartbeats = groups.filter((group) => group.families.has(SUCCESS_METRIC));
    assert.ok(heartbeats.length >= 7, `every example pushed: ${heartbeats.map((group) => group.labels.instance).join(', ')}`);
    assert.deepEqual([...new Set(heartbeats.map((group) => group.families.get(SUCCESS_METRIC)?.type))], ['gauge']);

    const bare = await fetch(`${pushgateway.url}/metrics/job/heartbeat/instance/old-style`, { method: 'POST', body: `${SUCCESS_METRIC}{service="old-style"} 1\n` });
    assert.equal(bare.status, 400);
    // The Pushgateway quotes either side of the conflict, depending on its gather order.
    assert.match(await bare.text(), /is not a (GAUGE|UNTYPED)/);

    const config = await dir.file('config.yml', `pushgateway_url: "${pushgateway.url}"\nservices:\n${services.map((name) => `  - {name: ${name}, freshness_threshold_seconds: 120}\n`).join('')}`);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: config, LOG_LEVEL: 'error' }, { cwd: '/' });
    try {
      for (const target of services) {
        const answer = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target }), headers: {} }, runtime);
        assert.equal(sampleValue(answer.body, 'probe_success'), 1, `${target}:\n${answer.body}`);
      }
    } finally {
      await runtime.close();
    }
  });
});

describe('docs/pushing.md: migrating from untyped pushes, against a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  let doc: string;

  before(async () => {
    pushgateway = await startPushgateway();
    doc = retarget(await readFile(join(PROJECT_ROOT, 'docs', 'pushing.md'), 'utf8'), { [DOC_PORT]: pushgateway.port });
  });
  after(async () => pushgateway?.stop());

  it('the CLI prints the documented line beside an untyped group; the listed groups, deleted as documented, let it push', async () => {
    // An older CLI, or a bare curl line: no # TYPE.
    const old = await fetch(`${pushgateway.url}/metrics/job/heartbeat/instance/service2`, { method: 'POST', body: `${SUCCESS_METRIC}{service="service2"} 1\n` });
    assert.equal(old.status, 200);
    const push = `PUSHGATEWAY_URL=${pushgateway.url} npx pushgateway-exporter push --service service1`;
    const refused = await runShell(push, bareEnv());
    assert.equal(refused.code, 1);
    const documented = /^pushgateway-exporter: push failed: .*type conflict.*$/m.exec(doc)?.[0];
    assert.equal(refused.stderr, `${documented}\n`, 'the line docs/pushing.md shows, word for word');

    const blocks = codeBlocks(doc);
    const [list] = shellCommands(blocks.filter((block) => block.code.includes('grep')));
    const listed = await runShell(list?.command ?? '', bareEnv());
    assert.match(listed.stdout, new RegExp(`^# TYPE ${SUCCESS_METRIC} untyped$`, 'm'));
    assert.match(listed.stdout, /instance="service2"/);

    const [remove] = shellCommands(blocks.filter((block) => block.code.includes('curl -X DELETE')));
    const deleted = await runShell((remove?.command ?? '').replace('instance/service1', 'instance/service2'), bareEnv());
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(await runShell(push, bareEnv()), { code: 0, stdout: '', stderr: '' });
  });
});
