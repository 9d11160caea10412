import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { assertPromtoolClean } from '../support/promtool.ts';

// pushgateway_exporter_check_ins_total (docs/check-ins.md#metrics), in process against a real
// Pushgateway: bounded labels, never the service named.

const KEY = 'metrics-push-key';

const request = (path: string, method = 'GET'): HttpRequest => ({ method, path, query: new URLSearchParams(), headers: {}, requestId: 'req-check-in-metrics' });

const count = (metrics: string, signal: string, outcome: string): number | undefined =>
  sampleValue(metrics, `pushgateway_exporter_check_ins_total{signal="${signal}",outcome="${outcome}"}`);

describe('check-in metrics', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  const runtimes: Runtime[] = [];

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.close()));
    await pushgateway?.stop();
    await dir?.remove();
  });

  async function runtimeWith(env: Record<string, string>): Promise<Runtime> {
    const config = await dir.file(`config-${runtimes.length}.yml`, `pushgateway_url: "${pushgateway.url}"\nservices: [{name: backup}, {name: nightly}]\n`);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: config, LOG_LEVEL: 'error', ...env }, { cwd: '/', writeLog: () => {} });
    runtimes.push(runtime);
    return runtime;
  }

  const metricsOf = async (runtime: Runtime): Promise<string> => (await handleRequest(request('/metrics'), runtime)).body;

  it('has no check-in series while no push key is configured (no /ping route)', async () => {
    const runtime = await runtimeWith({});
    assert.equal((await handleRequest(request(`/ping/${KEY}/backup`), runtime)).status, 404);
    assert.doesNotMatch(await metricsOf(runtime), /check_ins/);
  });

  it('counts from zero, by signal and outcome, promtool-clean', async () => {
    const runtime = await runtimeWith({ PUSH_TOKEN: KEY });
    const before = await metricsOf(runtime);
    assertPromtoolClean(before);
    assert.match(before, /^# TYPE pushgateway_exporter_check_ins_total counter$/m);
    for (const signal of ['success', 'start', 'failure']) {
      for (const outcome of ['pushed', 'push_failed', 'rate_limited', 'unknown_service']) assert.equal(count(before, signal, outcome), 0, `${signal} ${outcome}`);
    }
    for (const outcome of ['invalid', 'unauthorized', 'unavailable']) assert.equal(count(before, 'none', outcome), 0, outcome);

    const statuses = [];
    for (const [path, method] of [
      [`/ping/${KEY}/backup`, 'GET'], [`/ping/${KEY}/backup/start`, 'POST'], [`/ping/${KEY}/backup/fail`, 'HEAD'],
      [`/ping/${KEY}/nightly/0`, 'GET'], [`/ping/${KEY}/nightly/0`, 'GET'], [`/ping/${KEY}/nightly/7`, 'GET'],
      [`/ping/${KEY}/ghost`, 'GET'], [`/ping/${KEY}/backup/256`, 'GET'], [`/ping/${KEY}/backup/log`, 'GET'],
      [`/ping/${KEY}/backup`, 'DELETE'], ['/ping/wrong-key/backup', 'GET'], ['/ping/wrong-key/secret-service-name', 'GET'],
    ] as const) statuses.push((await handleRequest(request(path, method), runtime)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 200, 404, 400, 404, 405, 401, 401]);

    const after = await metricsOf(runtime);
    assertPromtoolClean(after);
    assert.deepEqual(
      [count(after, 'success', 'pushed'), count(after, 'start', 'pushed'), count(after, 'failure', 'pushed')],
      [2, 1, 2],
    );
    assert.equal(count(after, 'success', 'rate_limited'), 1);
    assert.equal(count(after, 'success', 'unknown_service'), 1);
    assert.equal(count(after, 'none', 'invalid'), 3);
    assert.equal(count(after, 'none', 'unauthorized'), 2);
    // A caller without a key cannot make a series: no service name, no key in /metrics.
    assert.doesNotMatch(after, /secret-service-name|ghost|wrong-key|backup|nightly/);
  });

  it('counts a push the Pushgateway did not take as push_failed', async () => {
    const config = await dir.file('unreachable.yml', 'pushgateway_url: "http://127.0.0.1:1"\ntimeout_seconds: 2\nservices: [{name: backup}]\n');
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: config, LOG_LEVEL: 'error', PUSH_TOKEN: KEY }, { cwd: '/', writeLog: () => {} });
    runtimes.push(runtime);
    assert.equal((await handleRequest(request(`/ping/${KEY}/backup/fail`), runtime)).status, 503);
    assert.equal(count(await metricsOf(runtime), 'failure', 'push_failed'), 1);
  });
});
