import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfigYaml } from '../../lib/core/config/config-yaml.ts';
import { FieldReader, Problems } from '../../lib/core/config/field-rules.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { validateConfig } from '../../lib/core/config/validate-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'config');

/** The outcome of a config stage: the config, or the problems it was refused with. */
function outcome(stage: () => unknown): unknown {
  try {
    return stage();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
}

describe('parseConfig is parseConfigYaml then validateConfig', () => {
  it('gives the same config or the same problems for every fixture', () => {
    for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.yml'))) {
      const text = readFileSync(join(FIXTURES, name), 'utf8');
      assert.deepEqual(outcome(() => parseConfig(text, {}, name)), outcome(() => validateConfig(parseConfigYaml(text, name), {}, name)), name);
    }
  });

  it('validates plain data with no YAML at all', () => {
    const config = validateConfig({ pushgateway_url: 'http://pg:9091/', services: [{ name: 'a', replicas: 2 }] });
    assert.deepEqual(config.pushgatewayUrls, ['http://pg:9091']);
    assert.equal(config.services.get('a')?.replicas, 2);
  });

  it('refuses YAML problems before any key is validated', () => {
    assert.throws(() => parseConfigYaml('a: [1\n', 'x.yml'), (error: unknown) => error instanceof ConfigError && /^invalid config in x\.yml: yaml line \d+, column \d+: /.test(error.message));
    assert.deepEqual(parseConfigYaml('timeout_seconds: !!float 3.0\nservices: [{name: a}]\n'), { timeout_seconds: 3, services: [{ name: 'a' }] });
  });
});

describe('FieldReader', () => {
  it('names each problem by its path, and reads an absent or inherited key as absent', () => {
    const problems = new Problems();
    const top = new FieldReader({ timeout_seconds: 'soon', services: [] }, '', problems);
    const service = top.nested('services[3]', { replica: 0, paused: 'yes', toString: 'x' });
    assert.equal(top.number('timeout_seconds'), undefined);
    assert.equal(service.number('replica', 'replicas'), undefined);
    assert.equal(service.boolean('paused'), undefined);
    assert.equal(top.has('constructor'), false);
    assert.equal(top.number('max_stale_seconds'), undefined);
    assert.deepEqual(problems.list, [
      'timeout_seconds: must be a positive number, got "soon"',
      'services[3].replica: must be a whole number between 1 and 1000, got 0',
      'services[3].paused: must be true or false, got "yes"',
    ]);
  });
});
