import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExporterError } from '../../lib/core/errors.ts';
import { configFromFileText, readConfigFile } from '../../lib/edges/config-file-loader.ts';

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

  it('gives a path that is no file the reason fs/promises gives, as before', async () => {
    for (const path of [dir, `${join(dir, 'nul')}\0.yml`]) {
      const expected = await promisesError(path);
      const error = await rejection(path);
      assert.equal(error.code, 'CONFIG_UNAVAILABLE');
      assert.equal(error.message, `cannot read config file ${path}: ${expected.message}`);
      assert.equal((error.cause as { code?: string }).code, expected.code);
    }
  });

  it('reads the text as UTF-8, byte order mark and all, as fs/promises does', async () => {
    const path = join(dir, 'bom.yml');
    await writeFile(path, '\uFEFFpushgateway_url: "http://a:9091"\nservices:\n  - name: "sérvice"\n');
    const config = await configFromFileText(await readConfigFile(path), path, {}, undefined);
    assert.deepEqual([...config.services.keys()], ['sérvice']);
  });
});
