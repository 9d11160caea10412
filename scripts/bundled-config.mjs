// The config.yml shipped pre-parsed (docs/deploying.md#cold-start): the build parses and validates
// it with the exporter's own code, so a failing config fails the build with its one-line problems,
// and the Lambda loads the YAML parser only for a config that is not this text.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { build } from 'esbuild';

/** The exporter's YAML parser and validator, bundled in memory for this script (plain node cannot import .ts). */
async function configParser() {
  const { outputFiles } = await build({
    stdin: {
      contents: [
        "export { parseConfigYaml } from './lib/core/config/config-yaml.ts';",
        "export { validateConfig } from './lib/core/config/validate-config.ts';",
      ].join(' '),
      resolveDir: process.cwd(), loader: 'ts',
    },
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'warning',
    // yaml is CommonJS and requires node built-ins; a data: module has no URL of its own to require from.
    banner: { js: `import { createRequire } from 'node:module'; const require = createRequire(${JSON.stringify(pathToFileURL(join(process.cwd(), 'package.json')).href)});` },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`);
}

/**
 * `{ text, json }` for lib/edges/bundled-config.ts, or null (no such file, or data JSON cannot
 * carry exactly, such as .inf: that config goes through the YAML parser at run time). Throws an
 * Error whose message is the config's one-line problems when it does not validate.
 */
export async function preparseConfig(path) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') return null;
    throw error;
  }
  const { parseConfigYaml, validateConfig } = await configParser();
  const data = parseConfigYaml(text, path);
  // PUSHGATEWAY_URL may supply a missing pushgateway_url at run time: only the file's own problems fail the build.
  const overrides = data !== null && typeof data === 'object' && 'pushgateway_url' in data ? {} : { pushgatewayUrl: 'http://pushgateway-url.invalid' };
  validateConfig(data, overrides, path);
  const json = JSON.stringify(data);
  if (json === undefined || !isDeepStrictEqual(JSON.parse(json), data)) return null;
  return { text, json };
}
