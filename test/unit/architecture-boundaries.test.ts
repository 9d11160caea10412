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

/** A file's lines without comment lines, so a comment may name what the code must not do. */
function codeLines(file: string): { line: number; text: string }[] {
  return readFileSync(join(PROJECT_ROOT, file), 'utf8')
    .split('\n')
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => !/^\s*(\/\/|\/\*|\*)/.test(text));
}

/** `file:line: text` for every code line of `files` matching `pattern`. */
function matches(files: readonly string[], pattern: RegExp): string[] {
  return files.flatMap((file) => codeLines(file).filter(({ text }) => pattern.test(text)).map(({ line, text }) => `${file}:${line}: ${text.trim()}`));
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
      'lib-not-functions: lib/http/uses-entry.ts → functions/entry.ts',
      'no-circular: lib/core/cycle-a.ts → lib/core/cycle-b.ts',
      'runtime-not-outward: lib/runtime/uses-http.ts → lib/http/door.ts',
      'undici-only-in-pushgateway: lib/runtime/uses-undici.ts → undici',
    ]);
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
    assert.deepEqual(matches(lib, /\bprocess\s*\.\s*(env|argv|cwd\s*\()/), []);
  });

  it('lib/core reads no clock and no randomness (the caller passes now, or a Clock)', () => {
    assert.deepEqual(matches(core, /\bDate\.now\(|\bperformance\.now\(|\bMath\.random\(|\bnew Date\(\s*\)/), []);
  });

  it('lib/core holds no module-level mutable state (no top-level let or var)', () => {
    assert.deepEqual(matches(core, /^(export\s+)?(let|var)\s/), []);
  });

  it(`no file in lib/ or functions/ is over ${MAX_LINES} lines`, () => {
    const long = [...lib, ...tsFiles('functions')]
      .map((file) => ({ file, lines: readFileSync(join(PROJECT_ROOT, file), 'utf8').trimEnd().split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    assert.deepEqual(long, [], 'split the file by concept');
  });
});
