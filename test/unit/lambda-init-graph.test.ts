import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Metafile } from 'esbuild';
import { lambdaBuild, lambdaBuildWithText, staticInputs, walkOutputs } from '../support/lambda-build.ts';

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

  it('does not load croner: the bundled config.yml has no schedule, and croner loads for a config that has one', async () => {
    const metafile = await lambdaBuild();
    assert.deepEqual(fromPackage(staticInputs(metafile, 'import-statement'), 'croner'), [], 'croner in the init graph');
    assert.ok(!staticInputs(metafile, 'import-statement').has('lib/core/rules/schedule.ts'), 'the schedule parser in the init graph');
    assert.ok(fromPackage(staticInputs(metafile, 'any'), 'croner').length > 0, 'croner in a lazy chunk');
  });

  it('does not load node:v8 or node:vm (the young-garbage collector loads them on first use)', async () => {
    const builtins = staticBuiltins(await lambdaBuild());
    assert.ok(builtins.has('node:zlib'), `the reader's node:zlib is among the static built-ins: ${[...builtins].join(', ')}`);
    assert.ok(!builtins.has('node:v8'), 'node:v8 at init');
    assert.ok(!builtins.has('node:vm'), 'node:vm at init');
  });

  it('imports no node:http as an ES module: the reader takes it from process.getBuiltinModule', async () => {
    // On Node 24 the ES module facade of node:http loads undici (docs/performance.md#nodehttp-without-its-es-module-facade).
    const { metafile, texts } = await lambdaBuildWithText();
    assert.ok(!staticBuiltins(metafile).has('node:http'), 'node:http imported at init');
    const files = [...walkOutputs(metafile, 'import-statement').files];
    assert.match(texts.get(files[0] as string) ?? '', /getBuiltinModule\(["']node:http["']\)/, 'the reader reaches node:http through process.getBuiltinModule');
  });

  it('does not load node:module: the require() CommonJS packages need is made on their first call', async () => {
    const { metafile, texts } = await lambdaBuildWithText();
    const files = [...walkOutputs(metafile, 'import-statement').files];
    assert.ok(files.length > 0 && files.every((file) => texts.has(file)), `the text of every file loaded at init: ${files.join(', ')}`);
    // The banner esbuild prepends to every file is not in the metafile: the text is what node reads.
    const importing = files.filter((file) => /(?:^|[;\s])import\s*(?:\{[^}]*\}\s*from\s*)?["']node:module["']/.test(texts.get(file) ?? ''));
    assert.deepEqual(importing, [], 'files loaded at init that import node:module');
    assert.ok(texts.get(files[0] as string)?.includes("getBuiltinModule('node:module')"), 'the lazy require in the banner');
  });

  it('loads one file; the chunks import the modules they share with it from probe.mjs, so none has two instances', async () => {
    const metafile = await lambdaBuild();
    const { files } = walkOutputs(metafile, 'import-statement');
    assert.equal(files.size, 1, `files loaded at init: ${[...files].join(', ')}`);
    const [probe = ''] = files;
    // The modules whose code an output file holds (a define's constant is data, not a module).
    const codeIn = (output: string): string[] => Object.entries(metafile.outputs[output]?.inputs ?? {})
      .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && !input.startsWith('<define:')).map(([input]) => input);
    const inProbe = new Set(codeIn(probe));
    assert.ok(inProbe.has('lib/core/errors.ts') && inProbe.has('lib/http/routes.ts'), 'the errors and the route table in probe.mjs');
    const chunks = [...walkOutputs(metafile, 'any').files].filter((file) => file !== probe);
    assert.ok(chunks.length > 0, 'import() targets in chunks');
    assert.deepEqual(chunks.flatMap((chunk) => codeIn(chunk).filter((input) => inProbe.has(input))), [], 'modules in probe.mjs and in a chunk');
    // The check-in route answers with the route table's helpers (textResponse, the bearer check): probe.mjs's own.
    const checkIn = chunks.find((chunk) => codeIn(chunk).includes('lib/http/check-in-route.ts'));
    assert.ok(checkIn !== undefined, 'the check-in route in a chunk');
    assert.ok(metafile.outputs[checkIn]?.imports.some((imported) => imported.path === probe && imported.kind === 'import-statement'), 'the check-in route imports probe.mjs');
  });

  it('does not load node:crypto (request ids, bearer digests and hash seeds reach it only when used)', async () => {
    const builtins = staticBuiltins(await lambdaBuild());
    assert.ok(!builtins.has('node:crypto') && !builtins.has('crypto'), `node:crypto at init: ${[...builtins].join(', ')}`);
  });
});
