// Bundles the entry points into minified ESM (no node_modules in the package). The AWS SDK,
// imported dynamically only when CONFIG_SSM_PARAMETER is set, lands in a chunk of its own so
// the YAML-file path never loads it.
//   dist/probe.mjs (+ dist/chunks/)  the Lambda handler, packaged by serverless.yml
//   dist/server/server.mjs           `npm run serve`, the standalone node:http server
//   dist/cli/pushgateway-exporter.mjs  the `pushgateway-exporter` command (package.json "bin"); each
//                                    subcommand is a chunk of its own, loaded when it runs, so a
//                                    cron `push` starts without parsing the exporter or the AWS SDK
// `npm ci` runs this too (the "prepare" script), so the command works right after a clone.
import { chmod, readFile, rm } from 'node:fs/promises';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  // Runs on the Lambda runtime (nodejs22.x) and on the Node 20 that runs serverless-offline.
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: process.env.BUILD_MINIFY !== 'false',
  legalComments: 'none',
  // undici is CommonJS and requires node built-ins; an ESM bundle needs a require() for them.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
};

await rm('dist', { recursive: true, force: true });
await build({ ...common, entryPoints: { probe: 'functions/probe.ts' }, outdir: 'dist' });
await build({ ...common, entryPoints: { server: 'functions/server.ts' }, outdir: 'dist/server' });

const { version } = JSON.parse(await readFile('package.json', 'utf8'));
await build({
  ...common,
  entryPoints: { 'pushgateway-exporter': 'functions/cli.ts' },
  outdir: 'dist/cli',
  banner: { js: `#!/usr/bin/env node\n${common.banner.js}` },
  define: { PACKAGE_VERSION: JSON.stringify(version) },
});
await chmod('dist/cli/pushgateway-exporter.mjs', 0o755);
