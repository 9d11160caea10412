import { execFile } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './processes.ts';

// `serverless package` works in the project's own folder whatever `--package` says, so two at once,
// from two test files running side by side (`npm test` runs three at a time), can remove each other's
// files: one then finds no zip in its output. The tests that package take turns through a lock
// file, one process at a time across all test files.

const LOCK = join(PROJECT_ROOT, '.serverless-package.lock');
const execFileAsync = promisify(execFile);

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs `work` holding the lock; waits up to `waitMs` for it. A lock left by a process that is gone is taken over. */
export async function whilePackaging<T>(work: () => Promise<T>, waitMs = 600_000): Promise<T> {
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(LOCK, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(LOCK, 'utf8').catch(() => ''));
      if (holder > 0 && !isRunning(holder)) {
        await rm(LOCK, { force: true });
        continue;
      }
      if (performance.now() > deadline) throw new Error(`waited ${waitMs} ms for ${LOCK}, held by process ${holder}`);
      await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK, { force: true });
  }
}

/** execFile for `npm run package` or `serverless package`, run while holding the lock. */
export function runPackaging(command: string, args: readonly string[], options: Parameters<typeof execFileAsync>[2]): Promise<{ stdout: string; stderr: string }> {
  return whilePackaging(async () => {
    const { stdout, stderr } = await execFileAsync(command, args, { ...options, encoding: 'utf8' });
    return { stdout, stderr };
  });
}
