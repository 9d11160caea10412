import assert from 'node:assert/strict';
import type { ConfigOverrides, ExporterConfig } from '../../lib/core/config/config-types.ts';
import { validateConfig } from '../../lib/core/config/validate-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';

/** A config that reads one Pushgateway, with `fields` added: plain data, as parseConfigYaml gives it. */
export const withGateway = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({ pushgateway_url: 'http://gateway:9091', ...fields });

/** The problems validateConfig lists for plain data `raw`; fails when the config is accepted. */
export function validationProblems(raw: unknown, overrides: ConfigOverrides = {}): readonly string[] {
  try {
    validateConfig(raw, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('config was accepted');
}

/** The config validateConfig makes of `fields` added to one Pushgateway. */
export const validated = (fields: Record<string, unknown> = {}, overrides: ConfigOverrides = {}): ExporterConfig => validateConfig(withGateway(fields), overrides);
