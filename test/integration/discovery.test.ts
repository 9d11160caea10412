import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runReapCommand } from '../../lib/cli/reap-command.ts';
import type { CliOutput } from '../../lib/cli/cli-command.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { pushedGroups } from '../support/pushgateway-groups.ts';
import { startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { get } from '../support/route-request.ts';

// discover_services against a real Pushgateway (docs/discovery.md): what /probes, /probe, /sd and
// the status page show of pushed-but-unconfigured services, and what the reaper may delete of them.

const TOKEN = 'sd-test-token';
const AUTH = { authorization: `Bearer ${TOKEN}`, host: 'exporter.test:9116' };

let pushgateway: RunningProcess;
let dir: TempDir;
const runtimes: Runtime[] = [];

/** PUTs a heartbeat to {job, instance} (base64 in the path, so any instance text goes), labelled `service` when given. */
async function push(job: string, instance: string, options: { service?: string; seconds?: number; extra?: string } = {}): Promise<void> {
  const seconds = options.seconds ?? Date.now() / 1000;
  const labels = options.service === undefined ? '' : `{service=${JSON.stringify(options.service)}}`;
  const body = `# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds${labels} ${seconds}\n${options.extra ?? ''}`;
  const encoded = Buffer.from(instance).toString('base64url');
  const response = await fetch(`${pushgateway.url}/metrics/job/${job}/instance@base64/${encoded === '' ? '=' : encoded}`, { method: 'PUT', body });
  assert.ok(response.ok, `push ${instance}: ${response.status} ${await response.text()}`);
}

async function runtimeWith(configText: string): Promise<{ runtime: Runtime; configFile: string }> {
  const configFile = await dir.file(`config-${runtimes.length}.yml`, `pushgateway_url: ${pushgateway.url}\n${configText}`);
  const runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error', AUTH_TOKEN: TOKEN }, { cwd: '/' });
  runtimes.push(runtime);
  return { runtime, configFile };
}

const sdOf = async (runtime: Runtime, headers: Record<string, string> = AUTH) => {
  const response = await handleRequest(get('/sd', {}, headers), runtime);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body) as { targets: string[]; labels: Record<string, string> }[];
};
const servicesIn = (exposition: string): string[] => [...new Set([...exposition.matchAll(/^probe_success\{service="((?:[^"\\]|\\.)*)"\}/gm)].map((match) => JSON.parse(`"${match[1]}"`) as string))];

describe('discover_services against a real Pushgateway', () => {
  before(async () => {
    pushgateway = await startPushgateway(['--web.enable-admin-api']);
    dir = await tempDir();
  });
  after(async () => {
    for (const runtime of runtimes) await runtime.close();
    await pushgateway?.stop();
    await dir?.remove();
  });
  beforeEach(async () => {
    assert.equal((await fetch(`${pushgateway.url}/api/v1/admin/wipe`, { method: 'PUT' })).status, 202);
  });

  it('probes pushed-but-unconfigured services with the defaults; a configured entry overrides discovery', async () => {
    await push('heartbeat', 'configured', { seconds: Date.now() / 1000 - 50 });
    await push('heartbeat', 'by-group');
    await push('workers', 'host-1', { service: 'by-label' });
    await push('heartbeat', 'stale', { seconds: Date.now() / 1000 - 500 });
    const { runtime } = await runtimeWith('discover_services: true\nservices:\n  - name: configured\n    freshness_threshold_seconds: 100\n');
    const probes = await handleRequest(get('/probes', {}, AUTH), runtime);
    assert.equal(probes.status, 200);
    assertPromtoolClean(probes.body);
    assert.deepEqual(servicesIn(probes.body), ['configured', 'by-group', 'by-label', 'stale']);
    // The configured threshold (100 s) judges `configured`, not the default 10 s.
    assert.match(probes.body, /^probe_success\{service="configured"\} 1$/m);
    assert.match(probes.body, /^probe_success\{service="stale"\} 0$/m);
    const one = await handleRequest(get('/probe', { target: 'by-label' }, AUTH), runtime);
    assert.match(one.body, /^probe_success 1$/m);
    const debug = await handleRequest(get('/probe', { target: 'by-group', debug: 'true' }, AUTH), runtime);
    assert.match(debug.body, /discovered: true/);
    const unknown = await handleRequest(get('/probe', { target: 'nobody' }, AUTH), runtime);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /not a configured or discovered service/);
    const sd = await sdOf(runtime);
    assert.deepEqual(sd.map((group) => [group.labels.service, group.labels.discovered]), [['configured', undefined], ['by-group', 'true'], ['by-label', 'true'], ['stale', 'true']]);
    const status = JSON.parse((await handleRequest(get('/', { format: 'json' }, AUTH), runtime)).body) as { services: { name: string; discovered?: boolean }[] };
    assert.deepEqual(status.services.map((service) => [service.name, service.discovered]), [['configured', undefined], ['by-group', true], ['by-label', true], ['stale', true]]);
    const page = await handleRequest(get('/', {}, AUTH), runtime);
    assert.equal(page.body.match(/class="discovered"/g)?.length, 3);
    const metrics = await handleRequest(get('/metrics', {}, AUTH), runtime);
    assertPromtoolClean(metrics.body);
    assert.match(metrics.body, /^pushgateway_exporter_discovered_services 3$/m);
    assert.match(metrics.body, /^pushgateway_exporter_discovered_services_over_cap 0$/m);
  });

  it('keeps to discover_jobs and max_discovered_services, and is off by default', async () => {
    await push('heartbeat', 'in-default-job');
    for (const name of ['w-d', 'w-c', 'w-b', 'w-a']) await push('workers', `${name}-host`, { service: name });
    await push('batch', 'b-host', { service: 'from-batch' });
    const { runtime: filtered } = await runtimeWith("discover_services: true\ndiscover_jobs: ['work.*']\nmax_discovered_services: 3\n");
    assert.deepEqual((await sdOf(filtered)).map((group) => group.labels.service), ['w-a', 'w-b', 'w-c']);
    assert.equal((await handleRequest(get('/probe', { target: 'w-d' }, AUTH), filtered)).status, 404);
    assert.match((await handleRequest(get('/metrics', {}, AUTH), filtered)).body, /^pushgateway_exporter_discovered_services_over_cap 1$/m);
    assert.equal((await handleRequest(get('/probe', { target: 'from-batch' }, AUTH), filtered)).status, 404);
    const { runtime: off } = await runtimeWith('services:\n  - name: only\n');
    assert.deepEqual((await sdOf(off)).map((group) => group.labels.service), ['only']);
    assert.deepEqual(servicesIn((await handleRequest(get('/probes', {}, AUTH), off)).body), ['only']);
    assert.doesNotMatch((await handleRequest(get('/metrics', {}, AUTH), off)).body, /discovered/);
  });

  it('escapes names with odd characters everywhere and leaves out names it cannot use', async () => {
    const odd = ['a"b', 'back\\slash', '<b>bold</b>', 'spa ce/slash', 'ünï©ode', '{x="y"}'];
    for (const name of odd) await push('heartbeat', name);
    await push('heartbeat', 'line\nbreak');
    await push('heartbeat', 'x'.repeat(201));
    const { runtime } = await runtimeWith('discover_services: true\n');
    const sd = await sdOf(runtime);
    assert.deepEqual(sd.map((group) => group.labels.__param_target), [...odd].sort());
    const probes = await handleRequest(get('/probes', {}, AUTH), runtime);
    assertPromtoolClean(probes.body);
    assert.deepEqual(servicesIn(probes.body), [...odd].sort());
    const page = await handleRequest(get('/', {}, AUTH), runtime);
    assert.ok(!page.body.includes('<b>bold</b>'));
    assert.ok(page.body.includes('&#60;b&#62;bold&#60;/b&#62;'));
    for (const name of odd) assert.match((await handleRequest(get('/probe', { target: name }, AUTH), runtime)).body, /^probe_success 1$/m, name);
  });

  it('/sd: Host and scheme, HEAD, a bad Host 400, no token 401', async () => {
    await push('heartbeat', 'svc');
    const { runtime } = await runtimeWith('discover_services: true\n');
    const [plain] = await sdOf(runtime);
    assert.deepEqual(plain, { targets: ['exporter.test:9116'], labels: { __metrics_path__: '/probe', __param_target: 'svc', instance: 'svc', service: 'svc', discovered: 'true' } });
    const [tls] = await sdOf(runtime, { ...AUTH, host: 'exporter.test', 'x-forwarded-proto': 'https' });
    assert.deepEqual([tls?.targets, tls?.labels.__scheme__], [['exporter.test:443'], 'https']);
    const response = await handleRequest(get('/sd', {}, AUTH), runtime);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    // HEAD keeps GET's body in the route table, for its Content-Length; the entry points send none.
    assert.equal((await handleRequest(get('/sd', {}, AUTH, 'HEAD'), runtime)).body, response.body);
    const bad = await handleRequest(get('/sd', {}, { ...AUTH, host: 'evil/path"' }), runtime);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /^invalid Host header "evil\/path\\"": \/sd needs host\[:port\]/);
    assert.equal(bad.body.split('\n').length, 2);
    const denied = await handleRequest(get('/sd', {}, { host: 'exporter.test' }), runtime);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers['www-authenticate'], 'Bearer realm="pushgateway-exporter"');
    assert.equal((await handleRequest(get('/sd', {}, AUTH, 'POST'), runtime)).status, 405);
  });

  it('the reaper expires a discovered service\'s groups with the top-level expire_after_seconds, and never a group it cannot attribute', async () => {
    const now = Date.now() / 1000;
    await push('heartbeat', 'found', { seconds: now });
    await push('workers', 'host-9', { service: 'labelled', seconds: now });
    // Two discovered services in one group: deleting it for one would delete the other's data.
    await push('workers', 'shared', { service: 'one', seconds: now, extra: 'loop_heartbeat_timestamp_seconds{service="two"} 1\n' });
    // No heartbeat at all: nothing discovers it.
    const noHeartbeat = await fetch(`${pushgateway.url}/metrics/job/heartbeat/instance/quiet`, { method: 'PUT', body: 'other_metric 1\n' });
    assert.ok(noHeartbeat.ok);
    const clock = () => Date.now() + 2 * 3600 * 1000;
    const output = { out: '', err: '', stdout: (text: string) => { output.out += text; }, stderr: (text: string) => { output.err += text; } } satisfies CliOutput & Record<string, unknown>;
    const { configFile: off } = await runtimeWith('expire_after_seconds: 3600\n');
    assert.equal(await runReapCommand({ dryRun: false }, { CONFIG_FILE: off }, '/', output, { clock }), 0, output.err);
    assert.equal(output.out.split('\n').filter((line) => line.startsWith('deleted ')).length, 0);
    const { configFile: on } = await runtimeWith("expire_after_seconds: 3600\ndiscover_services: true\ndiscover_jobs: ['heartbeat', 'workers']\n");
    assert.equal(await runReapCommand({ dryRun: false }, { CONFIG_FILE: on }, '/', output, { clock }), 0, output.err);
    const deleted = output.out.split('\n').filter((line) => line.startsWith('deleted ')).map((line) => line.replace(/ age \S+ /, ' age X '));
    assert.deepEqual(deleted.sort(), [
      'deleted job="heartbeat",instance="found" age X (expire_after_seconds 3600) service "found"',
      'deleted job="workers",instance="host-9" age X (expire_after_seconds 3600) service "labelled"',
    ]);
    const left = (await pushedGroups(pushgateway.url)).map((group) => `${group.labels.job}/${group.labels.instance ?? ''}`).sort();
    assert.deepEqual(left, ['heartbeat/quiet', 'pushgateway_exporter_reaper/', 'workers/shared']);
  });
});
