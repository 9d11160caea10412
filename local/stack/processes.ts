import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError, type StackPort } from './settings.ts';

const TAIL_LINES = 15;
const STOP_GRACE_MS = 8_000;

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A child in its own process group, so stop() ends it and everything it spawned. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** The last lines of its combined stdout and stderr. */
  tail(): string;
  stop(): Promise<void>;
}

export interface ProcessSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Where its whole output goes (truncated at start); without one it shares this terminal. */
  readonly logFile?: string;
  /** Sent to its process group by stop(); SIGKILL follows after the grace period. */
  readonly stopSignal?: NodeJS.Signals;
  readonly stopGraceMs?: number;
}

export function describeExit(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `code ${status.code ?? 'unknown'}`;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone
  }
}

export function startProcess(spec: ProcessSpec): ManagedProcess {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: spec.logFile === undefined ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
  });
  const log = spec.logFile === undefined ? undefined : createWriteStream(spec.logFile);
  let recent = '';
  const record = (chunk: Buffer | string): void => {
    if (log !== undefined && !log.writableEnded) log.write(chunk);
    recent = (recent + chunk.toString()).slice(-16_000);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);

  let exitStatus: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('error', (error) => {
      record(`${error.message}\n`);
      // A process that never started sends no more output (and may emit no 'close').
      log?.end();
      exitStatus ??= { code: null, signal: null };
      resolveExit(exitStatus);
    });
    child.once('exit', (code, signal) => {
      exitStatus ??= { code, signal };
      resolveExit(exitStatus);
    });
  });
  // 'close', not 'exit': output still buffered in the pipes arrives after 'exit' ("write after end").
  child.once('close', () => log?.end());
  const pid = child.pid ?? 0;

  return {
    name: spec.name,
    pid,
    exited,
    hasExited: () => exitStatus !== undefined,
    tail: () => (log === undefined ? '(see its output above)' : recent.trimEnd().split('\n').slice(-TAIL_LINES).join('\n')),
    async stop() {
      if (pid === 0 || !groupAlive(pid)) return;
      signalGroup(pid, spec.stopSignal ?? 'SIGTERM');
      const deadline = Date.now() + (spec.stopGraceMs ?? STOP_GRACE_MS);
      while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
      await Promise.race([exited, sleep(2_000)]);
    },
  };
}

export function earlyExitMessage(proc: ManagedProcess, status: ExitStatus, when: string): string {
  const tail = proc.tail();
  const lines = tail === '' ? '(no output)' : tail.replace(/^/gm, '    ');
  return `${proc.name} exited ${when} (${describeExit(status)}); its last log lines:\n${lines}`;
}

/** Waits until `url` answers 2xx; fails with the process' last log lines if it exits first. */
export async function waitForHttp(url: string, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer';
  while (Date.now() < deadline) {
    if (proc.hasExited()) throw new StackError(earlyExitMessage(proc, await proc.exited, 'early'));
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await sleep(200);
  }
  throw new StackError(
    `${proc.name} not ready at ${url} after ${Math.round(timeoutMs / 1000)} s (${lastProblem}); its last log lines:\n${proc.tail()}`,
  );
}

/** Fails with a one-line hint when something already listens on the port. */
export async function assertPortFree({ label, envVar, port }: StackPort): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${error.code ?? error.message})`;
      reject(new StackError(`port ${port} (${label}) ${reason}; set ${envVar}=<port> to use another`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree()));
  });
}

export function findOnPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when the command runs and exits 0 within the timeout. */
export function succeeds(command: string, args: readonly string[], timeoutMs = 15_000): boolean {
  if (findOnPath(command) === undefined) return false;
  return spawnSync(command, args, { stdio: 'ignore', timeout: timeoutMs }).status === 0;
}
