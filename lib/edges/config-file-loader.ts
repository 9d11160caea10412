import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConfigOverrides, ExporterConfig } from '../core/config/config-types.ts';
import { parseConfig } from '../core/config/parse-config.ts';
import { describeError, ExporterError } from '../core/errors.ts';

/** `CONFIG_FILE`, resolved against the working directory (the package root under npm, Lambda and serverless-offline). */
export function configFilePath(configFile: string | undefined, cwd: string): string {
  return resolve(cwd, configFile && configFile.length > 0 ? configFile : 'config.yml');
}

export async function loadConfigFile(path: string, overrides: ConfigOverrides): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file (set CONFIG_FILE to the config path)' : describeError(error);
    throw new ExporterError('CONFIG_UNAVAILABLE', `cannot read config file ${path}: ${reason}`, { cause: error });
  }
  return parseConfig(text, overrides, path);
}
