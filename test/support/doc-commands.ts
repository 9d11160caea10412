import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT } from './processes.ts';

/** A fenced code block of a Markdown page: its info string (`sh`, `python`…) and its text. */
export interface CodeBlock {
  readonly file: string;
  readonly lang: string;
  readonly code: string;
}

/** Every fenced block (``` or ~~~, indented or not) of a Markdown text, in order. */
export function codeBlocks(markdown: string, file = ''): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { fence: string; indent: number; lang: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    const fence = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(line);
    if (open === undefined) {
      if (fence !== null) open = { fence: fence[2] ?? '```', indent: (fence[1] ?? '').length, lang: fence[3] ?? '', lines: [] };
    } else if (fence !== null && line.trim() === open.fence) {
      blocks.push({ file, lang: open.lang, code: `${open.lines.join('\n')}\n` });
      open = undefined;
    } else {
      open.lines.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
    }
  }
  return blocks;
}

/**
 * The shell commands of `sh` and `console` blocks: a `console` block's lines after `$ `, an `sh`
 * block's lines; continued lines (`\` at the end) joined, comments and blank lines dropped.
 */
export function shellCommands(blocks: readonly CodeBlock[]): { file: string; command: string }[] {
  const commands: { file: string; command: string }[] = [];
  for (const block of blocks) {
    if (block.lang !== 'sh' && block.lang !== 'console') continue;
    let pending = '';
    for (const raw of block.code.split('\n')) {
      const line = block.lang === 'console' && pending === '' ? (raw.startsWith('$ ') ? raw.slice(2) : undefined) : raw;
      if (line === undefined) continue;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        continue;
      }
      const command = (pending + line).trim();
      pending = '';
      if (command !== '' && !command.startsWith('#')) commands.push({ file: block.file, command });
    }
  }
  return commands;
}

/** README.md and every page of docs/, as [file, text]. */
export async function projectDocs(): Promise<[string, string][]> {
  const pages = (await readdir(join(PROJECT_ROOT, 'docs'))).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  return Promise.all(['README.md', ...pages].map(async (file): Promise<[string, string]> => [file, await readFile(join(PROJECT_ROOT, file), 'utf8')]));
}

/** The ports the docs write (`localhost:9091`, `PORT=9117`), pointed at the ports a test started instead. */
export function retarget(text: string, ports: Readonly<Record<number, number>>): string {
  return text.replace(/\b(localhost:|127\.0\.0\.1:|[A-Z_]*PORT=)(\d+)\b/g, (whole, before: string, port: string) => {
    const to = ports[Number(port)];
    return to === undefined ? whole : `${before}${to}`;
  });
}

export interface ShellRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command line with `sh -c` in the repository, as a user would type it. */
export function runShell(command: string, env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<ShellRun> {
  return runCommand('sh', ['-c', command], env, timeoutMs);
}

/** Runs a command in the repository and collects its output and exit code. */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** This process's environment without what the exporter and the CLI read: a command must bring its own. */
export function bareEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN', 'CONFIG_FILE', 'CONFIG_SSM_PARAMETER', 'AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'PUSH_TOKEN', 'LOG_LEVEL', 'PORT', 'HOST', 'OFFLINE_LAMBDA_PORT']) {
    delete env[name];
  }
  return { ...env, ...extra };
}
