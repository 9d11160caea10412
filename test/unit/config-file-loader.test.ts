import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExporterError } from '../../lib/core/errors.ts';
import { configFromFileText, readConfigFile } from '../../lib/edges/config-file-loader.ts';
import { MAX_CONFIG_FILE_BYTES } from '../../lib/edges/config-file-text.ts';

/** What fs/promises' readFile rejects with for `path` (the reader before docs/performance-history.md's 2026-12-01 cold-probe round). */
const promisesError = async (path: string): Promise<Error & { code?: string }> => {
  try {
    await readFile(path, 'utf8');
  } catch (error) {
    return error as Error & { code?: string };
  }
  assert.fail(`${path} was readable`);
};

const rejection = async (path: string): Promise<ExporterError> => {
  try {
    await readConfigFile(path);
  } catch (error) {
    assert.ok(error instanceof ExporterError, `expected an ExporterError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${path} loaded`);
};

// docs/deploying.md#cold-start: the config file is read with node:fs's callback readFile; what a user sees is unchanged.
describe('readConfigFile reading the file', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'pgx-config-file-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('names a missing file and CONFIG_FILE in one line', async () => {
    const path = join(dir, 'missing.yml');
    const error = await rejection(path);
    assert.equal(error.code, 'CONFIG_UNAVAILABLE');
    assert.equal(error.message, `cannot read config file ${path}: no such file (set CONFIG_FILE to the config path)`);
    assert.equal((error.cause as { code?: string }).code, 'ENOENT');
  });

  it('gives a path node:fs refuses the reason fs/promises gives', async () => {
    const path = `${join(dir, 'nul')}\0.yml`;
    const expected = await promisesError(path);
    const error = await rejection(path);
    assert.equal(error.code, 'CONFIG_UNAVAILABLE');
    assert.equal(error.message, `cannot read config file ${path}: ${expected.message}`);
  });

  it('refuses what is no regular file at once, before any read: a directory, a named pipe with no writer, a device', async () => {
    const fifo = join(dir, 'pipe.yml');
    execFileSync('mkfifo', [fifo]);
    const table: [string, string][] = [[dir, 'is a directory, not a file'], [fifo, 'is a named pipe (FIFO), not a file'], ['/dev/zero', 'is a device, not a file']];
    for (const [path, reason] of table) {
      const started = performance.now();
      const error = await rejection(path);
      assert.equal(error.message, `cannot read config file ${path}: ${reason}`);
      assert.ok(performance.now() - started < 5_000, `${path} answered at once`);
    }
  });

  it('reads a file of up to 1 MiB and refuses a larger one, in one line', async () => {
    const full = join(dir, 'full.yml');
    await writeFile(full, `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES - 3)}\n`);
    assert.equal((await readConfigFile(full)).length, MAX_CONFIG_FILE_BYTES);
    const over = join(dir, 'over.yml');
    await writeFile(over, `# ${'x'.repeat(MAX_CONFIG_FILE_BYTES - 2)}\n`);
    assert.equal((await rejection(over)).message, `cannot read config file ${over}: is larger than 1048576 bytes (1 MiB), the most a config may hold`);
  });

  it('refuses text that is not UTF-8, naming the line, where it was read with replacement characters before', async () => {
    const path = join(dir, 'latin1.yml');
    await writeFile(path, Buffer.concat([Buffer.from('pushgateway_url: "http://a:9091"\nservices:\n  - name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    assert.equal((await rejection(path)).message, `cannot read config file ${path}: is not valid UTF-8 (line 3): save it as UTF-8`);
    // A replacement character written as UTF-8 on an earlier line is text, not the bad byte.
    await writeFile(path, Buffer.concat([Buffer.from('# \uFFFD\npushgateway_url: "http://a:9091"\n# '), Buffer.from([0xff]), Buffer.from('\n')]));
    assert.equal((await rejection(path)).message, `cannot read config file ${path}: is not valid UTF-8 (line 3): save it as UTF-8`);
  });

  it('reads the text as UTF-8, byte order mark and all, as fs/promises does', async () => {
    const path = join(dir, 'bom.yml');
    await writeFile(path, '\uFEFFpushgateway_url: "http://a:9091"\nservices:\n  - name: "sérvice"\n');
    const config = await configFromFileText(await readConfigFile(path), path, {}, undefined);
    assert.deepEqual([...config.services.keys()], ['sérvice']);
  });
});
