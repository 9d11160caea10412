import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { buildOptions } from '../../scripts/build-options.mjs';

/** The Lambda entry built as scripts/build.mjs builds it, in memory, with esbuild's metafile. */
async function lambdaBuild(): Promise<Metafile> {
  const { metafile } = await build({
    ...buildOptions(null), entryPoints: { probe: 'functions/probe.ts' }, outdir: join(tmpdir(), 'lambda-init-graph'), write: false, metafile: true,
  });
  assert.ok(metafile);
  return metafile;
}

/**
 * Walks the output files the probe entry loads: through static imports only, or through import()
 * too (`kind` 'any'). Returns those files and the external modules (node: built-ins) they import
 * statically.
 */
function walkOutputs(metafile: Metafile, kind: 'import-statement' | 'any'): { files: Set<string>; builtins: Set<string> } {
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
function staticInputs(metafile: Metafile, kind: 'import-statement' | 'any'): Set<string> {
  const outputs = metafile.outputs;
  return new Set([...walkOutputs(metafile, kind).files].flatMap((output) => Object.keys(outputs[output]?.inputs ?? {})));
}

/** The node: built-ins the output files the entry loads at import time import statically. */
const staticBuiltins = (metafile: Metafile): Set<string> => walkOutputs(metafile, 'import-statement').builtins;

const fromPackage = (inputs: Set<string>, name: string): string[] => [...inputs].filter((input) => input.includes(`node_modules/${name}/`));

// docs/deploying.md#cold-start: what a cold Lambda loads before its first answer.
describe('the Lambda entry (dist/probe.mjs) at init', () => {
  it('does not load the npm undici or the yaml parser; both stay reachable only through import()', async () => {
    const metafile = await lambdaBuild();
    const atInit = staticInputs(metafile, 'import-statement');
    assert.deepEqual(fromPackage(atInit, 'undici'), [], 'undici (npm) in the init graph');
    assert.deepEqual(fromPackage(atInit, 'yaml'), [], 'yaml in the init graph');
    assert.ok(atInit.has('lib/edges/pushgateway/pushgateway-reader.ts'), 'the reader is loaded at init');
    // The YAML parser is still in the bundle, for a config that is not the pre-parsed one.
    assert.ok(fromPackage(staticInputs(metafile, 'any'), 'yaml').length > 0, 'yaml in a lazy chunk');
  });

  it('does not load node:v8 or node:vm (the young-garbage collector loads them on first use)', async () => {
    const builtins = staticBuiltins(await lambdaBuild());
    assert.ok(builtins.has('node:http'), `the reader's node:http is among the static built-ins: ${[...builtins].join(', ')}`);
    assert.ok(!builtins.has('node:v8'), 'node:v8 at init');
    assert.ok(!builtins.has('node:vm'), 'node:vm at init');
  });

  it('does not load node:crypto (request ids, bearer digests and hash seeds reach it only when used)', async () => {
    const builtins = staticBuiltins(await lambdaBuild());
    assert.ok(!builtins.has('node:crypto') && !builtins.has('crypto'), `node:crypto at init: ${[...builtins].join(', ')}`);
  });
});
