// The process that starts row 3's curl and bare Node reads, so the bench's own process, which runs
// the probes, never forks between them (docs/performance.md#row-3-and-fork).
import { spawn, type ChildProcess } from 'node:child_process';

/** What a command run to its end printed, and how it ended. */
export interface SpawnedResult {
  /** Its exit code, or null when a signal ended it or it could not start. */
  readonly status: number | null;
  /** The signal that ended it (SIGTERM when it ran past the side's time limit), or null. */
  readonly signal: string | null;
  readonly stdout: string;
  /** What it wrote on stderr, or why it could not start. */
  readonly stderr: string;
}

/** How a process ended, for an error message: its signal, its exit code, or that it never started. */
export function howItEnded(result: Pick<SpawnedResult, 'status' | 'signal'>): string {
  return result.signal ?? (result.status === null ? 'did not start' : `exit ${result.status}`);
}

/** Runs commands one at a time in a long-lived node process of its own. */
export interface SideSpawner {
  run(command: string, args: readonly string[]): Promise<SpawnedResult>;
  /** Ends the side process, and a command it is running. */
  stop(): Promise<void>;
}

/** A command still running after this long is ended (SIGTERM): a stuck curl must not hang the bench. */
const COMMAND_TIMEOUT_MS = 120_000;

// The side process: one command at a time; when the bench goes (its channel closes), so does it,
// and the command it was running.
const SIDE = `const { spawn } = require('node:child_process');
let current;
process.on('message', ({ command, args, timeoutMs }) => {
  const stdout = [];
  const stderr = [];
  let replied = false;
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
  current = child;
  const reply = (status, signal, text) => {
    if (replied) return;
    replied = true;
    current = undefined;
    process.send({ status, signal, stdout: Buffer.concat(stdout).toString(), stderr: text });
  };
  child.stdout.on('data', (chunk) => stdout.push(chunk));
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  child.on('error', (error) => reply(null, null, error.message));
  child.on('close', (status, signal) => reply(status, signal, Buffer.concat(stderr).toString()));
});
process.on('disconnect', () => {
  current?.kill('SIGKILL');
  process.exit(0);
});`;

/**
 * Starts the side process: one fork now, none later. After a fork, a probe run in the forking
 * process took about twice its CPU (docs/performance.md#row-3-and-fork), which no Lambda or
 * `npm run serve` pays, as neither forks.
 */
export function startSideSpawner(): SideSpawner {
  const child: ChildProcess = spawn(process.execPath, ['-e', SIDE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let pending: { resolve: (result: SpawnedResult) => void; reject: (error: Error) => void } | undefined;
  let ended: Error | undefined;
  const end = (error: Error) => {
    ended ??= error;
    const waiting = pending;
    pending = undefined;
    waiting?.reject(ended);
  };
  child.on('message', (message) => {
    const waiting = pending;
    pending = undefined;
    waiting?.resolve(message as SpawnedResult);
  });
  child.on('error', (error) => end(new Error(`the bench's side process failed: ${error.message}`)));
  child.on('exit', (status, signal) => end(new Error(`the bench's side process ended (${howItEnded({ status, signal })})`)));
  return {
    run(command, args) {
      if (ended !== undefined) return Promise.reject(ended);
      if (pending !== undefined) return Promise.reject(new Error('the side process runs one command at a time'));
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send({ command, args, timeoutMs: COMMAND_TIMEOUT_MS }, (error) => {
          if (error !== null) end(new Error(`the bench's side process cannot take a command: ${error.message}`));
        });
      });
    },
    stop() {
      if (ended !== undefined) return Promise.resolve();
      return new Promise((resolve) => {
        child.once('exit', () => resolve());
        // The side ends itself, and its command, when its channel closes.
        child.disconnect();
      });
    },
  };
}
