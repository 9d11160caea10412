// Bundles the entry points into minified ESM (no node_modules in the package). The AWS SDK,
// imported dynamically only when CONFIG_SSM_PARAMETER is set, lands in a chunk of its own so
// the YAML-file path never loads it.
//   dist/probe.mjs (+ dist/chunks/)  the Lambda handler, packaged by serverless.yml
//   dist/server/server.mjs           `npm run serve`, the standalone node:http server
import { rm } from 'node:fs/promises';
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
