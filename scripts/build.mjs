// Bundles the entry points into minified ESM (no node_modules in the package), with config.yml
// validated and pre-parsed (docs/deploying.md#cold-start). The AWS SDK,
// imported dynamically only when CONFIG_SSM_PARAMETER is set, lands in a chunk of its own so
// the YAML-file path never loads it.
//   dist/probe.mjs (+ dist/chunks/)  the Lambda handler, packaged by serverless.yml: one file at init,
//                                    its import() targets in chunks (scripts/lambda-bundle.mjs)
//   dist/reaper.mjs                  the scheduled reaper (packaged only with REAP_SCHEDULE)
//   dist/server/server.mjs           `npm run serve`, the standalone node:http server
//   dist/cli/pushgateway-exporter.mjs  the `pushgateway-exporter` command (package.json "bin"); each
//                                    subcommand is a chunk of its own, loaded when it runs, so a
//                                    cron `push` starts without parsing the exporter or the AWS SDK
// `npm ci` runs this too (the "prepare" script), so the command works right after a clone.
// Each build writes to a staging folder of its own and is swapped into dist/ file by file
// (scripts/swap-build.mjs): any script may build while the local stack runs from dist/.
import { chmod, readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildOptions } from './build-options.mjs';
import { buildLambda } from './lambda-bundle.mjs';
import { preparseConfig } from './bundled-config.mjs';
import { pruneChunks, swapBuild } from './swap-build.mjs';

// config.yml validated now and shipped pre-parsed (scripts/bundled-config.mjs); an invalid one fails the build.
let bundledConfig;
try {
  bundledConfig = await preparseConfig('config.yml');
} catch (error) {
  process.stderr.write(`build: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const common = buildOptions(bundledConfig);

const staging = join('.build-staging', `${process.pid}-${Date.now()}`);
// A failed build leaves dist/ as it was.
process.on('exit', () => rmSync(staging, { recursive: true, force: true }));
// One file at init: the chunks import the modules they share with it from probe.mjs (scripts/lambda-bundle.mjs).
await buildLambda(common, staging);
// The reaper is built apart from the probe, so the probe's bundle and init graph stay as they are.
await build({ ...common, entryPoints: { reaper: 'functions/reaper.ts' }, outdir: staging });
await build({ ...common, entryPoints: { server: 'functions/server.ts' }, outdir: join(staging, 'server') });

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
await build({
  ...common,
  entryPoints: { 'pushgateway-exporter': 'functions/cli.ts' },
  outdir: join(staging, 'cli'),
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
  define: { ...common.define, PACKAGE_VERSION: JSON.stringify(version) },
});
await chmod(join(staging, 'cli/pushgateway-exporter.mjs'), 0o755);

await swapBuild(staging, 'dist');
await pruneChunks('dist', ['probe.mjs', 'reaper.mjs', 'server/server.mjs', 'cli/pushgateway-exporter.mjs']);
