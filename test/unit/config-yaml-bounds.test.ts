import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfigYaml, MAX_ALIAS_EXPANSION, MAX_NESTING } from '../../lib/core/config/config-yaml.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { MAX_LISTED_PROBLEMS, Problems } from '../../lib/core/config/field-rules.ts';
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

  it(`refuses a document nested deeper than ${MAX_NESTING} levels before the YAML parser recurses into it, however often`, () => {
    const problem = (line: number, column: number) => [`yaml line ${line}, column ${column}: nested deeper than ${MAX_NESTING} levels (indentation, "- " and brackets counted): a config nests a few`];
    // Twice each: on Node 20 a second parse after the parser's stack overflowed could end the process.
    for (let round = 0; round < 2; round++) {
      // The first character past the bound: the 257th bracket, "- " character or column of indentation.
      assert.deepEqual(problemsOf(() => parseConfig(`${'['.repeat(2_000)}${']'.repeat(2_000)}\n`)), problem(1, MAX_NESTING + 1));
      assert.deepEqual(problemsOf(() => parseConfig(`a: ${'{b: '.repeat(300)}1${'}'.repeat(300)}\n`)), problem(1, 3 + MAX_NESTING * 4 + 1));
      assert.deepEqual(problemsOf(() => parseConfig(`${'- '.repeat(1_000)}x\n`)), problem(1, MAX_NESTING + 1));
      const indented = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
      assert.deepEqual(problemsOf(() => parseConfig(`${indented} 1\n`)), problem(MAX_NESTING + 2, MAX_NESTING + 1));
    }
  });

  it('counts brackets inside quotes and comments as text, not as nesting', () => {
    const text = `pushgateway_url: http://x:9091\n# ${'['.repeat(300)}\nservices:\n  - name: "${'['.repeat(300)}"\n  - name: '${'{'.repeat(300)}'\n`;
    assert.deepEqual((parseConfigYaml(text) as { services: unknown[] }).services.length, 2);
  });

  it('reads 101 services that share one anchored rule (yaml\'s own alias count refused the 101st)', () => {
    const services = Array.from({ length: 100 }, (_, i) => `  - name: s${i + 1}\n    ok_when: *rule\n`).join('');
    const config = parseConfig(`pushgateway_url: http://x:9091\nservices:\n  - name: s0\n    ok_when: &rule ["loop_errors_total == 0"]\n${services}`);
    assert.equal(config.services.size, 101);
  });
});

describe('credentials in any problem\'s words', () => {
  it('hides a word with an at sign wherever a rule of its own repeats it: croner, an unknown key, an ok_when rule', () => {
    const url = 'http://user:s3cretpw@pg-a:9091';
    const texts = [
      `pushgateway_url: http://pg:9091\nservices:\n  - name: a\n    schedule: "pw@x * * * *"\n`,
      `pushgateway_url: http://pg:9091\nservices: []\n"${url}": 1\n`,
      `pushgateway_url: http://pg:9091\nservices:\n  - name: a\n    ok_when: "loop_status == ${url}"\n`,
    ];
    for (const text of texts) {
      const problems = problemsOf(() => parseConfig(text));
      assert.ok(problems.length > 0);
      for (const problem of problems) {
        assert.doesNotMatch(problem, /s3cretpw|pw@x/, problem);
        assert.match(problem, /<hidden: may hold credentials>|not shown: it may hold credentials/, problem);
      }
    }
  });

  it('leaves a word that starts with "@" (a cron nickname such as @daily) and the hiding message\'s own "@" as written', () => {
    const problems = new Problems();
    problems.add('services[0].schedule', 'use @daily or @weekly, got a value with "@" (not shown: it may hold credentials)');
    problems.add('x', 'user:pw@host (u@h) \'a@b\' x\uff20y');
    assert.deepEqual(problems.list, [
      'services[0].schedule: use @daily or @weekly, got a value with "@" (not shown: it may hold credentials)',
      'x: <hidden: may hold credentials> (<hidden: may hold credentials>) \'<hidden: may hold credentials>\' <hidden: may hold credentials>',
    ]);
  });
});
