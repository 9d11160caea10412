import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCheckConfigCommand } from '../../lib/cli/check-config-command.ts';
import { CONFIG_RANGES, type NumericRange, type RangedKey } from '../../lib/core/config/config-ranges.ts';
import { CONFIG_DEFAULTS } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { parseOkWhenRule } from '../../lib/core/rules/ok-when.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'config');
const URL_LINE = 'pushgateway_url: "http://pushgateway:9091"\n';

function captured(): { stdout: string[]; stderr: string[]; output: { stdout(text: string): void; stderr(text: string): void } } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, output: { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text) } };
}

describe('check-config refuses values that would break every read', () => {
  it('prints one line per out-of-range value, by path, naming the range, and exits 1', async () => {
    const { stdout, stderr, output } = captured();
    const code = await runCheckConfigCommand(['invalid-timeout-overflow.yml', 'invalid-ranges-top-level.yml', 'valid-seed.yml'], {}, FIXTURES, output);
    assert.equal(code, 1);
    assert.deepEqual(stdout, ['valid-seed.yml: OK (2 services)\n']);
    assert.deepEqual(stderr, [
      'invalid-timeout-overflow.yml: timeout_seconds: must be between 0.1 and 300 seconds, got 5000000\n',
      'invalid-ranges-top-level.yml: scrape_interval_seconds: must be between 0.001 and 86400 seconds (1 day), got 0\n',
      'invalid-ranges-top-level.yml: timeout_seconds: must be between 0.1 and 300 seconds, got 3000000\n',
      'invalid-ranges-top-level.yml: max_stale_seconds: must be between 0.001 and 604800 seconds (1 week), got 1000000000\n',
      'invalid-ranges-top-level.yml: config_ttl_seconds: must be between 1 and 86400 seconds (1 day), got 0.5\n',
      'invalid-ranges-top-level.yml: max_clock_skew_seconds: must be between 0.001 and 86400 seconds (1 day), got -1\n',
      'invalid-ranges-top-level.yml: default_freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got NaN\n',
      'invalid-ranges-top-level.yml: max_body_bytes: must be a whole number between 65536 and 268435456 bytes (256 MiB, the largest body the read path supports), got 5000000000\n',
    ]);
  });

  it('names the line and column of an unknown YAML tag', async () => {
    const { stderr, output } = captured();
    assert.equal(await runCheckConfigCommand(['invalid-tag-js-function.yml'], {}, FIXTURES, output), 1);
    assert.deepEqual(stderr, [
      'invalid-tag-js-function.yml: yaml line 2, column 26: unsupported tag !!js/function (write a plain value: a string, number, true/false, list or mapping)\n',
    ]);
  });

  it('accepts every range edge and the values of every tag YAML itself defines', () => {
    const config = parseConfig(`${URL_LINE}scrape_interval_seconds: 0.001\ntimeout_seconds: !!float 300.0\nmax_stale_seconds: 604800\nconfig_ttl_seconds: !!int 1
max_clock_skew_seconds: 86400\nmax_body_bytes: 0x10000000\ndefault_freshness_threshold_seconds: 31622400
services: !!seq
  - !!map {name: !!str a, replicas: 1000, max_run_seconds: 0.001}
  - {name: b, schedule: "@daily", grace_seconds: 0}
`);
    assert.deepEqual(
      [config.scrapeIntervalSeconds, config.timeoutSeconds, config.maxStaleSeconds, config.configTtlSeconds, config.maxClockSkewSeconds, config.maxBodyBytes],
      [0.001, 300, 604800, 1, 86400, 268435456],
    );
    assert.equal(config.defaults.freshnessThresholdSeconds, 31622400);
    assert.deepEqual([config.services.get('a')?.replicas, config.services.get('a')?.maxRunSeconds, config.services.get('b')?.schedule?.graceSeconds], [1000, 0.001, 0]);
  });

  it('keeps every default inside its own range', () => {
    const defaults: [RangedKey, number][] = [
      ['scrape_interval_seconds', CONFIG_DEFAULTS.scrapeIntervalSeconds],
      ['timeout_seconds', CONFIG_DEFAULTS.timeoutSeconds],
      ['max_stale_seconds', CONFIG_DEFAULTS.maxStaleSeconds],
      ['config_ttl_seconds', CONFIG_DEFAULTS.configTtlSeconds],
      ['max_clock_skew_seconds', CONFIG_DEFAULTS.maxClockSkewSeconds],
      ['max_body_bytes', CONFIG_DEFAULTS.maxBodyBytes],
      ['freshness_threshold_seconds', CONFIG_DEFAULTS.freshnessThresholdSeconds],
      ['grace_seconds', CONFIG_DEFAULTS.graceSeconds],
    ];
    for (const [key, value] of defaults) {
      const range: NumericRange = CONFIG_RANGES[key];
      assert.ok(value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value)), `${key} default ${value}`);
    }
    // Whatever times a timer: below 2^31-1 ms, where Node would fire it after 1 ms instead.
    assert.ok(CONFIG_RANGES.timeout_seconds.max * 1000 + 1000 < 2 ** 31 - 1);
  });
});

