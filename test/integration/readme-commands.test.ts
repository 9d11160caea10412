// The commands README.md and docs/ give for use beside the local stack (`npm run local`), run as
// written against a real Pushgateway standing in for the stack's: only the ports change (the
// stack's 9091, and the ports the commands pick beside it, become free ones). Every command that
// reaches a Pushgateway must say where it is: the shipped config.yml names it `pushgateway`, a
// name that resolves only inside Docker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bareEnv, codeBlocks, projectDocs, retarget, runShell, shellCommands, type CodeBlock,
} from '../support/doc-commands.ts';
import {
  freePort, getText, pushHeartbeat, sampleValue, startProcess, startPushgateway, type RunningProcess,
} from '../support/processes.ts';

/** The local stack's Pushgateway port, as the docs write it. */
const STACK_PUSHGATEWAY_PORT = 9091;
/** Ports the docs choose for a second exporter beside the stack (npm run serve, npm start). */
const SIDE_PORTS = [9117, 9118, 3003];

interface DocCommand { readonly file: string; readonly command: string; readonly block?: CodeBlock }

const CLI = /(^|[\s;&|])(npx )?pushgateway-exporter (push|probe|check-config)\b/;
const REACHES_PUSHGATEWAY = /(^|[\s;&|])((npx )?pushgateway-exporter (push|probe)\b|npm run serve\b|npm start\b)/;

/** Commands of the docs' `sh`/`console` blocks, and inline ones that set a variable before npm or npx. */
function docCommands(docs: readonly [string, string][]): DocCommand[] {
  const commands: DocCommand[] = [];
  for (const [file, text] of docs) {
    for (const block of codeBlocks(text, file)) {
      for (const { command } of shellCommands([block])) commands.push({ file, command, block });
    }
    for (const match of text.replace(/```[\s\S]*?```/g, '').matchAll(/`((?:[A-Z_]+=\S+ )+(?:npm|npx) [^`]+)`/g)) {
      commands.push({ file, command: (match[1] ?? '').replace(/\s*\n\s*/g, ' ') });
    }
  }
  return commands;
}

/** The output a `console` block shows after `$ command`, up to the next `$`. */
function documentedOutput(block: CodeBlock, command: string): string[] {
  const lines = block.code.split('\n');
  const start = lines.indexOf(`$ ${command}`);
  if (start === -1) return [];
  const end = lines.findIndex((line, index) => index > start && line.startsWith('$ '));
  return lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line !== '');
}

describe('README and docs commands beside the local stack, as written', () => {
  let pushgateway: RunningProcess;
  let commands: DocCommand[];
  let ports: Record<number, number>;
  let heartbeat: NodeJS.Timeout | undefined;
  const asWritten = (command: string) => retarget(command, ports);

  before(async () => {
    pushgateway = await startPushgateway();
    ports = { [STACK_PUSHGATEWAY_PORT]: pushgateway.port };
    for (const port of SIDE_PORTS) ports[port] = await freePort();
    commands = docCommands(await projectDocs());
    // The stack's demo heartbeat: service1 every 2 s.
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    heartbeat = setInterval(() => void pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000).catch(() => undefined), 2000);
  });
  after(async () => {
    clearInterval(heartbeat);
    await pushgateway?.stop();
  });

  it('every command that reaches a Pushgateway says where it is, in the command itself', () => {
    const reaching = commands.filter(({ command }) => REACHES_PUSHGATEWAY.test(command) && !command.startsWith('docker '));
    assert.ok(reaching.length >= 5, `found: ${reaching.map(({ command }) => command).join('\n')}`);
    for (const { file, command } of reaching) {
      assert.match(command, /(^|\s)PUSHGATEWAY_URL=\S+ |--pushgateway \S+/, `${file}: ${command}`);
    }
  });

  it('the CLI is run as npx pushgateway-exporter, which works in a fresh clone after npm ci', () => {
    const cli = commands.filter(({ command }) => CLI.test(command));
    assert.ok(cli.length >= 5);
    for (const { file, command } of cli) assert.match(command, /(^|\s)npx pushgateway-exporter /, `${file}: ${command}`);
  });

  it('the CLI commands give what the docs show (exit 0 and silence for sh blocks, the shown lines for console blocks)', async () => {
    const cli = commands.filter(({ command, block }) => CLI.test(command) && block !== undefined);
    for (const { file, command, block } of cli) {
      const run = await runShell(asWritten(command), bareEnv());
      const where = `${file}: ${command}\n${run.stdout}${run.stderr}`;
      if (block?.lang === 'sh') {
        assert.deepEqual([run.code, run.stderr], [0, ''], where);
        continue;
      }
      const shown = documentedOutput(block ?? { file, lang: '', code: '' }, command);
      // Lines with "…" or a measured figure (1.2s) vary; every other shown line is printed as is.
      const fixed = shown.filter((line) => !line.includes('…') && !/\d\.\d+s\b/.test(line));
      assert.ok(fixed.length > 0, where);
      for (const line of fixed) assert.ok(run.stdout.split('\n').includes(line) || run.stderr.split('\n').includes(line), `${where}\nmissing: ${line}`);
      const exit = block?.code.includes(`$ ${command}\n`) ? /\$ echo \$\?\n(\d+)/.exec(block.code.slice(block.code.indexOf(`$ ${command}\n`)))?.[1] : undefined;
      if (exit !== undefined) assert.equal(run.code, Number(exit), where);
    }
  });

  it('the curl heartbeat pushes reach the Pushgateway as written', async () => {
    const pushes = commands.filter(({ command }) => /\|\s*curl .*:9091\//.test(command));
    assert.ok(pushes.length >= 2);
    for (const { file, command } of pushes) {
      const run = await runShell(asWritten(command), bareEnv());
      assert.deepEqual([run.code, run.stderr], [0, ''], `${file}: ${command}`);
    }
  });

  for (const script of ['npm run serve', 'npm start'] as const) {
    it(`${script} beside the stack, as written, probes service1 as up`, { timeout: 180_000 }, async () => {
      const [start] = commands.filter(({ command }) => command.endsWith(script) && command.includes('PUSHGATEWAY_URL='));
      assert.ok(start !== undefined, `the docs show ${script} beside the stack`);
      const command = asWritten(start.command);
      const port = Number(/(?:^|\s)PORT=(\d+)/.exec(command)?.[1]);
      assert.ok(SIDE_PORTS.map((side) => ports[side]).includes(port), `${start.command}: a PORT beside the stack's 9116`);
      const url = `http://127.0.0.1:${port}`;
      const server = await startProcess('sh', ['-c', command], { readyUrl: `${url}/-/healthy`, url, port, env: bareEnv(), timeoutMs: 120_000 });
      try {
        // The commands shown after it in its block (a curl of the probe), else the probe itself.
        const lines = start.block === undefined ? [] : shellCommands([start.block]).map((line) => line.command);
        const after = lines.slice(lines.indexOf(start.command) + 1);
        const probes = after.length > 0 ? after : [`curl -s 'localhost:${port}/probe?target=service1'`];
        for (const probe of probes) {
          const run = await runShell(asWritten(probe), bareEnv());
          assert.equal(run.code, 0, `${probe}\n${run.stderr}`);
          assert.equal(sampleValue(run.stdout, 'probe_success'), 1, `${probe}\n${run.stdout}\n${server.output()}`);
        }
        assert.equal(sampleValue((await getText(`${url}/probe?target=service1`)).body, 'probe_pushgateway_up'), 1);
      } finally {
        await server.stop();
      }
    });
  }
});
