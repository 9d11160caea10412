import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

// Ports for child processes are picked here and bound later by the child, seconds later for a
// stack that starts several. A port from the kernel's ephemeral range can meanwhile be handed to
// any connect() or listen(0) on the machine (the suite runs several files at a time, each
// opening hundreds of sockets): the native stack's Prometheus once failed to bind its port that
// way. So ports come from outside that range, and each is reserved across test processes by a lock
// file, removed when its process exits normally. A process killed by a signal leaves its files;
// one older than an hour is taken over. (Two processes taking over the same stale file at the same
// instant could both hold its port: that needs a killed run and the same pick of some 22,000 ports
// within microseconds, so it is left at that.)
// One folder per user: another user's would not be writable here.
export const PORT_RESERVATIONS = join(tmpdir(), `pgx-test-ports-${process.getuid?.() ?? 'user'}`);
const RESERVATION_TTL_MS = 60 * 60 * 1000;
const reserved: string[] = [];

/**
 * Where test ports come from, [low, high): below the kernel's ephemeral range (from 10000), or
 * above it when too little lies below; the whole unprivileged range when it leaves no room either
 * (then only the bind check guards a pick).
 */
export function testPortRange(): { low: number; high: number } {
  let ephemeral = [32_768, 60_999];
  try {
    const [low = NaN, high = NaN] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) ephemeral = [low, high];
  } catch {
    // not Linux: assume Linux's default range
  }
  const [ephemeralLow = 32_768, ephemeralHigh = 60_999] = ephemeral;
  if (ephemeralLow - 10_000 >= 2_000) return { low: 10_000, high: ephemeralLow };
  if (65_535 - ephemeralHigh >= 2_000) return { low: ephemeralHigh + 1, high: 65_536 };
  return { low: 1_024, high: 65_536 };
}

/** Takes `port` for this process, unless another process (or this one) holds it. */
export function reservePort(port: number): boolean {
  mkdirSync(PORT_RESERVATIONS, { recursive: true });
  const file = join(PORT_RESERVATIONS, String(port));
  try {
    closeSync(openSync(file, 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(file).mtimeMs < RESERVATION_TTL_MS) return false;
      unlinkSync(file);
      closeSync(openSync(file, 'wx'));
    } catch {
      return false;
    }
  }
  // The first reservation of this process registers the clean-up of all of them.
  if (reserved.length === 0) {
    process.once('exit', () => {
      for (const name of reserved) rmSync(name, { force: true });
    });
  }
  reserved.push(file);
  return true;
}

/** Whether nothing listens on `port`, on any address (the children bind 127.0.0.1 or all). */
async function bindable(port: number): Promise<boolean> {
  return new Promise((resolveBindable) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolveBindable(false));
    server.listen(port, () => server.close(() => resolveBindable(true)));
  });
}

/** A port no other test process holds and nothing listens on, for a child process to bind. */
export async function freePort(): Promise<number> {
  const { low, high } = testPortRange();
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (!reservePort(port)) continue;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found in ${low}-${high - 1} after 200 tries (reservations in ${PORT_RESERVATIONS})`);
}

export interface RunningProcess {
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Waits until `url` answers 200, or fails with the process output when it exits or time runs out. */
async function waitUntilReady(url: string, child: ChildProcess, output: () => string, timeoutMs: number, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} was ready:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000), headers });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms:\n${output()}`);
}

/** Starts a command in its own process group so stop() ends it and every child it spawned. */
export async function startProcess(
  command: string,
  args: readonly string[],
  options: { readyUrl: string; url: string; port: number; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; readyHeaders?: Record<string, string> },
): Promise<RunningProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const append = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-(child.pid ?? 0), 'SIGTERM');
      } catch {
        // already gone
      }
      const killed = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!killed) {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
      }
    }
  };
  try {
    await waitUntilReady(options.readyUrl, child, () => log, options.timeoutMs ?? 30_000, options.readyHeaders);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: options.url, port: options.port, child, output: () => log, stop };
}

/** A real Pushgateway (Debian's prometheus-pushgateway) on a free loopback port, with no persistence. */
export async function startPushgateway(extraArgs: readonly string[] = [], readyHeaders?: Record<string, string>): Promise<RunningProcess> {
  const listenPort = await freePort();
  const url = `http://127.0.0.1:${listenPort}`;
  return startProcess(
    'prometheus-pushgateway',
    [`--web.listen-address=127.0.0.1:${listenPort}`, '--persistence.file=', ...extraArgs],
    { readyUrl: `${url}/-/ready`, url, port: listenPort, readyHeaders },
  );
}

/** `npm start` (serverless-offline) with its own HTTP and Lambda ports. */
export async function startOffline(env: NodeJS.ProcessEnv): Promise<RunningProcess> {
  const port = await freePort();
  const lambdaPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess('npm', ['start', '--silent'], {
    readyUrl: `${url}/-/healthy`,
    url,
    port,
    env: { PORT: String(port), OFFLINE_LAMBDA_PORT: String(lambdaPort), HOST: '127.0.0.1', LOG_LEVEL: 'debug', ...env },
    timeoutMs: 60_000,
  });
}

export interface TempDir {
  readonly path: string;
  file(name: string, content: string): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(prefix = 'pgx-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async file(name, content) {
      const target = join(path, name);
      await writeFile(target, content);
      return target;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** Pushes as docs/pushing.md says: PUT a text body typing the heartbeat as a gauge, ending in a newline, to the instance's group. */
export async function pushHeartbeat(
  pushgatewayUrl: string,
  instance: string,
  timestampSeconds: number,
  options: { job?: string; extra?: string; service?: string } = {},
): Promise<void> {
  const service = options.service ?? instance;
  const body = `# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds{service="${service}"} ${timestampSeconds}\n${options.extra ?? ''}`;
  const response = await fetch(
    `${pushgatewayUrl}/metrics/job/${encodeURIComponent(options.job ?? 'heartbeat')}/instance/${encodeURIComponent(instance)}`,
    { method: 'PUT', body, headers: { 'content-type': 'text/plain' } },
  );
  if (!response.ok) throw new Error(`push failed: HTTP ${response.status} ${await response.text()}`);
}

export async function getText(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The value of one unlabelled sample in an exposition body, or undefined. */
export function sampleValue(body: string, name: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
