import { resolve } from 'node:path';
import type { ConfigOverrides, ExporterConfig } from '../core/config/config-types.ts';
import { validateConfigData } from '../core/config/config-validation.ts';
import { mentionsSchedule } from '../core/config/mentions-schedule.ts';
import { cronScheduleParser } from '../core/rules/cron-schedule.ts';
import { sharingSchedules } from '../core/rules/shared-schedules.ts';
import type { ScheduleParser } from '../core/rules/schedule-types.ts';
import { ExporterError } from '../core/errors.ts';
import { bundledConfig, preparsedData, type PreparsedConfig } from './bundled-config.ts';
import { configFileReason, ConfigFileProblem, readConfigText } from './config-file-text.ts';

/** `CONFIG_FILE`, resolved against the working directory (the package root under npm, Lambda and serverless-offline). */
export function configFilePath(configFile: string | undefined, cwd: string): string {
  return resolve(cwd, configFile && configFile.length > 0 ? configFile : 'config.yml');
}

type ConfigParser = typeof import('../core/config/parse-config.ts');
let parser: Promise<ConfigParser> | undefined;
const configParser = (): Promise<ConfigParser> => (parser ??= import('../core/config/parse-config.ts'));

/**
 * Starts loading the YAML parser without waiting for it, for a runtime that will need it (an SSM
 * config, or no pre-parsed config.yml): its first request's budget then does not pay the import.
 */
export function preloadConfigParser(): void {
  // A failed load is reported by the parse that needs it.
  configParser().catch(() => undefined);
}

/**
 * Parses and validates config text (lib/core/config/parse-config.ts). The YAML parser is imported
 * here, on first use, so a Lambda serving its bundled config.yml never loads it
 * (docs/deploying.md#cold-start).
 */
export async function parseConfigText(text: string, overrides: ConfigOverrides, source: string): Promise<ExporterConfig> {
  const { parseConfig } = await configParser();
  return parseConfig(text, overrides, source);
}

/** Never called: validation compiles a schedule only where the data has a `schedule` key. */
const noSchedules: ScheduleParser = (expression) => {
  throw new Error(`a schedule (${expression}) in config data without a schedule key`);
};

/**
 * The schedule parser for `data`: croner is imported only when the data has a schedule. The
 * bundled config.yml has none, so a cold Lambda does not load croner; only croner itself is
 * imported late, so no code of ours moves out of the init files into chunks of its own
 * (docs/deploying.md#cold-start).
 */
async function scheduleParserFor(data: unknown): Promise<ScheduleParser> {
  if (!mentionsSchedule(data)) return noSchedules;
  const { Cron } = await import('croner');
  return sharingSchedules(cronScheduleParser(Cron));
}

/** The config file's text (./config-file-text.ts); one that cannot be had fails with CONFIG_UNAVAILABLE, naming the path. */
export async function readConfigFile(path: string): Promise<string> {
  try {
    return await readConfigText(path);
  } catch (error) {
    const reason = configFileReason(error);
    const shown = reason === 'no such file' ? 'no such file (set CONFIG_FILE to the config path)' : reason;
    // node:fs's own error when there is one, as before.
    const cause = error instanceof ConfigFileProblem && error.cause !== undefined ? error.cause : error;
    throw new ExporterError('CONFIG_UNAVAILABLE', `cannot read config file ${path}: ${shown}`, { cause });
  }
}

/**
 * Validates the config file's `text` (read from `path`). When it is exactly the config.yml the
 * build pre-parsed, the build's data is validated instead of parsing the YAML again: the same
 * rules, the same errors, and an edited file (any other text) goes through the YAML parser.
 */
export async function configFromFileText(text: string, path: string, overrides: ConfigOverrides, preparsed: PreparsedConfig | undefined = bundledConfig): Promise<ExporterConfig> {
  const data = preparsedData(text, preparsed);
  if (data !== undefined) return validateConfigData(data, overrides, path, await scheduleParserFor(data));
  return parseConfigText(text, overrides, path);
}
