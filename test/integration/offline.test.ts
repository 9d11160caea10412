import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  getText, pushHeartbeat, sampleValue, startOffline, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';
import { rawGet } from '../support/raw-http.ts';

/** Polls `probe` until `accept` holds, up to `timeoutMs`; returns the last body either way. */
async function pollProbe(url: string, accept: (body: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let body = '';
  while (Date.now() < deadline) {
    body = (await getText(url)).body;
    if (accept(body)) return body;
    await sleep(250);
  }
  // A poll that runs out fails here, with the last answer, rather than handing it on as if accepted.
  throw new Error(`no accepted answer from ${url} within ${timeoutMs} ms; the last one:\n${body}`);
}

describe('npm start (serverless-offline) with a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  let exporter: RunningProcess;
  let dir: TempDir;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    // pushgateway_url points nowhere useful: PUSHGATEWAY_URL from the environment must win.
    const config = await dir.file('config.yml', `pushgateway_url: "http://pushgateway:9091"
scrape_interval_seconds: 1
max_stale_seconds: 2
services:
  - name: service1
    freshness_threshold_seconds: 2
  - name: service2
    freshness_threshold_seconds: 2
`);
    exporter = await startOffline({ CONFIG_FILE: config, PUSHGATEWAY_URL: pushgateway.url });
  });
  after(async () => {
    await exporter?.stop();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('serves /-/healthy on PORT', async () => {
    const response = await getText(`${exporter.url}/-/healthy`);
    assert.deepEqual([response.status, response.body], [200, 'OK\n']);
  });

  it('reports a live loop as up, and down once it stops pushing', async () => {
    const probeUrl = `${exporter.url}/probe?target=service1`;
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    const up = await pollProbe(probeUrl, (body) => sampleValue(body, 'probe_success') === 1, 10_000);
    assert.equal(sampleValue(up, 'probe_success'), 1, up);
    assert.equal(sampleValue(up, 'probe_pushgateway_up'), 1);
    // The loop stops: within threshold (2 s) + cache interval (1 s) the probe must fail.
    const down = await pollProbe(probeUrl, (body) => sampleValue(body, 'probe_success') === 0, 15_000);
    assert.equal(sampleValue(down, 'probe_success'), 0, down);
    assert.equal(sampleValue(down, 'probe_heartbeat_found'), 1);
    assert.ok((sampleValue(down, 'probe_heartbeat_age_seconds') ?? 0) > 2);
  });

  it('answers the HTTP contract through the emulated function URL', async () => {
    const probe = await getText(`${exporter.url}/probe?target=service2`);
    assert.equal(probe.status, 200);
    assert.equal(probe.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(sampleValue(probe.body, 'probe_heartbeat_found'), 0);
    const missing = await getText(`${exporter.url}/probe`);
    assert.deepEqual([missing.status, missing.body], [400, 'missing target parameter: use /probe?target=NAME\n']);
    const unknown = await getText(`${exporter.url}/probe?target=%3Cscript%3E%0A`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /^unknown target "<script>\\n": not a configured service/);
    const post = await getText(`${exporter.url}/probe?target=service1`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const other = await getText(`${exporter.url}/nothing/here`);
    assert.equal(other.status, 404);
    const debug = await getText(`${exporter.url}/probe?target=service1&debug=true`);
    assert.equal(debug.status, 200);
    assert.match(debug.body, /^State: /m);
  });

  it('serves the status page at / and its JSON, as the function URL does', async () => {
    const page = await getText(`${exporter.url}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(page.body, /<tr data-service="service2" data-state="never">/);
    const json = await getText(`${exporter.url}/?format=json`);
    assert.equal(json.status, 200);
    const report = JSON.parse(json.body) as { services: { name: string }[] };
    assert.deepEqual(report.services.map((service) => service.name), ['service1', 'service2']);
  });

  it('matches paths exactly as sent, as the function URL does: never another route for //probe, /probe/, /./probe, /%70robe, /probe;x', async () => {
    // serverless-offline itself strips a trailing slash, drops dot segments and decodes %70: these
    // reached /probe before scripts/serverless-offline-exact-paths.cjs.
    for (const target of ['//probe', '/probe/', '/./probe', '/x/../probe', '/%70robe', '/probe;x', '/probe%3Bx', '//', '/-/healthy/', '/.', '/%2D/healthy']) {
      const response = await rawGet(exporter.url, `${target}?target=service1`);
      assert.equal(response.status, 404, `${target}: ${response.body}`);
      assert.match(response.body, /^not found: "[^"\n]*"[^\n]*\n$/, target);
    }
    assert.equal((await rawGet(exporter.url, '/probe?target=service1')).status, 200);
    assert.equal((await rawGet(exporter.url, '/-/healthy')).status, 200);
  });

  it('keeps answering 200 with probe_pushgateway_up 0 when the Pushgateway is killed', async () => {
    await pushgateway.stop();
    const probeUrl = `${exporter.url}/probe?target=service1`;
    const body = await pollProbe(probeUrl, (b) => sampleValue(b, 'probe_pushgateway_up') === 0, 10_000);
    assert.equal(sampleValue(body, 'probe_pushgateway_up'), 0, body);
    assert.equal(sampleValue(body, 'probe_success'), 0);
    const response = await getText(probeUrl, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '2' } });
    assert.equal(response.status, 200);
    assert.match(exporter.output(), /"msg":"pushgateway read failed".*"code":"PUSHGATEWAY_UNREACHABLE"/);
  });
});
