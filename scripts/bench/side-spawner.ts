// The process that starts row 3's curl and bare Node reads, so the bench's own process, which runs
// the probes, never forks between them (docs/performance.md#row-3-and-fork).
import { spawn, type ChildProcess } from 'node:child_process';

/** What a command run to its end printed, and how it ended. */
export interface SpawnedResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs commands one at a time in a long-lived node process of its own. */
export interface SideSpawner {
  run(command: string, args: readonly string[]): Promise<SpawnedResult>;
  stop(): Promise<void>;
}

const SIDE = `const { spawnSync } = require('node:child_process');
process.on('message', ({ command, args }) => {
  const result = spawnSync(command, args);
  process.send({ status: result.status, stdout: String(result.stdout ?? ''), stderr: result.error ? result.error.message : String(result.stderr ?? '') });
});`;

/**
 * Starts the side process: one fork now, none later. A fork marks every page of this process
 * copy-on-write, so the next write to each costs a fault: a probe that follows a fork here took
 * about twice its CPU (the figures are in docs/performance.md), which no Lambda or `npm run serve`
 * pays, as neither forks.
 */
export function startSideSpawner(): SideSpawner {
  const child: ChildProcess = spawn(process.execPath, ['-e', SIDE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (result: SpawnedResult) => void; reject: (error: Error) => void } | undefined;
  child.on('message', (message) => {
    const waiting = pending;
    pending = undefined;
    waiting?.resolve(message as SpawnedResult);
  });
  child.on('exit', (code, signal) => {
    const waiting = pending;
    pending = undefined;
    waiting?.reject(new Error(`the bench's side process ended (${signal ?? `exit ${code}`})`));
  });
  return {
    run(command, args) {
      if (pending !== undefined) return Promise.reject(new Error('the side process runs one command at a time'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send({ command, args });
      });
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      });
    },
  };
}
