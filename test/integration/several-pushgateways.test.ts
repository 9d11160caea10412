import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handleRequest } from '../../lib/http/routes.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { startGarbageGateway, startHangingGateway, type BrokenGateway } from '../support/broken-gateways.ts';
import { pushHeartbeat, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { get } from '../support/route-request.ts';

// docs/high-availability.md: several Pushgateways read in parallel and merged; one dead, hung or
// answering garbage is no outage, and per-gateway series say which one is down.

const line = (body: string, prefix: string): string | undefined => body.split('\n').find((text) => text.startsWith(prefix));
const readSuccess = (body: string, url: string): string | undefined => line(body, `probe_pushgateway_read_success{pushgateway="${url}"} `)?.split(' ')[1];

describe('several Pushgateways', () => {
  let a: RunningProcess;
  let b: RunningProcess;
  let c: RunningProcess;
  let hanging: BrokenGateway;
  let garbage: BrokenGateway;
  let dir: TempDir;
  const runtimes: Runtime[] = [];

  /** A runtime on a config naming `urls` (a read's timeout 4 s); reads every 50 ms so each probe sees what was just pushed. */
  async function runtimeOn(urls: readonly string[], services: string, name: string): Promise<Runtime> {
    const yaml = `pushgateway_url:\n${urls.map((url) => `  - "${url}"\n`).join('')}scrape_interval_seconds: 0.05\ntimeout_seconds: 4\nservices:\n${services}`;
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: await dir.file(`${name}.yml`, yaml), LOG_LEVEL: 'error' }, { cwd: '/' });
    runtimes.push(runtime);
    // Loaded before the first probe, so a loaded machine's config parse takes none of its budget.
    await runtime.config.read();
    return runtime;
  }

  before(async () => {
    [a, b, c, hanging, garbage, dir] = await Promise.all([startPushgateway(), startPushgateway(), startPushgateway(), startHangingGateway(), startGarbageGateway(), tempDir()]);
  });
  after(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.close()));
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), hanging?.close(), garbage?.close()]);
    await dir?.remove();
  });

  it('judges a group on two Pushgateways by the newest push_time_seconds, whichever heartbeat it holds', async () => {
    const now = Date.now() / 1000;
    // service-new: the stale heartbeat first (on a), the fresh one later (on b): b's push is newer.
    await pushHeartbeat(a.url, 'service-new', now - 3600);
    await pushHeartbeat(b.url, 'service-new', now);
    // service-old: the fresh heartbeat first (on a), then a stale one (on b): b's later push wins, stale as it is.
    await pushHeartbeat(a.url, 'service-old', now);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pushHeartbeat(b.url, 'service-old', now - 3600);
    const runtime = await runtimeOn([a.url, b.url], '  - {name: service-new, freshness_threshold_seconds: 600}\n  - {name: service-old, freshness_threshold_seconds: 600}\n', 'newest');
    const fresh = await handleRequest(get('/probe', { target: 'service-new' }), runtime);
    assert.match(fresh.body, /^probe_success 1$/m);
    assert.equal(Number(line(fresh.body, 'probe_heartbeat_timestamp_seconds ')?.split(' ')[1]), now);
    const stale = await handleRequest(get('/probe', { target: 'service-old' }), runtime);
    assert.match(stale.body, /^probe_success 0$/m);
    assert.equal(Number(line(stale.body, 'probe_heartbeat_timestamp_seconds ')?.split(' ')[1]), now - 3600);
    assert.equal(readSuccess(fresh.body, a.url), '1');
    assert.equal(readSuccess(fresh.body, b.url), '1');
  });

  it('keeps probes right with one Pushgateway killed, one hung and one answering garbage, and names each', async () => {
    const now = Date.now() / 1000;
    await pushHeartbeat(c.url, 'survivor', now);
    const runtime = await runtimeOn([b.url, c.url, hanging.url, garbage.url], '  - {name: survivor, freshness_threshold_seconds: 600}\n', 'broken');
    // b answers at first, then its process is killed: the probe after it must not care.
    const before = await handleRequest(get('/probe', { target: 'survivor' }), runtime);
    assert.match(before.body, /^probe_success 1$/m);
    await b.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const probe = await handleRequest(get('/probe', { target: 'survivor' }), runtime);
    assert.equal(probe.status, 200);
    assert.match(probe.body, /^probe_success 1$/m);
    assert.match(probe.body, /^probe_pushgateway_up 1$/m, 'the answer came from a successful read of c');
    assert.equal(readSuccess(probe.body, b.url), '0', 'killed');
    assert.equal(readSuccess(probe.body, c.url), '1');
    assert.equal(readSuccess(probe.body, hanging.url), '0', 'hung: timed out');
    assert.equal(readSuccess(probe.body, garbage.url), '0', 'garbage');

    const all = await handleRequest(get('/probes'), runtime);
    assert.match(all.body, /^probe_success\{service="survivor"\} 1$/m);
    assert.equal(readSuccess(all.body, c.url), '1');
    assert.equal(readSuccess(all.body, garbage.url), '0');

    const metrics = (await handleRequest(get('/metrics'), runtime)).body;
    assert.match(metrics, new RegExp(`^pushgateway_exporter_pushgateway_up\\{pushgateway="${c.url}"\\} 1$`, 'm'));
    for (const down of [b.url, hanging.url, garbage.url]) assert.match(metrics, new RegExp(`^pushgateway_exporter_pushgateway_up\\{pushgateway="${down}"\\} 0$`, 'm'));
    assert.match(metrics, new RegExp(`^pushgateway_exporter_pushgateway_reads_total\\{pushgateway="${garbage.url}",outcome="bad_response"\\} [1-9]`, 'm'));

    const status = JSON.parse((await handleRequest(get('/', { format: 'json' }), runtime)).body) as { pushgateway_up: boolean; pushgateways: { pushgateway: string; up: boolean }[] };
    assert.equal(status.pushgateway_up, true);
    assert.deepEqual(status.pushgateways.map((gateway) => [gateway.pushgateway, gateway.up]), [[b.url, false], [c.url, true], [hanging.url, false], [garbage.url, false]]);
    const debug = (await handleRequest(get('/probe', { target: 'survivor', debug: 'true' }), runtime)).body;
    assert.match(debug, new RegExp(`pushgateway ${garbage.url}: read failed: .*unparsable`));
  });

  it('reads only a sharded service\'s own Pushgateways: a hung one outside its shard is never asked', async () => {
    const now = Date.now() / 1000;
    await pushHeartbeat(c.url, 'sharded', now);
    const shy = await startHangingGateway();
    try {
      const runtime = await runtimeOn([c.url, shy.url], `  - {name: sharded, freshness_threshold_seconds: 600, pushgateways: ["${c.url}"]}\n`, 'shard');
      const probe = await handleRequest(get('/probe', { target: 'sharded' }), runtime);
      assert.match(probe.body, /^probe_success 1$/m);
      assert.equal(readSuccess(probe.body, c.url), '1');
      assert.equal(readSuccess(probe.body, shy.url), undefined, 'not part of the answer');
      assert.equal(shy.connections(), 0, 'the hung Pushgateway was never read');
    } finally {
      await shy.close();
    }
  });

  it('answers every Pushgateway down as an outage only when all of them are', async () => {
    const runtime = await runtimeOn([hanging.url, garbage.url], '  - {name: nobody}\n', 'all-down');
    const probe = await handleRequest(get('/probe', { target: 'nobody' }), runtime);
    assert.match(probe.body, /^probe_pushgateway_up 0$/m);
    assert.match(probe.body, /^probe_state\{state="unreachable"\} 1$/m);
  });
});
