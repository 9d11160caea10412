import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, sampleValue, startOffline, startProcess, startPushgateway, tempDir,
  type RunningProcess, type TempDir,
} from '../support/processes.ts';

const run = promisify(execFile);
const BUILDS = 3;

describe('a build beside a running stack (npm start and npm run serve keep answering)', () => {
  let pushgateway: RunningProcess;
  let offline: RunningProcess;
  let server: RunningProcess;
  let dir: TempDir;
  let config: string;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    config = await dir.file('config.yml', `pushgateway_url: "${pushgateway.url}"
scrape_interval_seconds: 1
services:
  - name: service1
    freshness_threshold_seconds: 3600
`);
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    offline = await startOffline({ CONFIG_FILE: config, LOG_LEVEL: 'warn' });
    const port = await freePort();
    server = await startProcess(process.execPath, ['dist/server/server.mjs'], {
      readyUrl: `http://127.0.0.1:${port}/-/healthy`, url: `http://127.0.0.1:${port}`, port,
      env: { CONFIG_FILE: config, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    });
  });
  after(async () => {
    await server?.stop();
    await offline?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('answers every probe and CLI call correctly while the bundle is rebuilt in a loop', async () => {
    const failures: string[] = [];
    let answered = 0;
    let building = true;
    const probe = async (base: string) => {
      try {
        const { status, body } = await getText(`${base}/probe?target=service1`);
        if (status !== 200 || sampleValue(body, 'probe_success') !== 1) failures.push(`${base}: HTTP ${status} ${body.slice(0, 200)}`);
        else answered += 1;
      } catch (error) {
        failures.push(`${base}: ${String(error)}`);
      }
    };
    const cli = async () => {
      try {
        await run(process.execPath, ['dist/cli/pushgateway-exporter.mjs', 'check-config', config], { cwd: PROJECT_ROOT });
        answered += 1;
      } catch (error) {
        failures.push(`cli: ${String(error).slice(0, 300)}`);
      }
    };
    // Concurrent probes make serverless-offline start new workers, which load dist/probe.mjs afresh.
    const traffic = (async () => {
      while (building) await Promise.all([probe(offline.url), probe(offline.url), probe(offline.url), probe(server.url), cli()]);
    })();
    try {
      for (let build = 0; build < BUILDS; build++) await run(process.execPath, ['scripts/build.mjs'], { cwd: PROJECT_ROOT });
    } finally {
      building = false;
      await traffic;
    }
    assert.deepEqual(failures, []);
    assert.ok(answered >= BUILDS * 5, `only ${answered} answers during ${BUILDS} builds`);
  });
});
