import { resolve } from 'node:path';
import type { CliOutput } from './cli-command.ts';
import type { ConfigOverrides, DiscoveryConfig } from '../core/config/config-types.ts';
import { parseConfig } from '../core/config/parse-config.ts';
import { ConfigError, describeError } from '../core/errors.ts';
import { quote } from '../core/quote.ts';
import { configFileReason, readConfigText } from '../edges/config-file-text.ts';


/** What check-config adds when discover_services is on: the job filter and the cap. */
function discoveryNote(discovery: DiscoveryConfig | undefined): string {
  if (discovery === undefined) return '';
  const jobs = discovery.jobPatterns.length === 0 ? 'any job' : `jobs matching ${discovery.jobPatterns.map((pattern) => JSON.stringify(pattern)).join(', ')}`;
  return `; discover_services on: ${jobs}, at most ${discovery.maxServices} discovered`;
}

/**
 * `check-config`: parses each file exactly as the exporter would (with the same environment
 * overrides) and prints `FILE: OK (N services)`, or one `FILE: <path>: <problem>` line per problem.
 * 0 when every file is valid, 1 otherwise.
 */
export async function runCheckConfigCommand(files: readonly string[], overrides: ConfigOverrides, cwd: string, output: CliOutput): Promise<number> {
  let exitCode = 0;
  for (const path of files) {
    // A name with a line break or another control character is quoted, so it cannot print a line of its own.
    const file = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(path) ? quote(path, 200) : path;
    let text: string;
    try {
      text = await readConfigText(resolve(cwd, path));
    } catch (error) {
      output.stderr(`${file}: cannot read: ${configFileReason(error)}\n`);
      exitCode = 1;
      continue;
    }
    try {
      const config = parseConfig(text, overrides, file);
      const count = config.services.size;
      output.stdout(`${file}: OK (${count} ${count === 1 ? 'service' : 'services'}${discoveryNote(config.discovery)})\n`);
    } catch (error) {
      exitCode = 1;
      const problems = error instanceof ConfigError ? error.problems : [describeError(error)];
      for (const problem of problems) output.stderr(`${file}: ${problem}\n`);
    }
  }
  return exitCode;
}
