import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runReapCommand } from '../../lib/cli/reap-command.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { probeTarget } from '../../lib/runtime/probe-service.ts';
import { startBudget } from '../../lib/core/probe/probe-budget.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { get } from '../support/route-request.ts';
import type { CliOutput } from '../../lib/cli/cli-command.ts';
import { pushedGroups } from '../support/pushgateway-groups.ts';
import { PROJECT_ROOT, pushHeartbeat, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

// The reaper against a real Pushgateway (docs/operations.md#expiring-dead-groups). Pushgateway stamps
// push_time_seconds itself, so the sweep's clock runs two hours ahead instead of groups being old.

const AHEAD_MS = 2 * 3600 * 1000;
const clock = () => Date.now() + AHEAD_MS;

const CONFIG = (url: string) => `pushgateway_url: ${url}
expire_after_seconds: 3600
services:
  - name: dead
  - name: young
    expire_after_seconds: 86400
  - name: fleet
    replicas: 2
  - name: other
`;

let pushgateway: RunningProcess;
let dir: TempDir;
let configFile: string;

function capture(): CliOutput & { out: string; err: string } {
  const output = { out: '', err: '', stdout: (text: string) => { output.out += text; }, stderr: (text: string) => { output.err += text; } };
  return output;
}

const groupNames = async () => (await pushedGroups(pushgateway.url)).map((group) => Object.entries(group.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')).sort();

async function seed(): Promise<void> {
  const now = Date.now() / 1000;
  await pushHeartbeat(pushgateway.url, 'dead', now);
  await pushHeartbeat(pushgateway.url, 'young', now);
  // A replica: its own group, found by the service label (lookup step 2).
  await pushHeartbeat(pushgateway.url, 'host-1', now, { job: 'workers', service: 'fleet' });
  // Not configured: never attributed, never deleted.
  await pushHeartbeat(pushgateway.url, 'stranger', now);
  // Two services' heartbeats in one group: deleting it for one would delete the other's.
  await pushHeartbeat(pushgateway.url, 'shared', now, { job: 'workers', service: 'fleet', extra: 'loop_heartbeat_timestamp_seconds{service="other"} 1\n' });
}

describe('pushgateway-exporter reap against a real Pushgateway', () => {
  before(async () => {
    pushgateway = await startPushgateway(['--web.enable-admin-api']);
    dir = await tempDir();
    configFile = await dir.file('config.yml', CONFIG(pushgateway.url));
  });
  after(async () => {
    await pushgateway?.stop();
    await dir?.remove();
  });
  beforeEach(async () => {
    assert.equal((await fetch(`${pushgateway.url}/api/v1/admin/wipe`, { method: 'PUT' })).status, 202);
    await seed();
  });

  it('deletes only expired groups attributed to one configured service, listing group, age and service', async () => {
    const output = capture();
    const code = await runReapCommand({ dryRun: false }, { CONFIG_FILE: configFile }, '/', output, { clock });
    assert.equal(code, 0, output.err);
    const listed = output.out.split('\n').filter((line) => line.startsWith('deleted '));
    assert.deepEqual(listed.map((line) => line.replace(/ age \S+ /, ' age X ')).sort(), [
      'deleted job="heartbeat",instance="dead" age X (expire_after_seconds 3600) service "dead"',
      'deleted job="workers",instance="host-1" age X (expire_after_seconds 3600) service "fleet"',
    ]);
    assert.match(listed[0] ?? '', / age 2\.0h /);
    assert.deepEqual(await groupNames(), [
      'instance=shared,job=workers', 'instance=stranger,job=heartbeat', 'instance=young,job=heartbeat', 'job=pushgateway_exporter_reaper',
    ]);
    // Every deletion logged as a JSON line.
    const logged = output.err.split('\n').filter((line) => line.includes('"reap: deleted group"'));
    assert.equal(logged.length, 2);
  });

  it('--dry-run lists the same groups and deletes nothing', async () => {
    const before = await groupNames();
    const output = capture();
    const code = await runReapCommand({ dryRun: true }, { CONFIG_FILE: configFile }, '/', output, { clock });
    assert.equal(code, 0, output.err);
    assert.equal(output.out.split('\n').filter((line) => line.startsWith('would delete ')).length, 2);
    assert.deepEqual(await groupNames(), before);
  });

  it('keeps a group pushed between the sweep\'s read and its DELETE', async () => {
    const output = capture();
    const code = await runReapCommand({ dryRun: false }, { CONFIG_FILE: configFile }, '/', output, {
      clock,
      // Deterministic race: the push lands after the sweep chose the group, before its re-read.
      beforeReread: async (pending) => {
        if (pending.some((chosen) => chosen.service === 'dead')) await pushHeartbeat(pushgateway.url, 'dead', Date.now() / 1000);
      },
    });
    assert.equal(code, 0, output.err);
    const names = await groupNames();
    assert.ok(names.includes('instance=dead,job=heartbeat'), 'the raced group survives');
    assert.ok(!names.includes('instance=host-1,job=workers'), 'the other expired group is deleted');
    assert.match(output.out, /1 pushed again since the read and kept/);
  });

  it('deletes nothing when the groups are younger than expire_after_seconds', async () => {
    const output = capture();
    assert.equal(await runReapCommand({ dryRun: false }, { CONFIG_FILE: configFile }, '/', output), 0, output.err);
    assert.match(output.out, /^reap: deleted 0 of 5 groups; 0 pushed again since the read and kept; 2 not attributed/m);
  });

  it('fails with one line, exit 1, when the Pushgateway is unreachable', async () => {
    const bad = await dir.file('unreachable.yml', 'pushgateway_url: http://127.0.0.1:9\nexpire_after_seconds: 3600\ntimeout_seconds: 1\n');
    const output = capture();
    assert.equal(await runReapCommand({ dryRun: false }, { CONFIG_FILE: bad }, '/', output), 1);
    const lines = output.err.split('\n').filter((line) => line.startsWith('pushgateway-exporter:'));
    assert.equal(lines.length, 1);
    assert.equal(output.out, '', 'no summary of a sweep that did not run');
    assert.match(lines[0] ?? '', /^pushgateway-exporter: reap failed after 0 deletions: cannot reach Pushgateway at http:\/\/127\.0\.0\.1:9/);
  });

  it('the Lambda entry (dist/reaper.mjs) sweeps once, and the exporter\'s /metrics shows the sweep from the snapshot', async () => {
    const script = `const { handler } = await import('./dist/reaper.mjs');
      console.log(JSON.stringify(await handler({}, { getRemainingTimeInMillis: () => 60000 })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PROJECT_ROOT, env: { ...process.env, CONFIG_FILE: configFile, LOG_LEVEL: 'error', AWS_LAMBDA_FUNCTION_NAME: 'reaper' }, timeout: 30_000,
    });
    assert.deepEqual(JSON.parse(stdout), { deleted: 0, kept: 0, groups: 5 });

    const runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error' }, { cwd: '/' });
    try {
      // Nothing read yet: nothing of the reaper's shown.
      assert.doesNotMatch((await handleRequest(get('/metrics'), runtime)).body, /reaper/);
      await probeTarget(runtime, 'dead', startBudget(runtime.monotonicMs()));
      const body = (await handleRequest(get('/metrics'), runtime)).body;
      assert.match(body, /^pushgateway_exporter_reaper_last_sweep_success 1$/m);
      assert.match(body, /^pushgateway_exporter_reaper_last_sweep_deleted_groups 0$/m);
      assert.match(body, /^pushgateway_exporter_reaper_last_sweep_timestamp_seconds \d/m);
      assert.match(body, /^pushgateway_exporter_reaper_last_success_timestamp_seconds \d/m);
      assert.match(body, /^pushgateway_exporter_reaper_last_sweep_duration_seconds \d/m);
      assertPromtoolClean(body);
    } finally {
      await runtime.close();
    }
  });
});
