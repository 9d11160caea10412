// Bundles the Lambda handler into minified ESM (no node_modules in the package). The AWS SDK,
// imported dynamically only when CONFIG_SSM_PARAMETER is set, lands in its own chunk so the
// YAML-file path never loads it.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

await rm('dist', { recursive: true, force: true });
await build({
  entryPoints: { probe: 'functions/probe.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  // Runs on the Lambda runtime (nodejs22.x) and on the Node 20 that runs serverless-offline.
  target: 'node20',
  format: 'esm',
  minify: process.env.BUILD_MINIFY !== "false",
  sourcemap: false,
  legalComments: 'none',
  // undici is CommonJS and requires node built-ins; an ESM bundle needs a require() for them.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