describe('docs/configuration-ranges.md', () => {
  const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'configuration-ranges.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Numeric keys'), doc.indexOf('\n## ', doc.indexOf('## Numeric keys')));
  const rows = table.split('\n').filter((line) => /^\| `/.test(line)).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const rangeOf = (path: string): RangedKey => {
    const key = (path.split('.').pop() ?? path).replace(/^default_/, '');
    assert.ok(Object.hasOwn(CONFIG_RANGES, key), `${path} has no range in CONFIG_RANGES`);
    return key as RangedKey;
  };
  const defaultsByKey: Partial<Record<string, number>> = {
    scrape_interval_seconds: CONFIG_DEFAULTS.scrapeIntervalSeconds,
    timeout_seconds: CONFIG_DEFAULTS.timeoutSeconds,
    max_stale_seconds: CONFIG_DEFAULTS.maxStaleSeconds,
    config_ttl_seconds: CONFIG_DEFAULTS.configTtlSeconds,
    max_clock_skew_seconds: CONFIG_DEFAULTS.maxClockSkewSeconds,
    max_body_bytes: CONFIG_DEFAULTS.maxBodyBytes,
    max_discovered_services: CONFIG_DEFAULTS.maxDiscoveredServices,
    default_freshness_threshold_seconds: CONFIG_DEFAULTS.freshnessThresholdSeconds,
    'defaults.freshness_threshold_seconds': CONFIG_DEFAULTS.freshnessThresholdSeconds,
    'defaults.grace_seconds': CONFIG_DEFAULTS.graceSeconds,
  };

  it('lists every numeric key with the range, whole-number rule and default the parser enforces', () => {
    const paths = rows.map(([key]) => (key ?? '').replace(/`/g, '').replace(/ \(alias .*$/, ''));
    assert.deepEqual(paths.sort(), [
      'config_ttl_seconds', 'default_freshness_threshold_seconds', 'defaults.freshness_threshold_seconds', 'defaults.grace_seconds', 'defaults.max_run_seconds',
      'expire_after_seconds', 'max_body_bytes', 'max_clock_skew_seconds', 'max_discovered_services', 'max_stale_seconds', 'scrape_interval_seconds',
      'services[].expire_after_seconds', 'services[].freshness_threshold_seconds', 'services[].grace_seconds', 'services[].max_run_seconds', 'services[].replicas', 'timeout_seconds',
    ]);
    for (const [cell, fallback, rangeText, unit] of rows) {
      const path = (cell ?? '').replace(/`/g, '').replace(/ \(alias .*$/, '');
      const range: NumericRange = CONFIG_RANGES[rangeOf(path)];
      assert.equal(rangeText, `${range.min} to ${range.max}${range.integer ? ', whole' : ''}`, path);
      assert.equal(unit, range.unit === '' ? 'instances' : range.unit, path);
      const expected = defaultsByKey[path];
      if (expected !== undefined) assert.equal(fallback, String(expected), `${path}: the default in the doc`);
    }
  });
});

describe('ok_when rules take decimal numbers only', () => {
  it('refuses what Number() would read but a pushed sample never holds', () => {
    for (const number of ['0x1F', '0b11', '0o7', 'Infinity', '1e999', '1_000', '.', '-']) {
      const rule = parseOkWhenRule(`loop_status == ${number}`);
      assert.ok('error' in rule, number);
      assert.equal(rule.error, `${JSON.stringify(number)} is not a finite decimal number`);
    }
    for (const [number, value] of [['1', 1], ['-2.5', -2.5], ['+.5', 0.5], ['1e3', 1000], ['5.', 5], ['2.5E-1', 0.25]] as const) {
      const rule = parseOkWhenRule(`loop_status <= ${number}`);
      assert.ok(!('error' in rule), number);
      assert.equal(rule.threshold, value);
    }
  });
});

describe('config keys named like Object.prototype members', () => {
  it('reads only keys the YAML holds, even with Object.prototype polluted', () => {
    const polluted = Object.prototype as Record<string, unknown>;
    polluted.paused = true;
    polluted.timeout_seconds = 3_000_000;
    polluted.services = [{ name: 'ghost' }];
    try {
      const config = parseConfig(`${URL_LINE}services: [{name: constructor}, {name: __proto__}, {name: toString, replicas: 2}]\n`);
      assert.deepEqual([...config.services.keys()], ['constructor', '__proto__', 'toString']);
      assert.equal(config.services.get('constructor')?.paused, false);
      assert.equal(config.timeoutSeconds, CONFIG_DEFAULTS.timeoutSeconds);
      assert.equal(config.services.get('toString')?.replicas, 2);
    } finally {
      delete polluted.paused;
      delete polluted.timeout_seconds;
      delete polluted.services;
    }
  });

  it('reports a key named like one as unknown, never reads it as a setting', () => {
    assert.throws(() => parseConfig(`${URL_LINE}constructor: 1\n__proto__: {timeout_seconds: 3}\nservices: [{name: a, toString: x}]\n`), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems.map((problem) => problem.split(':')[0]), ['constructor', '__proto__', 'services[0].toString']);
      return true;
    });
  });
});
