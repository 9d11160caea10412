import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { freePort, PROJECT_ROOT, startPushgateway, type RunningProcess } from '../support/processes.ts';
import { pushedGroup, valueOf } from '../support/pushgateway-groups.ts';

// docs/high-availability.md#pushing-to-several: the CLI's push goes to every Pushgateway at once,
// exits 0 when one accepted, and names each that failed on a line of its own.

const CLI = join(PROJECT_ROOT, 'dist', 'cli', 'pushgateway-exporter.mjs');

function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const clean = { ...process.env };
  for (const name of ['PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN', 'CONFIG_FILE', 'LOG_LEVEL']) delete clean[name];
  const child = spawn(process.execPath, [CLI, ...args], { cwd: PROJECT_ROOT, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('pushgateway-exporter push to several Pushgateways', () => {
  let a: RunningProcess;
  let b: RunningProcess;
  let dead: string;

  before(async () => {
    [a, b] = await Promise.all([startPushgateway(), startPushgateway()]);
    // A port nothing listens on: a Pushgateway that is down.
    dead = `http://127.0.0.1:${await freePort()}`;
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('pushes to all three at once, exits 0 as two accepted, and names the dead one on one line', async () => {
    const run = await runCli(['push', '--service', 'fanned', '--pushgateway', `${a.url},${dead}`, '--pushgateway', b.url, '--timeout', '5']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0] ?? '', new RegExp(`^pushgateway-exporter: push failed: .*${dead.replace(/[.]/g, '\\.')}`));
    for (const pushgateway of [a, b]) {
      assert.ok(valueOf(await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'fanned' }), SUCCESS_METRIC) !== undefined, pushgateway.url);
    }
  });

  it('exits 1 with a line per Pushgateway when none accepted, from PUSHGATEWAY_URL\'s list', async () => {
    const other = `http://127.0.0.1:${await freePort()}`;
    const run = await runCli(['push', '--service', 'nowhere', '--timeout', '5'], { PUSHGATEWAY_URL: `${dead}, ${other}` });
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    assert.ok(lines[0]?.includes(dead) && lines[1]?.includes(other), run.stderr);
  });
});
