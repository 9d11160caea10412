import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { PROJECT_ROOT, startPushgateway, tempDir, type RunningProcess, type TempDir } from './processes.ts';

/** The built CLI bundle (`npm run build`), run as a user runs it. */
export const CLI = join(PROJECT_ROOT, 'dist', 'cli', 'pushgateway-exporter.mjs');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment without anything of the caller's that would change what the CLI does. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN', 'CONFIG_FILE', 'CONFIG_SSM_PARAMETER', 'AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'LOG_LEVEL']) {
    delete env[name];
  }
  return { ...env, ...extra };
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = PROJECT_ROOT, detached = false): { child: ChildProcess; done: Promise<CliRun> } {
  // detached: the CLI leads a process group of its own, as a shell job in a terminal does.
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], detached });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd = PROJECT_ROOT): Promise<CliRun> => startCli(args, env, cwd).done;

/** No stack trace and no Node internals: what a user sees is what the CLI meant to say. */
export function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, text);
  assert.doesNotMatch(text, /node:internal|Error:/, text);
}

export interface CliFixture {
  /** The real Pushgateway the describe block shares. */
  readonly pushgateway: RunningProcess;
  readonly dir: TempDir;
  /** PUSHGATEWAY_URL set to that Pushgateway, as a user's shell would have it. */
  readonly env: NodeJS.ProcessEnv;
}

/** Registers before/after hooks in the calling describe block: one Pushgateway and a temp directory for it. */
export function cliOnPushgateway(): CliFixture {
  let pushgateway: RunningProcess | undefined;
  let dir: TempDir | undefined;
  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir('pgx-cli-');
  });
  after(async () => {
    await pushgateway?.stop();
    await dir?.remove();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} used before the block's before hook ran`);
    return value;
  };
  return {
    get pushgateway() { return started(pushgateway, 'pushgateway'); },
    get dir() { return started(dir, 'dir'); },
    get env() { return { PUSHGATEWAY_URL: started(pushgateway, 'pushgateway').url }; },
  };
}
