// The rooms of lib/ and the ways imports may point (docs/architecture.md), checked on the real tree
// with the rules `npm run lint:boundaries` applies, shown to catch what they forbid on a fixture
// tree, plus the text rules an import graph cannot see.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { PROJECT_ROOT } from '../support/processes.ts';

const CONFIG_FILE = join(PROJECT_ROOT, '.dependency-cruiser.cjs');
const TSCONFIG_FILE = join(PROJECT_ROOT, 'tsconfig.json');
const FIXTURE_ROOT = join(PROJECT_ROOT, 'test', 'fixtures', 'boundary-violations');
const MAX_LINES = 350;

/** The rule broken, by which import, as `rule: from → to`; npm packages by name wherever they resolve. */
async function violationsIn(baseDir: string): Promise<string[]> {
  const options = await extractDepcruiseOptions(CONFIG_FILE);
  const result = await cruise(
    ['lib', 'functions'],
    { ...options, baseDir, tsConfig: { fileName: TSCONFIG_FILE } },
    undefined,
    { tsConfig: extractTSConfig(TSCONFIG_FILE) },
  );
  const output = result.output as ICruiseResult;
  const packageName = (path: string): string => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? path;
  return output.summary.violations.map((violation) => `${violation.rule.name}: ${violation.from} → ${packageName(violation.to)}`).sort();
}

async function ruleNames(): Promise<string[]> {
  const options = await extractDepcruiseOptions(CONFIG_FILE);
  return (options.ruleSet?.forbidden ?? []).map((rule) => rule.name ?? '').sort();
}

/** The .ts files under `dir` of the project, as project-relative paths. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(PROJECT_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name))
    .sort();
}

const READS_PROCESS = /\bprocess\s*\.\s*(env|argv|cwd\s*\()/;
const READS_CLOCK_OR_RANDOM = /\bDate\.now\(|\bperformance\.now\(|\bprocess\.hrtime\b|\bMath\.random\(|\bnew Date\(\s*\)/;
const MODULE_LEVEL_MUTABLE = /^(export\s+)?(let|var)\s/;
const USES_PERFORMANCE_GLOBAL = /(?:\bglobalThis\.|(?<![.\w$]))performance\s*\.|\bperf_hooks\b/;
const USES_TIMERS_PROMISES = /\btimers\/promises\b/;

/** A source's lines without comment lines, so a comment may name what the code must not do. */
function codeLines(source: string): { line: number; text: string }[] {
  return source
    .split('\n')
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => !/^\s*(\/\/|\/\*|\*)/.test(text));
}

/** `file:line: text` for every code line of `files` matching `pattern`. */
function matches(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) => codeLines(readFileSync(join(PROJECT_ROOT, file), 'utf8')).filter(({ text }) => pattern.test(text)).map(({ line, text }) => `${file}:${line}: ${text.trim()}`));
}

describe('import boundaries (.dependency-cruiser.cjs)', () => {
  let fixtureViolations: Promise<string[]> | undefined;
  const inFixture = (): Promise<string[]> => (fixtureViolations ??= violationsIn(FIXTURE_ROOT));

  it('lib/ and functions/ break none of the rules', async () => {
    assert.deepEqual(await violationsIn(PROJECT_ROOT), []);
  });

  it('catches each forbidden import of a fixture tree, and none of its allowed ones', async () => {
    assert.deepEqual(await inFixture(), [
      'aws-sdk-only-in-ssm: lib/edges/uses-aws.ts → @aws-sdk/client-ssm',
      'cli-not-http: lib/cli/uses-http.ts → lib/http/door.ts',
      'core-is-pure: lib/core/uses-crypto.ts → crypto',
      'core-is-pure: lib/core/uses-edge.ts → lib/edges/leaf.ts',
      'edges-not-outward: lib/edges/uses-runtime.ts → lib/runtime/wiring.ts',
      'http-not-cli: lib/http/uses-cli.ts → lib/cli/command.ts',
      'http-util-through-getbuiltinmodule: lib/edges/uses-http-module.ts → http',
      'lib-not-functions: lib/http/uses-entry.ts → functions/entry.ts',
      'no-circular: lib/core/cycle-a.ts → lib/core/cycle-b.ts',
      'runtime-not-outward: lib/runtime/uses-http.ts → lib/http/door.ts',
      'undici-only-in-pushgateway: lib/runtime/uses-undici.ts → undici',
    ]);
  });

  it('npm test runs them right after the typecheck, so a forbidden import fails it', () => {
    const { scripts } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.match(scripts['lint:boundaries'] ?? '', /^depcruise lib functions --config \.dependency-cruiser\.cjs\b/);
    assert.match(scripts.test ?? '', /^npm run typecheck && npm run lint:boundaries && /);
  });

  it('has every rule shown by the fixture tree', async () => {
    const shown = new Set((await inFixture()).map((violation) => violation.split(':')[0]));
    assert.deepEqual((await ruleNames()).filter((name) => !shown.has(name)), []);
  });
});

