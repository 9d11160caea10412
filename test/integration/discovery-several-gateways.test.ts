import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { handleRequest } from '../../lib/http/routes.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { get } from '../support/route-request.ts';

// discover_services over two real Pushgateways (docs/high-availability.md#how-gateways-are-merged,
// docs/discovery.md): a service pushed only to the second is discovered; one pushed to both is
// listed once. A Pushgateway a config reload removes leaves /metrics.

const TOKEN = 'sd-two-token';
const AUTH = { authorization: `Bearer ${TOKEN}`, host: 'exporter.test:9116' };

let first: RunningProcess;
let second: RunningProcess;
let dir: TempDir;
let runtime: Runtime;

async function push(gateway: RunningProcess, job: string, instance: string, service?: string): Promise<void> {
  const labels = service === undefined ? '' : `{service="${service}"}`;
  const body = `loop_heartbeat_timestamp_seconds${labels} ${Date.now() / 1000}\n`;
  const response = await fetch(`${gateway.url}/metrics/job/${job}/instance/${instance}`, { method: 'PUT', body });
  assert.ok(response.ok, `push ${instance}: ${response.status}`);
}

const servicesIn = (exposition: string): string[] => [...exposition.matchAll(/^probe_success\{service="([^"]*)"\}/gm)].map((match) => match[1] as string);

describe('discover_services over two real Pushgateways', () => {
  before(async () => {
    [first, second] = await Promise.all([startPushgateway(), startPushgateway()]);
    dir = await tempDir();
    await push(first, 'heartbeat', 'on-both');
    await push(second, 'heartbeat', 'on-both');
    await push(second, 'heartbeat', 'second-only');
    await push(first, 'workers', 'replica-1', 'labelled');
    await push(second, 'workers', 'replica-1', 'labelled');
    await push(first, 'heartbeat', 'configured');
    const configFile = await dir.file('config.yml', [
      `pushgateway_url: [${first.url}, ${second.url}]`, 'discover_services: true', 'services:', '  - name: configured', '',
    ].join('\n'));
    runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error', AUTH_TOKEN: TOKEN }, { cwd: '/' });
  });
  after(async () => {
    await runtime?.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await dir?.remove();
  });

  it('lists each service once in /sd and /probes, the configured one first and not as discovered', async () => {
    const sd = await handleRequest(get('/sd', {}, AUTH), runtime);
    assert.equal(sd.status, 200, sd.body);
    const groups = JSON.parse(sd.body) as { labels: Record<string, string> }[];
    assert.deepEqual(groups.map((group) => [group.labels.service, group.labels.discovered ?? 'configured']), [
      ['configured', 'configured'], ['labelled', 'true'], ['on-both', 'true'], ['second-only', 'true'],
    ]);
    const probes = await handleRequest(get('/probes', {}, AUTH), runtime);
    assert.equal(probes.status, 200, probes.body);
    assert.deepEqual(servicesIn(probes.body), ['configured', 'labelled', 'on-both', 'second-only']);
  });

  it('probes a service pushed only to the second Pushgateway as up', async () => {
    const probe = await handleRequest(get('/probe', { target: 'second-only' }, AUTH), runtime);
    assert.equal(probe.status, 200, probe.body);
    assert.match(probe.body, /^probe_success 1$/m);
  });

  it('counts the discovered services once in /metrics', async () => {
    const metrics = await handleRequest(get('/metrics', {}, AUTH), runtime);
    assert.match(metrics.body, /^pushgateway_exporter_discovered_services 3$/m);
  });
});

describe('a Pushgateway removed by a config reload', () => {
  let a: RunningProcess;
  let b: RunningProcess;
  let files: TempDir;
  let reloading: Runtime;
  before(async () => {
    [a, b] = await Promise.all([startPushgateway(), startPushgateway()]);
    files = await tempDir();
  });
  after(async () => {
    await reloading?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await files?.remove();
  });

  it('leaves /metrics (its up gauge and read counters) once the config no longer names it', async () => {
    const configText = (urls: string[]) => `pushgateway_url: [${urls.join(', ')}]\nconfig_ttl_seconds: 1\nservices:\n  - name: svc\n`;
    const configFile = await files.file('config.yml', configText([a.url, b.url]));
    reloading = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error', AUTH_TOKEN: TOKEN }, { cwd: '/' });
    const gatewaysIn = async () => {
      const metrics = await handleRequest(get('/metrics', {}, AUTH), reloading);
      assert.equal(metrics.status, 200, metrics.body);
      return [...new Set([...metrics.body.matchAll(/^pushgateway_exporter_pushgateway_(?:up|reads_total)\{[^}]*pushgateway="([^"]*)"/gm)].map((match) => match[1]))].sort();
    };
    assert.equal((await handleRequest(get('/probes', {}, AUTH), reloading)).status, 200);
    assert.deepEqual(await gatewaysIn(), [a.url, b.url].sort());
    await writeFile(configFile, configText([a.url]));
    await sleep(1100);
    // The next probe reloads the config; /metrics then shows the one Pushgateway left.
    assert.equal((await handleRequest(get('/probes', {}, AUTH), reloading)).status, 200);
    assert.deepEqual(await gatewaysIn(), [a.url]);
  });
});
