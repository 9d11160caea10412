import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REAPER_JOB } from '../../lib/core/reap/reaper-metrics.ts';
import { eventually } from '../support/eventually.ts';
import { freePort, getText, PROJECT_ROOT, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

// `npm start` with REAP_SCHEDULE: serverless-offline runs the reaper function on that schedule, as
// EventBridge does in AWS (scripts/serverless-reaper.cjs, docs/operations.md#expiring-dead-groups).
// rate(1 minute) is serverless-offline's `*/1 * * * *`: the first sweep comes at the next minute.
const SERVERLESS = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');

describe('the reaper under serverless-offline (stage local) with REAP_SCHEDULE', () => {
  let pushgateway: RunningProcess;
  let offline: RunningProcess;
  let dir: TempDir;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', 'pushgateway_url: "http://pushgateway:9091"\nexpire_after_seconds: 3600\nservices:\n  - name: backup\n');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      PORT: String(port), OFFLINE_LAMBDA_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'info',
      CONFIG_FILE: config, PUSHGATEWAY_URL: pushgateway.url, REAP_SCHEDULE: 'rate(1 minute)',
    };
    offline = await startProcess(SERVERLESS, ['offline', 'start', '--stage', 'local'], { readyUrl: `${url}/-/healthy`, url, port, env, timeoutMs: 60_000 });
  });
  after(async () => {
    await offline?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('schedules the reaper, and a sweep runs within the minute and pushes its metrics', async () => {
    assert.match(offline.output(), /Scheduling \[reaper\] cron: \[\*\/1 \* \* \* \*\]/);
    const metrics = await eventually(75_000, async () => {
      const body = (await getText(`${pushgateway.url}/metrics`)).body;
      assert.match(body, new RegExp(`job="${REAPER_JOB}"`));
      return body;
    }, 1000);
    assert.match(metrics, /pushgateway_exporter_reaper_last_success_timestamp_seconds\{[^}]*\} [1-9]/);
    assert.match(offline.output(), /Successfully invoked scheduled function: \[reaper\]/);
  });
});
