// The process that starts row 3's curl and bare Node reads for `npm run bench`
// (scripts/bench/side-spawner.ts): the commands it runs are forked from it, not from the bench's
// process, which runs the probes (docs/performance.md#row-3-and-fork).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSideSpawner } from '../../scripts/bench/side-spawner.ts';

describe('bench side spawner', () => {
  it('runs each command from its own process and gives back how it ended and what it printed', async () => {
    const side = startSideSpawner();
    try {
      const parent = await side.run('sh', ['-c', 'echo $PPID; echo oops >&2; exit 3']);
      assert.equal(parent.status, 3);
      assert.equal(parent.stderr, 'oops\n');
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
      const first = side.run('sh', ['-c', 'sleep 0.2; echo done']);
      await assert.rejects(side.run('true', []), /one command at a time/);
      assert.equal((await first).stdout, 'done\n');
    } finally {
      await side.stop();
    }
  });

  it('fails a command still waiting when the side process ends, and stops once', async () => {
    const side = startSideSpawner();
    const waiting = side.run('sleep', ['5']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await side.stop();
    await assert.rejects(waiting, /side process ended/);
    await side.stop();
  });
});
