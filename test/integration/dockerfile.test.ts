import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort, getText, PROJECT_ROOT, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

interface Instruction { readonly keyword: string; readonly args: string }

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile (no engine here: its structure, and its final stage run as files)', () => {
  let steps: Instruction[];
  let finalStage: Instruction[];

  before(async () => {
    steps = instructions(await readFile(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
    const lastFrom = steps.map((step) => step.keyword).lastIndexOf('FROM');
    finalStage = steps.slice(lastFrom);
  });

  it('builds in several stages from the official node image, pinned to a major version', () => {
    const froms = steps.filter((step) => step.keyword === 'FROM');
    assert.ok(froms.length >= 2, 'multi-stage');
    // Node 24, as the deployed Lambda runtime (nodejs24.x).
    for (const from of froms) assert.match(from.args, /^node:24(-[a-z]+)*(-slim)?( AS \w+)?$/i);
  });

  it('runs as a non-root user, exposes 9116, and starts the server bundle', () => {
    assert.deepEqual(finalStage.filter((step) => step.keyword === 'USER').map((step) => step.args), ['node']);
    assert.ok(finalStage.some((step) => step.keyword === 'EXPOSE' && step.args === '9116'));
    assert.deepEqual(finalStage.find((step) => step.keyword === 'CMD')?.args, '["node", "dist/server/server.mjs"]');
    assert.ok(!finalStage.some((step) => step.args.includes('node_modules')), 'final stage carries no node_modules');
  });

  it('copies only files that exist in the repository', () => {
    for (const step of steps.filter((s) => s.keyword === 'COPY' && !s.args.startsWith('--from'))) {
      const sources = step.args.split(/\s+/).slice(0, -1);
      for (const source of sources) assert.ok(existsSync(join(PROJECT_ROOT, source)), `COPY source ${source} missing`);
    }
  });

  describe("the final stage's files", () => {
    let dir: TempDir;
    let pushgateway: RunningProcess;
    let server: RunningProcess;

    before(async () => {
      // Exactly what the final stage copies: the server build and config.yml, no node_modules.
      dir = await tempDir('pgx-image-');
      await cp(join(PROJECT_ROOT, 'dist', 'server'), join(dir.path, 'dist', 'server'), { recursive: true });
      await cp(join(PROJECT_ROOT, 'config.yml'), join(dir.path, 'config.yml'));
      pushgateway = await startPushgateway();
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      server = await startProcess('node', ['dist/server/server.mjs'], {
        cwd: dir.path, readyUrl: `${url}/-/healthy`, url, port,
        env: { NODE_PATH: '', HOST: '127.0.0.1', PORT: String(port), PUSHGATEWAY_URL: pushgateway.url },
      });
    });
    after(async () => {
      await server?.stop();
      await pushgateway?.stop();
      await dir?.remove();
    });

    it('serve probes without node_modules, reading the bundled config.yml', async () => {
      const response = await getText(`${server.url}/probe?target=service2`);
      assert.equal(response.status, 200);
      assert.match(response.body, /^probe_pushgateway_up 1$/m);
      assert.match(response.body, /^probe_freshness_threshold_seconds 5$/m);
    });
  });
});
