// The Lambda entry as one file at init (docs/deploying.md#cold-start): dist/probe.mjs holds every
// module a cold start loads, and each import() target is a chunk that imports the modules it shares
// with the entry from probe.mjs itself (renamed exports), so no module has a second instance. esbuild's
// splitting alone would put the shared modules in chunks of their own, each one more file at init.
// Three builds: the entry with every import() left out (what loads at init), the import() targets
// (split among themselves), the entry again exporting what the targets import from it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';

const ENTRY = 'functions/probe.ts';
const SHARED = 'pgx-shared';
const RESOLVING = 'pgx-resolving';

/** The name probe.mjs exports a shared module's export under: unique per module, stable per path. */
const alias = (path, name) => `m${createHash('sha256').update(relative(process.cwd(), path)).digest('hex').slice(0, 6)}$${name}`;

/** A module's exports (type-only ones are gone), from a throwaway bundle of it. */
async function exportsOf(common, path) {
  const { metafile } = await build({
    ...common, splitting: false, minify: false, entryPoints: [path], outdir: 'exports-of', write: false, metafile: true,
  });
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  if (output === undefined) throw new Error(`lambda bundle: no output for ${path}`);
  return output.exports;
}

/** Every import() left out of the build: `chunkOf` maps a target to its chunk (by then built), or null to only collect them. */
const lazyImports = (targets, initInputs, chunkOf) => ({
  name: 'pgx-lazy-imports',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.pluginData === RESOLVING) return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: RESOLVING });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      // node: built-ins stay as they are; a module the entry loads anyway stays in it.
      if (resolved.external || initInputs.has(resolved.path)) return undefined;
      targets.add(resolved.path);
      if (chunkOf === null) return { path: args.path, external: true };
      const chunk = chunkOf.get(resolved.path);
      if (chunk === undefined) throw new Error(`lambda bundle: no chunk for ${resolved.path}`);
      return { path: `./${chunk}`, external: true };
    });
  },
});

/** In the chunks: a module of the init graph becomes its exports, taken from ../probe.mjs. */
const sharedFromEntry = (common, initInputs, shared) => ({
  name: 'pgx-shared-from-entry',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind === 'entry-point' || args.namespace === SHARED || args.pluginData === RESOLVING) return undefined;
      const resolved = await pluginBuild.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: RESOLVING });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return !resolved.external && initInputs.has(resolved.path) ? { path: resolved.path, namespace: SHARED } : undefined;
    });
    pluginBuild.onResolve({ filter: /^\.\.\/probe\.mjs$/, namespace: SHARED }, () => ({ path: '../probe.mjs', external: true }));
    pluginBuild.onLoad({ filter: /.*/, namespace: SHARED }, async (args) => {
      const names = await exportsOf(common, args.path);
      shared.set(args.path, names);
      return { contents: `export { ${names.map((name) => `${alias(args.path, name)} as ${name}`).join(', ')} } from '../probe.mjs';`, loader: 'js' };
    });
  },
});

/** The entry, exporting every shared module's exports under their aliases. */
const entryExports = (shared) => ({
  name: 'pgx-entry-exports',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /[\\/]functions[\\/]probe\.ts$/ }, async (args) => {
      const lines = [...shared].sort(([a], [b]) => a.localeCompare(b))
        .map(([path, names]) => `export { ${names.map((name) => `${name} as ${alias(path, name)}`).join(', ')} } from ${JSON.stringify(path)};`);
      return { contents: `${await readFile(args.path, 'utf8')}\n${lines.join('\n')}\n`, loader: 'ts' };
    });
  },
});

/**
 * Builds dist/probe.mjs and its chunks into `outdir` with the `common` esbuild options. Returns one
 * metafile for both builds, where the entry's import()s and the chunks' imports of ../probe.mjs point
 * at the output files (as one split build's would), and the output files when `write` is false.
 */
export async function buildLambda(common, outdir, { write = true } = {}) {
  const cwd = process.cwd();
  const absolute = (path) => resolve(cwd, path);
  const targets = new Set();
  const scan = await build({
    // Not named probe: the bench reads the metafile of the build that outputs probe.mjs (row 1).
    ...common, splitting: false, minify: false, entryPoints: { 'init-graph': ENTRY }, outdir, write: false, metafile: true,
    plugins: [lazyImports(targets, new Set(), null)],
  });
  const initInputs = new Set(Object.keys(scan.metafile.inputs).map(absolute));

  const shared = new Map();
  const lazy = await build({
    // A target the entry also imports statically stays in the entry (lazyImports leaves it there).
    ...common, entryPoints: [...targets].filter((target) => !initInputs.has(target)).sort(), entryNames: 'chunks/[name]-[hash]', outdir, write, metafile: true,
    plugins: [sharedFromEntry(common, initInputs, shared)],
  });
  const chunkOf = new Map();
  const lazyOutputs = lazy.metafile.outputs;
  for (const [output, { entryPoint }] of Object.entries(lazyOutputs)) {
    if (entryPoint !== undefined) chunkOf.set(absolute(entryPoint), relative(resolve(outdir), absolute(output)));
  }

  const entry = await build({
    ...common, splitting: false, entryPoints: { probe: ENTRY }, outdir, write, metafile: true,
    plugins: [entryExports(shared), lazyImports(new Set(), initInputs, chunkOf)],
  });
  // One instance of each module: what the chunks hold themselves, the entry does not (a define's
  // constant may be in both: esbuild gives the chunks an empty module for it).
  const emitted = (outputs) => Object.values(outputs).flatMap((output) => Object.entries(output.inputs)
    .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && !input.startsWith('<define:')).map(([input]) => input));
  const inChunks = new Set(emitted(lazy.metafile.outputs));
  const twice = emitted(entry.metafile.outputs).filter((input) => inChunks.has(input));
  if (twice.length > 0) throw new Error(`lambda bundle: in probe.mjs and in a chunk: ${twice.join(', ')}`);
  const entryOutputs = entry.metafile.outputs;
  const probe = Object.keys(entryOutputs).find((output) => entryOutputs[output]?.entryPoint === ENTRY);
  if (probe === undefined) throw new Error('lambda bundle: no probe.mjs');
  const outputKey = (relativeToOutdir) => relative(cwd, resolve(outdir, relativeToOutdir));
  const outputs = {};
  for (const [output, meta] of Object.entries(entryOutputs)) {
    outputs[output] = {
      ...meta,
      imports: meta.imports.map((imported) => (imported.external && imported.kind === 'dynamic-import' && imported.path.startsWith('./chunks/')
        ? { path: outputKey(imported.path), kind: imported.kind } : imported)),
    };
  }
  for (const [output, meta] of Object.entries(lazyOutputs)) {
    outputs[output] = {
      ...meta,
      imports: meta.imports.map((imported) => (imported.external && imported.path === '../probe.mjs' ? { path: probe, kind: imported.kind } : imported)),
    };
  }
  return {
    metafile: { inputs: { ...lazy.metafile.inputs, ...entry.metafile.inputs }, outputs },
    outputFiles: [...(entry.outputFiles ?? []), ...(lazy.outputFiles ?? [])],
  };
}
