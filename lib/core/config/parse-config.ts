import type { ConfigOverrides, ExporterConfig } from './config-types.ts';
import { parseConfigYaml } from './config-yaml.ts';
import { validateConfig } from './validate-config.ts';

/**
 * Parses and validates the exporter's YAML config: YAML text to plain data, then the field rules.
 * Pure: no I/O, no environment. Throws a ConfigError listing every problem by path.
 */
export function parseConfig(text: string, overrides: ConfigOverrides = {}, source?: string): ExporterConfig {
  return validateConfig(parseConfigYaml(text, source), overrides, source);
}
