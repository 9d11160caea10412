import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { parseConfigYaml } from '../../lib/core/config/config-yaml.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import type { ConfigOverrides } from '../../lib/core/config/config-types.ts';
import type { PreparsedConfig } from '../../lib/edges/bundled-config.ts';
import { configFromFileText, readConfigFile } from '../../lib/edges/config-file-loader.ts';
import { preparseConfig } from '../../scripts/bundled-config.mjs';

// docs/deploying.md#cold-start: the build ships config.yml pre-parsed; the YAML path is the reference.
/** The config file at `path` as the runtime loads it: read, then validated (pre-parsed or through YAML). */
const loadConfigFile = async (path: string, overrides: ConfigOverrides, preparsed: PreparsedConfig | undefined) =>
  configFromFileText(await readConfigFile(path), path, overrides, preparsed);
/** A config as text: a schedule holds a croner object, equal in every field but not deep-equal by reference. */
const shown = (config: unknown): string => inspect(config, { depth: Infinity, sorted: true, getters: false });

describe('the pre-parsed config.yml (scripts/bundled-config.mjs, lib/edges/bundled-config.ts)', () => {
  let dir: string;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  };
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'pgx-bundled-config-')); });
  after(() => rm(dir, { recursive: true, force: true }));

  it('gives the shipped config.yml the same config as the YAML parser, with and without overrides', async () => {
    const preparsed = await preparseConfig('config.yml');
    assert.ok(preparsed, 'the shipped config.yml is pre-parsed');
    for (const overrides of [{}, { pushgatewayUrl: 'http://127.0.0.1:9091', pushgatewayBearerToken: 'token' }]) {
      assert.deepEqual(await loadConfigFile('config.yml', overrides, preparsed), await loadConfigFile('config.yml', overrides, undefined));
    }
  });

  it('gives a config with every kind of value the same config on both paths', async () => {
    const text = [
      'pushgateway_url: "http://user:pass@pushgateway:9091/prefix"', 'scrape_interval_seconds: 2.5', 'max_body_bytes: 1048576',
      'defaults:', '  freshness_threshold_seconds: 60', 'services:', '  - name: "nightly-backup"', '    freshness_threshold_seconds: 90000',
      '  - name: "cron-job"', '    schedule: "0 2 * * *"', '    timezone: Europe/Berlin', '  - name: svc2', '',
    ].join('\n');
    const path = await file('every-kind.yml', text);
    const preparsed = await preparseConfig(path);
    assert.ok(preparsed);
    assert.equal(shown(await loadConfigFile(path, {}, preparsed)), shown(parseConfig(text, {}, path)));
  });

  it('refuses a bad cron expression in pre-parsed data with the problems the YAML path gives (croner loaded on demand)', async () => {
    for (const schedule of ['61 * * * *', 'x * * * *', '0 0 30 2 *', '0 9 * * * * 2030']) {
      const text = `pushgateway_url: "http://a:9091"\nservices:\n  - name: job\n    schedule: "${schedule}"\n`;
      const path = await file('bad-cron.yml', text);
      // As the build would have shipped it, had the file been valid there: its text and its data.
      const preparsed = { text, json: JSON.stringify(parseConfigYaml(text, path)) };
      const yamlPath = (() => {
        try {
          parseConfig(text, {}, path);
        } catch (error) {
          return (error as Error).message;
        }
        assert.fail(`the YAML path accepted ${schedule}`);
      })();
      assert.match(yamlPath, /services\[0\]\.schedule: /);
      await assert.rejects(loadConfigFile(path, {}, preparsed), (error: Error) => error.name === 'ConfigError' && error.message === yamlPath);
    }
  });

  it('parses an edited file (another SHA-256) with the YAML parser, never the stale pre-parsed data', async () => {
    const path = await file('edited.yml', 'pushgateway_url: "http://a:9091"\nservices:\n  - name: old\n');
    const preparsed = (await preparseConfig(path)) ?? undefined;
    await writeFile(path, 'pushgateway_url: "http://a:9091"\nservices:\n  - name: new\n');
    const config = await loadConfigFile(path, {}, preparsed);
    assert.deepEqual([...config.services.keys()], ['new']);
    // A YAML error in the edited file is reported as the YAML path reports it.
    await writeFile(path, 'pushgateway_url: "http://a:9091"\nservices: [\n');
    await assert.rejects(loadConfigFile(path, {}, preparsed), (error: Error) => error.name === 'ConfigError' && /yaml line/.test(error.message));
  });

  it('fails the build on an invalid config with the same one-line problems the runtime gives', async () => {
    const text = 'pushgateway_url: "http://a:9091"\nscrape_interval_seconds: -1\nservices:\n  - name: svc\n    freshnes_threshold_seconds: 5\n';
    const path = await file('invalid.yml', text);
    const runtime = (() => {
      try {
        parseConfig(text, {}, path);
      } catch (error) {
        return (error as Error).message;
      }
      assert.fail('the runtime accepted an invalid config');
    })();
    await assert.rejects(preparseConfig(path), (error: Error) => error.message === runtime && !runtime.includes('\n'));
  });

  it('lets PUSHGATEWAY_URL supply a missing pushgateway_url, as at run time', async () => {
    const path = await file('no-url.yml', 'services:\n  - name: svc\n');
    const preparsed = await preparseConfig(path);
    assert.ok(preparsed);
    const overrides = { pushgatewayUrl: 'http://127.0.0.1:9091' };
    assert.deepEqual(await loadConfigFile(path, overrides, preparsed), await loadConfigFile(path, overrides, undefined));
    await assert.rejects(loadConfigFile(path, {}, preparsed), /pushgateway_url: required/);
  });
});
