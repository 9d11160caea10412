import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, PROJECT_ROOT, startProcess, startPushgateway, type RunningProcess } from '../support/processes.ts';
import { rawGet } from '../support/raw-http.ts';

// serverless-offline (the local stage of `npm start`) straight from the built bundle: serverless.yml
// maps AUTH_TOKEN into the handler's environment as `${env:AUTH_TOKEN, ''}`.
const SERVERLESS = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');

async function offlineEnv(env: Record<string, string>) {
  const port = await freePort();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    env: {
      ...process.env, PORT: String(port), OFFLINE_LAMBDA_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'info',
      CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), ...env,
    },
  };
}

describe('serverless-offline (stage local) with bearer auth', () => {
  let pushgateway: RunningProcess;
  let offline: RunningProcess;
  const token = 'correct horse battery staple';

  before(async () => {
    pushgateway = await startPushgateway();
    const { port, url, env } = await offlineEnv({ PUSHGATEWAY_URL: pushgateway.url, AUTH_TOKEN: ` ${token} , other-token ` });
    offline = await startProcess(SERVERLESS, ['offline', 'start', '--stage', 'local'], { readyUrl: `${url}/-/healthy`, url, port, env, timeoutMs: 60_000 });
  });
  after(async () => {
    await offline?.stop();
    await pushgateway?.stop();
  });

  it('opens only for a whole token: a token with spaces works, "Bearer horse" and a repeated Authorization do not', async () => {
    const status = async (headers: [string, string][]) => (await rawGet(offline.url, '/metrics', headers)).status;
    assert.equal(await status([['Authorization', `Bearer ${token}`]]), 200);
    assert.equal(await status([['Authorization', 'Bearer other-token']]), 200);
    for (const wrong of ['Bearer horse', 'Bearer correct', `Bearer ${token},other-token`, 'Bearer ,']) {
      assert.equal(await status([['Authorization', wrong]]), 401, wrong);
    }
    assert.equal(await status([]), 401);
    assert.equal(await status([['Authorization', 'Bearer wrong'], ['Authorization', `Bearer ${token}`]]), 401, 'two Authorization headers');
    assert.equal(await status([['Authorization', `Bearer ${token}`], ['authorization', 'Bearer wrong']]), 401, 'two Authorization headers');
    assert.ok(!offline.output().includes('horse'), 'the token never reaches the logs');
  });
});

describe('serverless-offline (stage local) with AUTH_TOKEN set but holding no token', () => {
  let child: ReturnType<typeof spawn> | undefined;
  let output = '';
  let url = '';

  before(async () => {
    const started = await offlineEnv({ PUSHGATEWAY_URL: 'http://127.0.0.1:1', AUTH_TOKEN: ' , ' });
    url = started.url;
    child = spawn(SERVERLESS, ['offline', 'start', '--stage', 'local'], { cwd: PROJECT_ROOT, env: started.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    // Ready when it answers at all: every route, /-/healthy too, is meant to answer 503.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        await rawGet(url, '/-/healthy');
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`serverless-offline did not answer:\n${output}`);
  });
  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('answers 503 on every route, /-/healthy too, with one line naming AUTH_TOKEN, and logs it', async () => {
    for (const target of ['/-/healthy', '/probe?target=service1', '/probes', '/metrics', '/', '/nowhere']) {
      for (const headers of [[], [['Authorization', 'Bearer  , ']], [['Authorization', 'Bearer x']]] as [string, string][][]) {
        const response = await rawGet(url, target, headers);
        assert.equal(response.status, 503, `${target} ${JSON.stringify(headers)}`);
        assert.equal(response.body, 'exporter misconfigured: AUTH_TOKEN holds no token (only commas or white space): give one or more tokens separated by commas, or leave it empty\n');
      }
    }
    assert.match(output, /"msg":"exporter misconfigured: every request answers 503","error":"AUTH_TOKEN holds no token/);
  });
});
