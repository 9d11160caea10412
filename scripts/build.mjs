// Bundles the Lambda handler into one minified ESM file (no node_modules in the package).
import { build } from 'esbuild';

await build({
  entryPoints: { probe: 'functions/probe.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  // Runs on the Lambda runtime (nodejs22.x) and on the Node 20 that runs serverless-offline.
  target: 'node20',
  format: 'esm',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  // undici is CommonJS and requires node built-ins; an ESM bundle needs a require() for them.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: false,
});
