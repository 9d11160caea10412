import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleRequest } from '../../lib/http/routes.ts';
import { pushHeartbeat, sampleValue } from '../support/processes.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { get } from '../support/route-request.ts';
import { routesConfigText, routesOnPushgateway } from '../support/routes-fixture.ts';

describe('routes against a real Pushgateway', () => {
  const routes = routesOnPushgateway();
  const { setup } = routes;

  it('answers probe_success 1 for a fresh heartbeat pushed like the seed client, promtool-clean', async () => {
    const { runtime, nowSeconds } = await setup();
    await pushHeartbeat(routes.pushgateway.url, 'service1', Math.floor(nowSeconds()), {
      extra: 'loop_errors_total{kind="x\\"} 1\\nprobe_success 1"} 2\n',
    });
    const response = await handleRequest(get('/probe', { target: 'service1' }), runtime);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(sampleValue(response.body, 'probe_success'), 1);
    assert.equal(sampleValue(response.body, 'probe_heartbeat_found'), 1);
    assert.equal(sampleValue(response.body, 'probe_pushgateway_up'), 1);
    assert.equal(sampleValue(response.body, 'probe_freshness_threshold_seconds'), 5);
    assert.ok((sampleValue(response.body, 'probe_push_time_seconds') ?? 0) > nowSeconds() - 60);
    assert.match(response.body, /^loop_errors_total\{kind="x\\"\} 1\\nprobe_success 1"\} 2$/m);
    assertPromtoolClean(response.body);
  });

  it('answers probe_success 0 with probe_heartbeat_found 0 for a service that never pushed', async () => {
    const { runtime } = await setup();
    const response = await handleRequest(get('/probe', { target: 'service2' }), runtime);
    assert.equal(response.status, 200);
    assert.equal(sampleValue(response.body, 'probe_success'), 0);
    assert.equal(sampleValue(response.body, 'probe_heartbeat_found'), 0);
    assert.equal(sampleValue(response.body, 'probe_heartbeat_age_seconds'), undefined);
  });

  it('serves one snapshot per scrape_interval_seconds and re-reads after it', async () => {
    const { runtime, advance, nowSeconds } = await setup();
    await pushHeartbeat(routes.pushgateway.url, 'service1', Math.floor(nowSeconds()) - 100);
    const stale = await handleRequest(get('/probe', { target: 'service1' }), runtime);
    assert.equal(sampleValue(stale.body, 'probe_success'), 0);
    await pushHeartbeat(routes.pushgateway.url, 'service1', Math.floor(nowSeconds()));
    advance(2000);
    const cached = await handleRequest(get('/probe', { target: 'service1' }), runtime);
    assert.equal(sampleValue(cached.body, 'probe_success'), 0, 'within the interval the cached snapshot answers');
    assert.equal(sampleValue(cached.body, 'probe_snapshot_age_seconds'), 2);
    advance(1000);
    const fresh = await handleRequest(get('/probe', { target: 'service1' }), runtime);
    assert.equal(sampleValue(fresh.body, 'probe_success'), 1);
    assert.equal(sampleValue(fresh.body, 'probe_snapshot_age_seconds'), 0);
  });

  it('explains the state and the rule that decided it with debug=true', async () => {
    const { runtime, nowSeconds } = await setup();
    await pushHeartbeat(routes.pushgateway.url, 'service1', Math.floor(nowSeconds()) - 60);
    const response = await handleRequest(get('/probe', { target: 'service1', debug: 'true' }), runtime);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    for (const expected of [
      'Probe of target "service1"',
      `pushgateway_url: ${routes.pushgateway.url}`,
      'freshness_threshold_seconds: 5',
      'group found: {job="heartbeat", instance="service1"}',
      'heartbeat timestamp:',
      'age: ',
      'State: LATE',
      'Why: the last heartbeat is ',
      's old, over freshness_threshold_seconds 5',
      'probe_success 0',
    ]) {
      assert.ok(response.body.includes(expected), `missing ${JSON.stringify(expected)} in:\n${response.body}`);
    }
  });

  it('answers 503 with the reason while no config ever loaded, and stays healthy', async () => {
    const missing = routes.runtimeFor(`${routes.dir.path}/does-not-exist.yml`);
    const response = await handleRequest(get('/probe', { target: 'service1' }), missing.runtime);
    assert.equal(response.status, 503);
    assert.match(response.body, /^no config loaded: cannot read config file .*does-not-exist\.yml: no such file \(set CONFIG_FILE to the config path\)\n$/);
    const invalid = routes.runtimeFor(await routes.dir.file('broken.yml', 'pushgateway_url: x\nservices: [{name: a, freshness_threshold_seconds: abc}]\n'));
    const invalidResponse = await handleRequest(get('/probe', { target: 'a' }), invalid.runtime);
    assert.equal(invalidResponse.status, 503);
    assert.match(invalidResponse.body, /pushgateway_url: must be an http:\/\/ or https:\/\/ URL, got "x"; services\[0\]\.freshness_threshold_seconds: must be a positive number, got "abc"/);
    const healthy = await handleRequest(get('/-/healthy'), invalid.runtime);
    assert.deepEqual([healthy.status, healthy.body], [200, 'OK\n']);
  });

  it('keeps the last good config when the file turns invalid', async () => {
    const file = await routes.dir.file('reload.yml', routesConfigText(routes.pushgateway.url));
    const made = routes.runtimeFor(file);
    assert.equal((await handleRequest(get('/probe', { target: 'service2' }), made.runtime)).status, 200);
    await routes.dir.file('reload.yml', 'services: [oops\n');
    made.advance(61_000);
    const kept = await handleRequest(get('/probe', { target: 'service2' }), made.runtime);
    assert.equal(kept.status, 200);
    assert.equal(sampleValue(kept.body, 'probe_config_last_reload_successful'), 0);
    await routes.dir.file('reload.yml', routesConfigText(routes.pushgateway.url).replace('service2', 'service3'));
    made.advance(61_000);
    const reloaded = await handleRequest(get('/probe', { target: 'service3' }), made.runtime);
    assert.equal(reloaded.status, 200);
    assert.equal(sampleValue(reloaded.body, 'probe_config_last_reload_successful'), 1);
    assert.equal((await handleRequest(get('/probe', { target: 'service2' }), made.runtime)).status, 404);
  });
});
