import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, pushHeartbeat, startOffline, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { heartbeatLoop, query, startPrometheus, waitForValue } from '../support/prometheus-server.ts';

describe('Prometheus with the seed job scrapes the exporter (end to end)', () => {
  let pushgateway: RunningProcess;
  let exporter: RunningProcess;
  let prometheus: RunningProcess;
  let dir: TempDir;
  let pusher: { stop(): Promise<void> } | undefined;

  before(async () => {
    dir = await tempDir('pgx-e2e-');
    pushgateway = await startPushgateway();
    // The seed config.yml, unchanged; PUSHGATEWAY_URL points it at this test's Pushgateway.
    exporter = await startOffline({ CONFIG_FILE: join(PROJECT_ROOT, 'config.yml'), PUSHGATEWAY_URL: pushgateway.url });
    const seedJob = await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'prometheus-seed-job.yml'), 'utf8');
    const job = seedJob.replace('replacement: pushgateway-exporter:9116', `replacement: 127.0.0.1:${exporter.port}`);
    assert.notEqual(job, seedJob);
    prometheus = await startPrometheus(dir, `global:\n  scrape_interval: 5s\nscrape_configs:\n${job}`);
    pusher = heartbeatLoop(() => pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000));
  });

  after(async () => {
    await pusher?.stop().catch(() => undefined);
    await prometheus?.stop();
    await exporter?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('records probe_success 1 for the live loop, 0 for the silent one, and up 1 for both targets', async () => {
    await waitForValue(prometheus.url, 'probe_success{instance="service1",job="ping-microservices-loops"}', '1', 40_000);
    await waitForValue(prometheus.url, 'probe_success{instance="service2",job="ping-microservices-loops"}', '0', 20_000);
    const up = await query(prometheus.url, 'up{job="ping-microservices-loops"}');
    assert.deepEqual(up.map((r) => [r.metric.instance, r.value[1]]).sort(), [['service1', '1'], ['service2', '1']]);
    const found = await query(prometheus.url, 'probe_heartbeat_found{instance="service2"}');
    assert.equal(found[0]?.value[1], '0');
  });

  it('records probe_success 0 after the loop stops pushing', async () => {
    await pusher?.stop();
    const stoppedAt = Date.now();
    // The README's promise: within freshness_threshold_seconds (5) + scrape_interval_seconds (3) + one scrape interval (5).
    await waitForValue(prometheus.url, 'probe_success{instance="service1"}', '0', 30_000);
    const elapsedSeconds = (Date.now() - stoppedAt) / 1000;
    process.stdout.write(`# probe_success fell to 0 ${elapsedSeconds.toFixed(1)} s after the last push\n`);
    // The SPEC bound, plus room for this test's 0.5 s polling and a loaded machine.
    assert.ok(elapsedSeconds <= 13 + 5, `probe_success took ${elapsedSeconds.toFixed(1)} s to fall to 0`);
  });
});
