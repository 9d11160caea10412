import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { send, startCheckInServer, type CheckInServer } from '../support/check-in-server.ts';
import { eventually } from '../support/eventually.ts';
import { PROJECT_ROOT, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { startPrometheus } from '../support/prometheus-server.ts';

// A real Prometheus with the seed job and local/alerts.yml, scraping the exporter (node:http
// adapter) whose only input is check-ins: a `/fail` fires HeartbeatDown naming the failed state
// (docs/check-ins.md).

const KEY = 'e2e-push-key';

interface Alert { labels: Record<string, string>; annotations: Record<string, string>; state: string }

async function alerts(prometheusUrl: string): Promise<Alert[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/alerts`);
  const body = (await response.json()) as { status: string; data: { alerts: Alert[] } };
  assert.equal(body.status, 'success');
  return body.data.alerts;
}

describe('a Prometheus alert from check-ins (end to end)', () => {
  let pushgateway: RunningProcess;
  let prometheus: RunningProcess;
  let server: CheckInServer;
  let dir: TempDir;

  before(async () => {
    dir = await tempDir('pgx-e2e-');
    pushgateway = await startPushgateway();
    // The seed config.yml, unchanged (service1 and service2, 5 s thresholds), at this test's Pushgateway.
    server = await startCheckInServer({ CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), PUSHGATEWAY_URL: pushgateway.url, PUSH_TOKEN: KEY, LOG_LEVEL: 'error' });
    const seedJob = await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'prometheus-seed-job.yml'), 'utf8');
    const job = seedJob.replace('replacement: pushgateway-exporter:9116', `replacement: ${new URL(server.url).host}`);
    assert.notEqual(job, seedJob);
    prometheus = await startPrometheus(dir, [
      'global:\n  scrape_interval: 5s\n  evaluation_interval: 1s\n',
      `rule_files:\n  - ${join(PROJECT_ROOT, 'local', 'alerts.yml')}\n`,
      `scrape_configs:\n${job}`,
    ].join(''));
  });
  after(async () => {
    await prometheus?.stop();
    await server?.close();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('fires HeartbeatDown for service1 with state failed after a /fail check-in, and not before', async () => {
    // Alive through check-ins first: no alert for service1 while it pings.
    const deadline = Date.now() + 12_000;
    while (Date.now() < deadline) {
      assert.equal((await send(server.url, `/ping/${KEY}/service1`)).status, 200);
      await sleep(1100);
    }
    assert.ok(!(await alerts(prometheus.url)).some((alert) => alert.labels.alertname === 'HeartbeatDown' && alert.labels.instance === 'service1'));

    assert.equal((await send(server.url, `/ping/${KEY}/service1/fail`)).status, 200);
    const fired = await eventually(60_000, async () => {
      const alert = (await alerts(prometheus.url)).find((candidate) => candidate.labels.alertname === 'HeartbeatDown' && candidate.labels.instance === 'service1');
      assert.equal(alert?.state, 'firing');
      return alert;
    }, 1000);
    assert.equal(fired?.annotations.summary, 'Heartbeat of service1 is down (failed)');
  });
});
