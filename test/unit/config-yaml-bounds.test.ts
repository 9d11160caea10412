import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigYaml, MAX_ALIAS_EXPANSION } from '../../lib/core/config/config-yaml.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { MAX_LISTED_PROBLEMS } from '../../lib/core/config/field-rules.ts';
import { ConfigError } from '../../lib/core/errors.ts';

// What a hostile or careless config costs to refuse: bounded memory and work, one short error
// (docs/security-model.md#what-a-config-can-and-cannot-do).

function problemsOf(parse: () => unknown): readonly string[] {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('the config was accepted');
}

describe('YAML aliases, keys and the length of an error', () => {
  it('refuses aliases that repeat a large node more than the bound allows, though yaml\'s own alias count passes them', () => {
    // 20,000 items aliased 10 times: 10 aliases pass yaml's count of 100, and would add 200,000 values.
    const text = `pushgateway_url: http://x:9091\nservices:\n  - name: s0\n    ok_when: &big [${Array.from({ length: 20_000 }, () => '1').join(',')}]\n${Array.from({ length: 10 }, (_, i) => `  - name: s${i + 1}\n    ok_when: *big\n`).join('')}`;
    assert.deepEqual(problemsOf(() => parseConfigYaml(text)), [`yaml: aliases repeat more than ${MAX_ALIAS_EXPANSION} values: write the repeated part out, or repeat it less`]);
  });

  it('still reads aliases that repeat a little', () => {
    const data = parseConfigYaml('defaults: &d {job: cron}\nservices:\n  - name: a\n    job: &j batch\n  - name: b\n    job: *j\nother: *d\n') as Record<string, unknown>;
    assert.deepEqual(data.other, { job: 'cron' });
    assert.deepEqual(data.services, [{ name: 'a', job: 'batch' }, { name: 'b', job: 'batch' }]);
  });

  it('names an alias whose anchor comes after it, or nowhere', () => {
    assert.deepEqual(problemsOf(() => parseConfigYaml('a: *later\nb: &later 1\n')), ['yaml line 1, column 4: alias *later names no anchor before it']);
    assert.deepEqual(problemsOf(() => parseConfigYaml('a: *nowhere\n')), ['yaml line 1, column 4: alias *nowhere names no anchor before it']);
  });

  it('finds a duplicate key among 40,000 in one mapping, naming it', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `    k${i}: 1\n`).join('');
    const problems = problemsOf(() => parseConfigYaml(`services:\n  - name: a\n    ok_when:\n${keys}    k17: 2\n`));
    assert.deepEqual(problems, ['yaml line 40004, column 5: duplicate key "k17" (each key once in a mapping)']);
  });

  it('refuses a list or mapping as a key, without a warning from the YAML library on stderr', () => {
    const warnings: unknown[] = [];
    const onWarning = (warning: unknown) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      assert.deepEqual(problemsOf(() => parseConfigYaml('services:\n  - name: a\n    ? [x, y]\n    : 1\n')), ['yaml line 3, column 7: a key must be a plain value, not a list, a mapping or an alias']);
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });

  it(`lists at most ${MAX_LISTED_PROBLEMS} problems, then how many more there are`, () => {
    const services = Array.from({ length: 3_000 }, (_, i) => `  - name: s${i}\n    freshness_threshold_seconds: x\n`).join('');
    const problems = problemsOf(() => parseConfig(`pushgateway_url: http://x:9091\nservices:\n${services}`));
    assert.equal(problems.length, MAX_LISTED_PROBLEMS + 1);
    assert.match(problems[0] ?? '', /^services\[0\]\.freshness_threshold_seconds: /);
    assert.equal(problems.at(-1), `and ${3_000 - MAX_LISTED_PROBLEMS} more problems (fix these first)`);
  });

  it('answers a document nested 100,000 levels deep with a problem, not a crash', () => {
    const problems = problemsOf(() => parseConfig(`${'['.repeat(100_000)}${']'.repeat(100_000)}\n`));
    assert.ok(problems.length >= 1 && problems.length <= MAX_LISTED_PROBLEMS + 1, problems.join('\n'));
  });
});
