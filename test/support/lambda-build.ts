import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Metafile } from 'esbuild';
import { buildOptions } from '../../scripts/build-options.mjs';
import { buildLambda } from '../../scripts/lambda-bundle.mjs';

// The Lambda entry's init graph, for the tests of what a cold start loads (docs/deploying.md#cold-start).

const OUTDIR = join(tmpdir(), 'lambda-init-graph');

/**
 * The Lambda entry built as scripts/build.mjs builds it, in memory: the metafile (of the entry and its
 * chunks, scripts/lambda-bundle.mjs) and the text of each output file (by metafile path).
 */
export async function lambdaBuildWithText(): Promise<{ metafile: Metafile; texts: Map<string, string> }> {
  const { metafile, outputFiles } = await buildLambda(buildOptions(null), OUTDIR, { write: false });
  // The metafile names outputs relative to the working directory, as esbuild was given the outdir.
  const texts = new Map(outputFiles.map((file) => [relative(process.cwd(), file.path), file.text]));
  return { metafile, texts };
}

/** The Lambda entry's metafile, built as scripts/build.mjs builds it, in memory. */
export async function lambdaBuild(): Promise<Metafile> {
  return (await lambdaBuildWithText()).metafile;
}

/**
 * Walks the output files the probe entry loads: through static imports only, or through import()
 * too (`kind` 'any'). Returns those files and the external modules (node: built-ins) they import
 * statically.
 */
export function walkOutputs(metafile: Metafile, kind: 'import-statement' | 'any'): { files: Set<string>; builtins: Set<string> } {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((path) => outputs[path]?.entryPoint === 'functions/probe.ts');
  assert.ok(entry, 'the probe entry is among the outputs');
  const files = new Set<string>();
  const builtins = new Set<string>();
  const stack = [entry];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (files.has(next)) continue;
    files.add(next);
    for (const imported of outputs[next]?.imports ?? []) {
      if (imported.external) {
        if (imported.kind === 'import-statement') builtins.add(imported.path);
      } else if (kind === 'any' || imported.kind === 'import-statement') stack.push(imported.path);
    }
  }
  return { files, builtins };
}

/** The inputs of every output file the entry loads (at import time, or with 'any' through import() too). */
export function staticInputs(metafile: Metafile, kind: 'import-statement' | 'any'): Set<string> {
  const outputs = metafile.outputs;
  return new Set([...walkOutputs(metafile, kind).files].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {})));
}
