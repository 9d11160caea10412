// The process that starts row 3's curl and bare Node reads for `npm run bench`
// (scripts/bench/side-spawner.ts): the commands it runs are forked from it, not from the bench's
// process, which runs the probes (docs/performance.md#row-3-and-fork).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { howItEnded, startSideSpawner } from '../../scripts/bench/side-spawner.ts';
import { tempDir } from '../support/processes.ts';

/** Whether process `pid` has ended (gone, or a zombie left for init to reap). */
async function ended(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('bench side spawner', () => {
  it('runs each command from its own process and gives back how it ended and what it printed', async () => {
    const side = startSideSpawner();
    try {
      const parent = await side.run('sh', ['-c', 'echo $PPID; echo oops >&2; exit 3']);
      assert.deepEqual({ status: parent.status, signal: parent.signal, stderr: parent.stderr }, { status: 3, signal: null, stderr: 'oops\n' });
      assert.equal(howItEnded(parent), 'exit 3');
      const ppid = Number(parent.stdout);
      assert.ok(Number.isInteger(ppid) && ppid > 1, `a parent pid, got ${JSON.stringify(parent.stdout)}`);
      assert.notEqual(ppid, process.pid, 'the command was forked from the bench process itself');
      // The same side process serves every command: one fork of the bench's process in all.
      assert.equal(Number((await side.run('sh', ['-c', 'echo $PPID'])).stdout), ppid);
    } finally {
      await side.stop();
    }
  });

  it('reports a command that cannot start, and refuses a second command while one runs', async () => {
    const side = startSideSpawner();
    try {
      const missing = await side.run('/nonexistent/command', []);
      assert.equal(missing.status, null);
      assert.match(missing.stderr, /ENOENT/);
      assert.equal(howItEnded(missing), 'did not start');
      const first = side.run('sh', ['-c', 'sleep 0.2; echo done']);
      await assert.rejects(side.run('true', []), /one command at a time/);
      assert.equal((await first).stdout, 'done\n');
    } finally {
      await side.stop();
    }
  });

  it('ends the command it is running when stopped, fails the wait for it, and refuses commands after', async () => {
    const dir = await tempDir('pgx-side-');
    const side = startSideSpawner();
    try {
      assert.equal((await side.run('true', [])).status, 0);
      const pidFile = join(dir.path, 'pid');
      const running = side.run('sh', ['-c', `echo $$ > ${pidFile}; exec sleep 30`]);
      let pid = Number.NaN;
      for (let tries = 0; tries < 200 && !(pid > 1); tries++) {
        await sleep(25);
        pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
      }
      assert.ok(pid > 1, 'the command did not start');
      assert.equal(await ended(pid), false);
      await side.stop();
      await assert.rejects(running, /side process ended/);
      for (let tries = 0; tries < 100 && !(await ended(pid)); tries++) await sleep(20);
      assert.ok(await ended(pid), `the command (pid ${pid}) outlived the side process`);
      await assert.rejects(side.run('true', []), /side process ended/);
      await side.stop();
    } finally {
      await side.stop();
      await dir.remove();
    }
  });
});
