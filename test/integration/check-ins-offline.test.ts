import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_CHECK_IN_BODY_BYTES } from '../../lib/core/push/check-in.ts';
import { send } from '../support/check-in-server.ts';
import { freePort, getText, PROJECT_ROOT, sampleValue, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { stateOf } from '../support/probe-state.ts';

// Check-ins under serverless-offline (the local stage of `npm start`) from the built bundle:
// serverless.yml maps PUSH_TOKEN into the handler's environment (docs/check-ins.md).
const SERVERLESS = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');
const KEY = 'offline-push-key';

describe('check-ins under serverless-offline (stage local)', () => {
  let pushgateway: RunningProcess;
  let offline: RunningProcess;
  let dir: TempDir;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', 'pushgateway_url: "http://pushgateway:9091"\nscrape_interval_seconds: 1\nservices:\n  - name: backup\n    freshness_threshold_seconds: 3600\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port), OFFLINE_LAMBDA_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'debug',
      CONFIG_FILE: config, PUSHGATEWAY_URL: pushgateway.url, PUSH_TOKEN: KEY,
    };
    offline = await startProcess(SERVERLESS, ['offline', 'start', '--stage', 'local'], { readyUrl: `${url}/-/healthy`, url, port, env, timeoutMs: 60_000 });
  });
  after(async () => {
    await offline?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  async function probeState(): Promise<string | undefined> {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    return stateOf((await getText(`${offline.url}/probe?target=backup`)).body);
  }

  it('serves the same check-ins as the function URL: /fail → failed, /start, then a plain ping → up', async () => {
    const fail = await send(offline.url, `/ping/${KEY}/backup/fail`);
    assert.deepEqual([fail.status, fail.body], [200, 'OK\n']);
    assert.equal(await probeState(), 'failed');
    assert.equal((await send(offline.url, `/ping/${KEY}/backup/start`, { method: 'POST', body: Buffer.from('started\n') })).status, 200);
    assert.equal((await send(offline.url, `/ping/${KEY}/backup/0`, { method: 'HEAD' })).status, 200);
    assert.equal(await probeState(), 'up');
  });

  it('answers a wrong key 401, a bad exit code 400, an oversized body 413 before reading it', async () => {
    assert.equal((await send(offline.url, '/ping/wrong/backup')).status, 401);
    assert.equal((await send(offline.url, '/ping/backup', { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await send(offline.url, `/ping/${KEY}/backup/256`)).status, 400);
    // Content-Length says 8 MB, 1 KB of it sent: answered without waiting for the rest.
    const big = await send(offline.url, `/ping/${KEY}/backup`, { method: 'POST', body: Buffer.alloc(1024, 97), declaredLength: 8 * 1024 * 1024 });
    assert.equal(big.status, 413);
    // Chunked, under serverless-offline's own 1 MB read: the handler counts the event's body.
    const chunked = await send(offline.url, `/ping/${KEY}/backup`, { method: 'POST', body: [Buffer.alloc(MAX_CHECK_IN_BODY_BYTES), Buffer.alloc(1)] });
    assert.equal(chunked.status, 413);
  });

  it('counts them in /metrics, in the warm worker that served them one after the other', async () => {
    const metrics = (await getText(`${offline.url}/metrics`)).body;
    const count = (signal: string, outcome: string): number | undefined =>
      sampleValue(metrics, `pushgateway_exporter_check_ins_total{signal="${signal}",outcome="${outcome}"}`);
    assert.deepEqual([count('success', 'pushed'), count('start', 'pushed'), count('failure', 'pushed')], [1, 1, 1], metrics);
    assert.equal(count('none', 'unauthorized'), 2, metrics);
  });

  it('lets no key reach the output of npm start: neither the exporter\'s log nor serverless-offline\'s request lines', () => {
    const output = offline.output();
    assert.match(output, /^ANY \/ping\/<redacted>\/backup\/start \(λ: probe\)$/m);
    assert.match(output, /"path":"\/ping\/<redacted>\/backup\/fail"/);
    assert.deepEqual(output.split('\n').filter((line) => line.includes(KEY)), []);
  });
});
