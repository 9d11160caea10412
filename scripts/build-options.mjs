// The esbuild options every entry point is built with (scripts/build.mjs); a test builds the Lambda
// entry with them to read its import graph (test/unit/lambda-init-graph.test.ts).

/** `bundledConfig`: the pre-parsed config.yml (scripts/bundled-config.mjs), or null. */
export function buildOptions(bundledConfig) {
  return {
    bundle: true,
    platform: 'node',
    // Runs on the Lambda runtime (nodejs24.x) and on the Node 20 that runs serverless-offline.
    target: 'node20',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    minify: process.env.BUILD_MINIFY !== 'false',
    legalComments: 'none',
    // undici and the AWS SDK are CommonJS and require node built-ins; an ESM bundle needs a require()
    // for them. It is made on the first call: importing node:module at every file's top would load it
    // (and its source-map support) on a cold start that requires nothing (docs/deploying.md#cold-start).
    banner: { js: "let __pgxRequire; const require = (id) => (__pgxRequire ??= process.getBuiltinModule('node:module').createRequire(import.meta.url))(id);" },
    logLevel: 'warning',
    define: { BUNDLED_CONFIG: JSON.stringify(bundledConfig) },
  };
}
