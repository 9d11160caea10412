import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';
import { rawGet } from '../support/raw-http.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { eventually } from '../support/eventually.ts';

describe('npm run serve (standalone node:http server) with a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  let server: RunningProcess;
  let dir: TempDir;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', `pushgateway_url: "${pushgateway.url}"
scrape_interval_seconds: 1
services:
  - name: service1
    freshness_threshold_seconds: 30
  - name: service2
    freshness_threshold_seconds: 30
  - name: workers
    replicas: 2
`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    server = await startProcess('npm', ['run', 'serve', '--silent'], {
      readyUrl: `${url}/-/healthy`, url, port, env: { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: config, LOG_LEVEL: 'info' },
    });
  });
  after(async () => {
    await server?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('answers /probe like the Lambda does', async () => {
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000, { extra: 'loop_errors_total{service="service1"} 3\n' });
    const response = await getText(`${server.url}/probe?target=service1`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(response.body, /^probe_success 1$/m);
    assert.equal((await getText(`${server.url}/probe?target=unknown`)).status, 404);
    const post = await getText(`${server.url}/probe?target=service1`, { method: 'POST', body: 'ignored' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  it('answers HEAD with GET\'s Content-Length and no body', async () => {
    const healthy = await getText(`${server.url}/-/healthy`, { method: 'HEAD' });
    assert.deepEqual([healthy.status, healthy.headers.get('content-length'), healthy.body], [200, '3', '']);
    const probe = await getText(`${server.url}/probe?target=service1`, { method: 'HEAD' });
    assert.equal(probe.status, 200);
    assert.equal(probe.body, '');
    // A probe's answer changes length with its timings: GET's length, give or take a few digits.
    const getLength = Buffer.byteLength((await getText(`${server.url}/probe?target=service1`)).body);
    assert.ok(Math.abs(Number(probe.headers.get('content-length')) - getLength) < 40, `${probe.headers.get('content-length')} against ${getLength}`);
  });

  it('renders every service in one scrape on /probes, labelled by service, promtool-clean', async () => {
    await pushHeartbeat(pushgateway.url, 'workers-a', Date.now() / 1000, { service: 'workers' });
    // Once the 1 s snapshot interval has passed, a read sees the new push: polled, and failing after 10 s.
    const response = await eventually(10_000, async () => {
      const answer = await getText(`${server.url}/probes`);
      assert.match(answer.body, /^probe_replicas_fresh\{service="workers"\} 1$/m, answer.body);
      return answer;
    }, 100);
    assert.equal(response.status, 200);
    assert.match(response.body, /^probe_success\{service="service1"\} 1$/m);
    assert.match(response.body, /^probe_success\{service="service2"\} 0$/m);
    assert.match(response.body, /^probe_success\{service="workers"\} 0$/m);
    assert.match(response.body, /^probe_replicas_fresh\{service="workers"\} 1$/m);
    assert.match(response.body, /^probe_heartbeat_found\{service="service2"\} 0$/m);
    assert.match(response.body, /^loop_errors_total\{service="service1"\} 3$/m);
    assert.equal(response.body.match(/^probe_duration_seconds /gm)?.length, 1);
    assertPromtoolClean(response.body);
  });

  it('matches paths exactly as sent: //probe, /probe/, /./probe, /%70robe, /probe;x are 404, never another route', async () => {
    for (const target of ['//probe', '//probe?target=service1', '/probe/', '/./probe', '/x/../probe', '/%70robe', '/probe;x', '//', '//-/healthy', '/-/healthy/', '/%2F']) {
      const response = await rawGet(server.url, target);
      assert.equal(response.status, 404, `${target}: ${response.body}`);
      assert.match(response.body, /^not found: "[^"]*" \(routes: /, target);
    }
    assert.equal((await rawGet(server.url, '/probe?target=service1')).status, 200);
    assert.equal((await rawGet(server.url, `${server.url}/probe?target=service1`)).status, 200, 'absolute-form target, as sent to a proxy');
    assert.equal((await rawGet(server.url, `${server.url}//probe?target=service1`)).status, 404);
  });

  it('refuses to start, in one line on stderr naming the variable, when a token variable holds no token', () => {
    const cases: [Record<string, string>, string][] = [
      [{ AUTH_TOKEN: ' , ' }, 'AUTH_TOKEN holds no token (only commas or white space): give one or more tokens separated by commas, or leave it empty'],
      [{ AUTH_TOKEN: ' ' }, 'AUTH_TOKEN holds no token (only commas or white space): give one or more tokens separated by commas, or leave it empty'],
      [{ AUTH_TOKEN_SSM_PARAMETER: ' ' }, 'AUTH_TOKEN_SSM_PARAMETER holds only white space: name the SSM parameter holding the bearer tokens, or leave it empty'],
      [{ PUSHGATEWAY_BEARER_TOKEN: '\t' }, 'PUSHGATEWAY_BEARER_TOKEN holds only white space: give the token, or leave it empty'],
    ];
    for (const [env, line] of cases) {
      // The old server listened instead: the timeout ends it, and the test fails on its status.
      const started = spawnSync(process.execPath, ['dist/server/server.mjs'], {
        cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 10_000,
        env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), ...env },
      });
      assert.equal(started.status, 2, `${JSON.stringify(env)}: ${started.stderr}`);
      assert.equal(started.stderr, `${line}\n`);
      assert.equal(started.stdout, '');
    }
  });

  it('with AUTH_TOKEN holding a token with spaces: only the whole token opens, a repeated Authorization never does', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const token = 'correct horse battery staple';
    const guarded = await startProcess(process.execPath, ['dist/server/server.mjs'], {
      readyUrl: `${url}/-/healthy`, url, port,
      env: { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), PUSHGATEWAY_URL: pushgateway.url, AUTH_TOKEN: ` ${token} , other-token ` },
    });
    try {
      const status = async (headers: [string, string][]) => (await rawGet(url, '/metrics', headers)).status;
      assert.equal(await status([['Authorization', `Bearer ${token}`]]), 200);
      assert.equal(await status([['Authorization', `bearer  ${token} `]]), 200);
      assert.equal(await status([['Authorization', 'Bearer other-token']]), 200);
      for (const wrong of ['Bearer horse', 'Bearer correct', `Bearer ${token},other-token`, 'Bearer  ,  ']) {
        assert.equal(await status([['Authorization', wrong]]), 401, wrong);
      }
      assert.equal(await status([]), 401);
      assert.equal(await status([['Authorization', `Bearer ${token}`], ['Authorization', 'Bearer wrong']]), 401, 'two Authorization headers');
      assert.equal(await status([['Authorization', 'Bearer wrong'], ['authorization', `Bearer ${token}`]]), 401, 'two Authorization headers');
      assert.equal((await rawGet(url, '/-/healthy')).status, 200);
      assert.ok(!guarded.output().includes('horse'), 'the token never reaches the logs');
    } finally {
      await guarded.stop();
    }
  });

  it('on SIGTERM lets an in-flight probe finish, then exits 0', async () => {
    // A Pushgateway that answers after 800 ms keeps the probe in flight while the signal arrives.
    let reached: () => void = () => undefined;
    const readStarted = new Promise<void>((resolve) => { reached = resolve; });
    // The server's start-up check reads the Pushgateway too: only a read after the probe was sent counts.
    let probeSent = false;
    const slow = createServer((_req, res) => {
      if (probeSent) reached();
      setTimeout(() => { res.writeHead(200); res.end('x 1\n'); }, 800);
    });
    const slowPort = await freePort();
    await new Promise<void>((resolve) => slow.listen(slowPort, '127.0.0.1', resolve));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const direct = await startProcess(process.execPath, ['dist/server/server.mjs'], {
      readyUrl: `${url}/-/healthy`, url, port,
      env: { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), PUSHGATEWAY_URL: `http://127.0.0.1:${slowPort}` },
    });
    try {
      const exited = new Promise<number | null>((resolve) => direct.child.once('exit', (code) => resolve(code)));
      probeSent = true;
      const inFlight = getText(`${url}/probe?target=service1`);
      // The probe is in flight once its read reached the Pushgateway.
      await readStarted;
      direct.child.kill('SIGTERM');
      const response = await inFlight;
      assert.equal(response.status, 200);
      assert.match(response.body, /^probe_pushgateway_up 1$/m);
      assert.equal(await exited, 0);
      assert.match(direct.output(), /"msg":"shutting down","signal":"SIGTERM"/);
    } finally {
      await direct.stop();
      slow.closeAllConnections();
      slow.close();
    }
  });
});
