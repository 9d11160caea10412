import { parseSchedule } from '../rules/schedule.ts';
import { sharingSchedules } from '../rules/shared-schedules.ts';
import type { ConfigOverrides, ExporterConfig } from './config-types.ts';
import { validateConfigData } from './config-validation.ts';

/**
 * Validates a parsed config (plain data, as parseConfigYaml returns it) and fills in defaults, its
 * schedules compiled with croner (lib/core/config/config-validation.ts). Pure: no I/O, no
 * environment. Throws a ConfigError listing every problem by path.
 */
export function validateConfig(raw: unknown, overrides: ConfigOverrides = {}, source?: string): ExporterConfig {
  return validateConfigData(raw, overrides, source, sharingSchedules(parseSchedule));
}
