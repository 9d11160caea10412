import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { runPackaging } from '../support/packaging-lock.ts';

// dist/ keeps an older build's chunks for an hour, for a process still running on them
// (scripts/swap-build.mjs); `npm run package` zips only the chunks the packaged functions import
// (scripts/serverless-package-chunks.cjs).

const run = promisify(execFile);
const STALE = join(PROJECT_ROOT, 'dist', 'chunks', 'stale-from-an-older-build-TESTPLNT.mjs');

describe('npm run package with an older build\'s chunk in dist/', () => {
  let dir: TempDir;
  let entries: string[];

  before(async () => {
    dir = await tempDir('pgx-package-stale-');
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && key !== 'REAP_SCHEDULE') env[key] = value;
    // Built first, so the planted chunk is in place when the package step zips dist/.
    await run('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, env, timeout: 240_000 });
    await writeFile(STALE, 'export const stale = 1;\n');
    const out = join(dir.path, 'out');
    await runPackaging(join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', 'prod', '--package', out], {
      cwd: PROJECT_ROOT, env: { ...env, HOME: dir.path, AUTH_TOKEN: 'scrape-token' }, timeout: 240_000,
    });
    entries = (await run('unzip', ['-Z1', join(out, 'pushgateway-exporter.zip')])).stdout.trim().split('\n');
  });
  after(async () => {
    await rm(STALE, { force: true });
    await dir?.remove();
  });

  it('leaves the older chunk out and keeps every chunk the probe imports, lazily or not', async () => {
    assert.ok(!entries.includes('dist/chunks/stale-from-an-older-build-TESTPLNT.mjs'), entries.join('\n'));
    assert.ok(entries.includes('dist/probe.mjs'));
    // Every chunk the probe's entry reaches is in: the AWS SDK's lazy chunk among them.
    const reachable: string[] = [];
    const pending = ['dist/probe.mjs'];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (reachable.includes(file)) continue;
      reachable.push(file);
      const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["']\.\/(chunks\/[^"']+|[^"'/]+)["']/g)) {
        pending.push(join(file.startsWith('dist/chunks/') ? 'dist/chunks' : 'dist', match[1] ?? ''));
      }
    }
    for (const file of reachable) assert.ok(entries.includes(file), `${file} missing from the zip`);
    assert.ok(reachable.some((file) => file.includes('ssm-parameter-reader')), reachable.join('\n'));
    // Nothing but the probe's files and config.yml (no reaper without REAP_SCHEDULE).
    const chunksInZip = entries.filter((entry) => entry.startsWith('dist/chunks/'));
    assert.deepEqual(chunksInZip.sort(), reachable.filter((file) => file.startsWith('dist/chunks/')).sort());
    assert.ok((await readdir(join(PROJECT_ROOT, 'dist', 'chunks'))).includes('stale-from-an-older-build-TESTPLNT.mjs'), 'the older chunk stays in dist/ for running processes');
  });
});