describe('what an import graph cannot see', () => {
  const lib = tsFiles('lib');
  const core = tsFiles(join('lib', 'core'));

  it('nothing in lib/ reads process.env, process.argv or process.cwd() (functions/ pass them in)', () => {
    assert.deepEqual(matches(lib, READS_PROCESS), []);
  });

  it('nothing in lib/ or functions/ uses the performance global or perf_hooks (lib/edges/monotonic-clock.ts reads the clock)', () => {
    // Its first use loads perf_hooks and eight internal/perf modules at a cold start (docs/performance.md#the-cold-starts-clock-and-log-line).
    assert.deepEqual(matches([...lib, ...tsFiles('functions')], USES_PERFORMANCE_GLOBAL), []);
  });

  it('nothing in lib/ or functions/ uses node:timers/promises (lib/edges/time-slicing.ts has nextTurn)', () => {
    // Not in Node's startup snapshot: a cold start loaded it (docs/performance.md#the-cold-starts-timers).
    assert.deepEqual(matches([...lib, ...tsFiles('functions')], USES_TIMERS_PROMISES), []);
  });

  it('lib/core reads no clock and no randomness (the caller passes now, or a Clock)', () => {
    assert.deepEqual(matches(core, READS_CLOCK_OR_RANDOM), []);
  });

  it('lib/core holds no module-level mutable state (no top-level let or var)', () => {
    assert.deepEqual(matches(core, MODULE_LEVEL_MUTABLE), []);
  });

  it('the text checks flag what they look for, and neither comments nor look-alikes', () => {
    const flagged = (pattern: RegExp, source: string): string[] => codeLines(source).filter(({ text }) => pattern.test(text)).map(({ text }) => text.trim());
    assert.deepEqual(
      flagged(READS_PROCESS, "const a = process.env.X;\nconst b = process.argv[2];\nconst c = process.cwd();\n// process.env is read in functions/\nconst d = options.env;"),
      ['const a = process.env.X;', 'const b = process.argv[2];', 'const c = process.cwd();'],
    );
    assert.deepEqual(
      flagged(READS_CLOCK_OR_RANDOM, 'const a = Date.now();\nconst b = new Date();\nconst c = Math.random();\nconst d = performance.now();\nconst e = new Date(ms);\nconst f = process.hrtime();\n * never Date.now()'),
      ['const a = Date.now();', 'const b = new Date();', 'const c = Math.random();', 'const d = performance.now();', 'const f = process.hrtime();'],
    );
    assert.deepEqual(
      flagged(USES_PERFORMANCE_GLOBAL, "const a = performance.now();\nconst b = globalThis.performance.now();\nimport { performance } from 'node:perf_hooks';\nconst c = budget.performance.now();\nconst d = performanceFigures.x;\n// performance.now() is not used"),
      ['const a = performance.now();', 'const b = globalThis.performance.now();', "import { performance } from 'node:perf_hooks';"],
    );
    assert.deepEqual(
      flagged(USES_TIMERS_PROMISES, "import { setTimeout as sleep } from 'node:timers/promises';\nconst { setImmediate } = await import('timers/promises');\nimport { setTimeout } from 'node:timers';\n// not node:timers/promises"),
      ["import { setTimeout as sleep } from 'node:timers/promises';", "const { setImmediate } = await import('timers/promises');"],
    );
    assert.deepEqual(
      flagged(MODULE_LEVEL_MUTABLE, 'let a = 1;\nexport let b = 2;\nvar c = 3;\nconst d = 4;\n  let e = 5;'),
      ['let a = 1;', 'export let b = 2;', 'var c = 3;'],
    );
  });

  it(`no file in lib/ or functions/ is over ${MAX_LINES} lines`, () => {
    const long = [...lib, ...tsFiles('functions')]
      .map((file) => ({ file, lines: readFileSync(join(PROJECT_ROOT, file), 'utf8').trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(long, [], 'split the file by concept');
  });
});
