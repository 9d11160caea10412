// The `unreachable` state against a real Pushgateway that is killed: within max_stale_seconds the
// last snapshot is judged as usual (probe_pushgateway_up 0); after it, every service not paused is
// unreachable with the read error as its reason — through the route table, the built server
// (`npm run serve`) and the built CLI (`pushgateway-exporter probe`) — never `never`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import type { StatusReport } from '../../lib/core/report/status-report.ts';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, sampleValue, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { stateOf } from '../support/probe-state.ts';
import { get } from '../support/route-request.ts';

const CONFIG = (url: string, extra = '') => `pushgateway_url: "${url}"
${extra}
services:
  - name: service1
    freshness_threshold_seconds: 60
  - name: service2
    freshness_threshold_seconds: 5
  - name: quiet
    paused: true
  - name: maint
    maintenance:
      - {from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", reason: "moving racks"}
`;

/** A Pushgateway's "is unreachable" error for a refused connection, as the probe states it. */
const refusedBy = (url: string) => new RegExp(`Pushgateway at ${url.replace(/[.]/g, '\\.')} is unreachable: .*ECONNREFUSED`);

describe('unreachable through the route table: a killed Pushgateway, a hand-driven clock', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  let runtime: Runtime;
  let now = Date.now();
  const probe = async (target: string, debug = false) => handleRequest(get('/probe', debug ? { target, debug: 'true' } : { target }), runtime);

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir('pgx-unreachable-');
    const file = await dir.file('config.yml', CONFIG(pushgateway.url, 'scrape_interval_seconds: 3\nmax_stale_seconds: 20'));
    runtime = runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error' }, { cwd: '/', clock: () => now });
    await pushHeartbeat(pushgateway.url, 'service1', Math.floor(now / 1000));
  });
  after(async () => {
    await runtime?.close();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('reads the Pushgateway while it runs: up, and never for a service that did not push', async () => {
    const up = (await probe('service1')).body;
    assert.equal(stateOf(up), 'up');
    assert.equal(sampleValue(up, 'probe_pushgateway_up'), 1);
    assert.equal(stateOf((await probe('service2')).body), 'never');
  });

  it('within max_stale_seconds of a failed read, judges the last snapshot as usual, with probe_pushgateway_up 0', async () => {
    await pushgateway.stop();
    now += 3000;
    const stale = (await probe('service1')).body;
    assert.equal(sampleValue(stale, 'probe_pushgateway_up'), 0);
    assert.equal(sampleValue(stale, 'probe_snapshot_age_seconds'), 3);
    assert.equal(stateOf(stale), 'up');
    assert.equal(sampleValue(stale, 'probe_success'), 1);
    assert.equal(stateOf((await probe('service2')).body), 'never', 'the snapshot says service2 never pushed');
  });

  it('past max_stale_seconds: unreachable with probe_success 0, the read error as the reason', async () => {
    now += 18_000;
    const response = await probe('service1');
    assert.equal(response.status, 200);
    assert.equal(stateOf(response.body), 'unreachable');
    assert.equal(sampleValue(response.body, 'probe_success'), 0);
    assert.equal(sampleValue(response.body, 'probe_pushgateway_up'), 0);
    assert.equal(sampleValue(response.body, 'probe_heartbeat_found'), 0);
    assert.equal(sampleValue(response.body, 'probe_snapshot_age_seconds'), undefined);
    assertPromtoolClean(response.body);
    assert.equal(stateOf((await probe('service2')).body), 'unreachable', 'not never: nothing was looked at');
  });

  it('debug=true names the state and gives the read error as the reason', async () => {
    const report = (await probe('service1', true)).body;
    assert.match(report, /^State: UNREACHABLE: the Pushgateway could not be read; the heartbeat was not judged$/m);
    const why = /^Why: (.*)$/m.exec(report)?.[1] ?? '';
    assert.match(why, refusedBy(pushgateway.url));
    assert.match(why, /; no snapshot within max_stale_seconds is left, so the heartbeat cannot be judged$/);
    assert.match(report, /^ {2}max_stale_seconds: 20$/m);
    assert.doesNotMatch(report, /not found|heartbeat for this target in the snapshot/);
  });

  it('paused and maintenance services stay paused (probe_success 1): their alerts stay quiet', async () => {
    for (const target of ['quiet', 'maint']) {
      const body = (await probe(target)).body;
      assert.equal(stateOf(body), 'paused', target);
      assert.equal(sampleValue(body, 'probe_success'), 1, target);
    }
  });

  it('/probes: every service unreachable but the paused ones, promtool-clean', async () => {
    const { status, body } = await handleRequest(get('/probes'), runtime);
    assert.equal(status, 200);
    assert.deepEqual(['service1', 'service2', 'quiet', 'maint'].map((service) => stateOf(body, service)), ['unreachable', 'unreachable', 'paused', 'paused']);
    assertPromtoolClean(body);
  });

  it('the status page JSON and HTML show unreachable with the error', async () => {
    const json = await handleRequest(get('/', { format: 'json' }), runtime);
    const report = JSON.parse(json.body) as StatusReport;
    assert.equal(report.pushgateway_up, false);
    assert.equal(report.snapshot_age_seconds, undefined);
    assert.match(report.pushgateway_error ?? '', refusedBy(pushgateway.url));
    assert.deepEqual(report.services.map((s) => [s.name, s.state, s.success]), [
      ['service1', 'unreachable', false], ['service2', 'unreachable', false], ['quiet', 'paused', true], ['maint', 'paused', true],
    ]);
    assert.match(report.services[0]?.reason ?? '', refusedBy(pushgateway.url));
    const page = (await handleRequest(get('/'), runtime)).body;
    assert.match(page, /<tr data-service="service1" data-state="unreachable">.*<span class="badge unreachable">Pushgateway unreachable<\/span>/);
    assert.match(page, /No snapshot within max_stale_seconds is left/);
  });

  it('recovers as soon as the Pushgateway answers again: never for a service the new one has not seen', async () => {
    // A Pushgateway on the same address again, empty (no persistence).
    const port = pushgateway.port;
    const url = pushgateway.url;
    pushgateway = await startProcess('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], { readyUrl: `${url}/-/ready`, url, port });
    await pushHeartbeat(url, 'service1', Math.floor(now / 1000));
    now += 3000;
    const body = (await probe('service1')).body;
    assert.equal(stateOf(body), 'up');
    assert.equal(sampleValue(body, 'probe_pushgateway_up'), 1);
    assert.equal(stateOf((await probe('service2')).body), 'never');
  });
});

describe('unreachable through the built server and CLI, in real time', () => {
  const server = join(PROJECT_ROOT, 'dist/server/server.mjs');
  const cli = join(PROJECT_ROOT, 'dist/cli/pushgateway-exporter.mjs');
  let pushgateway: RunningProcess;
  let exporter: RunningProcess;
  let dir: TempDir;
  let configFile: string;

  before(async () => {
    for (const file of [server, cli]) assert.ok(existsSync(file), `${file} is missing: run npm run build first`);
    pushgateway = await startPushgateway();
    dir = await tempDir('pgx-unreachable-serve-');
    // A short max_stale_seconds: the test waits past it by polling, not by sleeping a fixed time.
    configFile = await dir.file('config.yml', CONFIG(pushgateway.url, 'scrape_interval_seconds: 0.5\nmax_stale_seconds: 2\ntimeout_seconds: 2'));
    const port = await freePort();
    exporter = await startProcess('node', [server], {
      readyUrl: `http://127.0.0.1:${port}/-/healthy`, url: `http://127.0.0.1:${port}`, port,
      env: { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: configFile, LOG_LEVEL: 'error', PUSHGATEWAY_URL: '' },
    });
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
  });
  after(async () => {
    await exporter?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('npm run serve: a killed Pushgateway turns the probe from up to unreachable once max_stale_seconds has passed', async () => {
    const probeUrl = `${exporter.url}/probe?target=service1`;
    const first = await getText(probeUrl);
    assert.equal(stateOf(first.body), 'up', first.body);
    await pushgateway.stop();
    // Every answer until the state changes is the stale snapshot's verdict (up); the first other one is unreachable.
    const seen: string[] = [];
    const deadline = Date.now() + 30_000;
    let body = first.body;
    while (stateOf(body) === 'up') {
      assert.ok(Date.now() < deadline, `still up 30 s after the Pushgateway was killed (max_stale_seconds 2); answers: ${seen.join(', ')}`);
      await sleep(100);
      const answer = await getText(probeUrl);
      assert.equal(answer.status, 200);
      body = answer.body;
      seen.push(`${stateOf(body)}/pushgateway_up=${sampleValue(body, 'probe_pushgateway_up')}`);
    }
    assert.equal(stateOf(body), 'unreachable', `answers: ${seen.join(', ')}`);
    assert.equal(sampleValue(body, 'probe_success'), 0);
    assert.equal(sampleValue(body, 'probe_pushgateway_up'), 0);
    const report = (await getText(`${probeUrl}&debug=true`)).body;
    assert.match(/^Why: (.*)$/m.exec(report)?.[1] ?? '', refusedBy(pushgateway.url));
    const status = JSON.parse((await getText(`${exporter.url}/?format=json`)).body) as StatusReport;
    assert.deepEqual(status.services.map((s) => s.state), ['unreachable', 'unreachable', 'paused', 'paused']);
  });

  /** Runs the built CLI with a clean environment; resolves with its exit code and output. */
  function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const env = { ...process.env };
    for (const name of ['PUSHGATEWAY_URL', 'CONFIG_FILE', 'CONFIG_SSM_PARAMETER', 'AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'LOG_LEVEL']) delete env[name];
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir.path, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('pushgateway-exporter probe: State UNREACHABLE with the error, exit 1; a paused service exits 0', async () => {
    // The Pushgateway was killed above; a fresh process has no snapshot at all.
    assert.equal(pushgateway.child.exitCode !== null || pushgateway.child.signalCode !== null, true, 'the Pushgateway is down');
    const down = await runCli(['probe', '--target', 'service2', '--config', configFile]);
    assert.equal(down.code, 1, down.stdout + down.stderr);
    assert.equal(down.stderr, '');
    assert.match(down.stdout, /^State: UNREACHABLE: the Pushgateway could not be read; the heartbeat was not judged$/m);
    assert.match(/^Why: (.*)$/m.exec(down.stdout)?.[1] ?? '', refusedBy(pushgateway.url));
    assert.match(down.stdout, /^probe_state\{state="unreachable"\} 1$/m);
    assert.match(down.stdout, /^probe_success 0$/m);
    const paused = await runCli(['probe', '--target', 'quiet', '--config', configFile]);
    assert.equal(paused.code, 0, paused.stdout + paused.stderr);
    assert.match(paused.stdout, /^State: PAUSED: /m);
    assert.match(paused.stdout, /^ {2}error: Pushgateway at .* is unreachable: .*ECONNREFUSED/m, 'the read error is still shown');
  });
});
