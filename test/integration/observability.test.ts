import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { freePort, pushHeartbeat, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { forceGc } from '../support/force-gc.ts';

const get = (path: string, query = '', headers: Record<string, string> = {}): HttpRequest => ({
  method: 'GET', path, query: new URLSearchParams(query), headers, requestId: 'req-test-1',
});

interface LogLine { level: string; msg: string; [field: string]: unknown }

describe('logs, self-metrics and load', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  let proxy: Server;
  let proxyUrl = '';
  let metricsReads = 0;
  const runtimes: Runtime[] = [];

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    // Counts the exporter's GET /metrics reads on their way to the real Pushgateway.
    proxy = createServer((request, response) => {
      if (request.url === '/metrics') metricsReads += 1;
      void fetch(`${pushgateway.url}${request.url ?? '/'}`).then(async (upstream) => {
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' });
        response.end(Buffer.from(await upstream.arrayBuffer()));
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await Promise.all(runtimes.map((e) => e.close()));
    proxy.closeAllConnections();
    proxy.close();
    await pushgateway.stop();
    await dir.remove();
  });

  async function runtimeWith(config: string, env: Record<string, string> = {}): Promise<{ runtime: Runtime; logs: LogLine[] }> {
    const logs: LogLine[] = [];
    const file = await dir.file(`config-${runtimes.length}.yml`, config);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'info', ...env }, { cwd: '/', writeLog: (line) => logs.push(JSON.parse(line) as LogLine) });
    runtimes.push(runtime);
    return { runtime, logs };
  }

  it('logs one JSON line per request with its id, route, target, status, state, cache use and duration (healthy ones at debug)', async () => {
    const { runtime, logs } = await runtimeWith(`pushgateway_url: "${proxyUrl}"\nservices: [{name: service1}]\n`, { LOG_LEVEL: 'debug' });
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    await handleRequest(get('/probe', 'target=service1'), runtime);
    await handleRequest(get('/probe', 'target=service1'), runtime);
    await handleRequest(get('/probe', `target=${'x'.repeat(10_000)}`), runtime);
    const requests = logs.filter((line) => line.msg === 'request');
    assert.equal(requests.length, 3);
    assert.deepEqual(
      { ...requests[0], timestamp: undefined, duration_seconds: undefined },
      { timestamp: undefined, level: 'debug', msg: 'request', request_id: 'req-test-1', method: 'GET', route: '/probe', path: '/probe', status: 200, duration_seconds: undefined, target: 'service1', state: 'up', success: true, cache_hit: false, pushgateway_up: true },
    );
    assert.equal(typeof requests[0]?.duration_seconds, 'number');
    assert.equal(requests[1]?.cache_hit, true);
    assert.equal(requests[2]?.status, 404);
    const reads = logs.filter((line) => line.msg === 'pushgateway read');
    assert.equal(reads.length, 1);
    assert.equal(reads[0]?.outcome, 'success');
    assert.ok(Number(reads[0]?.bytes) > 0);
    assert.ok(logs.some((line) => line.msg === 'config loaded' && line.outcome === 'success'));
  });

  it('never logs credentials: the Pushgateway URL password, bearer tokens, Authorization headers', async () => {
    const { runtime, logs } = await runtimeWith('pushgateway_url: "http://scraper:pg-password-123@127.0.0.1:1"\nservices: [{name: service1}]\n', { AUTH_TOKEN: 'token-abc-456', LOG_LEVEL: 'debug' });
    await handleRequest(get('/probe', 'target=service1', { authorization: 'Bearer token-abc-456' }), runtime);
    await handleRequest(get('/probe', 'target=service1', { authorization: 'Bearer wrong-token-789' }), runtime);
    const debug = await handleRequest(get('/probe', 'target=service1&debug=true', { authorization: 'Bearer token-abc-456' }), runtime);
    const all = `${logs.map((line) => JSON.stringify(line)).join('\n')}\n${debug.body}`;
    assert.ok(all.includes('http://redacted@127.0.0.1:1'), 'the URL is shown, redacted');
    for (const secret of ['pg-password-123', 'scraper', 'token-abc-456', 'wrong-token-789', 'Bearer']) {
      assert.ok(!all.includes(secret), `leaked ${secret}`);
    }
  });

  it('serves its own metrics on /metrics, promtool-clean, counting reads, reloads and probes', async () => {
    const { runtime } = await runtimeWith(`pushgateway_url: "${proxyUrl}"\nservices: [{name: service1}, {name: service2}]\n`);
    await handleRequest(get('/probe', 'target=service1'), runtime);
    await handleRequest(get('/probe', 'target=service2'), runtime);
    await handleRequest(get('/probes'), runtime);
    const response = await handleRequest(get('/metrics'), runtime);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assertPromtoolClean(response.body);
    for (const line of [
      `pushgateway_exporter_pushgateway_reads_total{pushgateway="${proxyUrl}",outcome="success"} 1`,
      `pushgateway_exporter_pushgateway_reads_total{pushgateway="${proxyUrl}",outcome="unreachable"} 0`,
      `pushgateway_exporter_pushgateway_up{pushgateway="${proxyUrl}"} 1`,
      'pushgateway_exporter_pushgateway_read_duration_seconds_count 1',
      'pushgateway_exporter_config_reloads_total{outcome="success"} 1',
      'pushgateway_exporter_config_last_reload_successful 1',
      'pushgateway_exporter_probes_total{route="/probe",result="success"} 1',
      'pushgateway_exporter_probes_total{route="/probe",result="failure"} 1',
      'pushgateway_exporter_probes_total{route="/probes",result="failure"} 1',
    ]) {
      assert.ok(response.body.includes(`${line}\n`), `missing ${line} in\n${response.body}`);
    }
    assert.match(response.body, /^process_resident_memory_bytes \d+/m);
    assert.match(response.body, /^pushgateway_exporter_snapshot_age_seconds [\d.e-]+$/m);
  });

  it('answers 500 concurrent probes with one Pushgateway read per cache interval, all 200, memory bounded', async () => {
    let now = Date.now();
    const logs: LogLine[] = [];
    const file = await dir.file('load.yml', `pushgateway_url: "${proxyUrl}"\nscrape_interval_seconds: 60\nservices: [{name: service1}, {name: service2}]\n`);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error' }, { cwd: '/', clock: () => now, writeLog: (line) => logs.push(JSON.parse(line) as LogLine) });
    runtimes.push(runtime);
    await pushHeartbeat(pushgateway.url, 'service1', now / 1000);
    const burst = () => Promise.all(Array.from({ length: 500 }, (_, i) => handleRequest(get('/probe', `target=service${(i % 2) + 1}`), runtime)));
    forceGc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const interval of [1, 2]) {
      const readsBefore = metricsReads;
      const responses = await burst();
      assert.ok(responses.every((response) => response.status === 200), `interval ${interval}`);
      assert.equal(responses.filter((response) => response.body.includes('probe_success 1\n')).length, 250, `interval ${interval}`);
      assert.equal(metricsReads - readsBefore, 1, `one shared read in interval ${interval}`);
      now += 60_000;
      await pushHeartbeat(pushgateway.url, 'service1', now / 1000);
    }
    forceGc();
    const heapGrowthMB = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    assert.ok(heapGrowthMB < 32, `heap grew ${heapGrowthMB.toFixed(1)} MB over 1,000 probes`);
    assert.deepEqual(logs, [], 'no error logged');
  });
});
