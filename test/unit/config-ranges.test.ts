import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runCheckConfigCommand } from '../../lib/cli/check-config-command.ts';
import { CONFIG_RANGES, type NumericRange, type RangedKey } from '../../lib/core/config/config-ranges.ts';
import { CONFIG_DEFAULTS, type ExporterConfig } from '../../lib/core/config/config-types.ts';
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

// ---------------------------------------------------------------------------------------------
// Property: any YAML config either loads with every value inside its range, or fails with lines
// that each name a path; nothing else is ever thrown, and a config drawn valid does load.

/** One drawn value: its YAML text, and what the parser must make of it. */
interface Drawn {
  readonly yaml: string;
  /** The number it must load as; undefined when the parser must refuse it. */
  readonly valid: number | undefined;
  /** Refused already by the YAML stage (a tag that does not resolve): a `yaml line …` problem. */
  readonly tag: boolean;
}

const yamlNumber = (value: number): string => (Number.isNaN(value) ? '.nan' : value === Infinity ? '.inf' : value === -Infinity ? '-.inf' : String(value));

function drawnFor(key: RangedKey, validOnly: boolean): fc.Arbitrary<Drawn> {
  const range: NumericRange = CONFIG_RANGES[key];
  const inRange = range.integer
    ? fc.integer({ min: range.min, max: range.max })
    : fc.oneof(fc.constantFrom(range.min, range.max), fc.double({ min: range.min, max: range.max, noNaN: true }));
  const valid = inRange.map((value): Drawn => ({ yaml: yamlNumber(value), valid: value, tag: false }));
  const outside = fc
    .oneof(
      fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 1e300, -1e300, 5e9, 3e6, 2 ** 31, 2 ** 53 + 2, range.max * 2 + 1, range.min - 0.0005),
      fc.double({ min: range.max, max: 1e308, noNaN: true, minExcluded: true }),
      fc.double({ min: -1e308, max: range.min, noNaN: true, maxExcluded: true }),
      ...(range.integer ? [fc.double({ min: range.min, max: range.max, noNaN: true }).filter((value) => !Number.isInteger(value))] : []),
    )
    // Some constants fit some ranges, and fast-check's -0 is "below" a minimum of 0: keep the outsiders only.
    .filter((value) => !(value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value))))
    .map((value): Drawn => ({ yaml: yamlNumber(value), valid: undefined, tag: false }));
  const wrongType = fc
    .constantFrom('"5"', '"NaN"', '"1e999"', 'NaN', 'Infinity', 'true', 'null', '[1]', '{a: 1}', '"300"', "''", '5 seconds')
    .map((yaml): Drawn => ({ yaml, valid: undefined, tag: false }));
  const tagged = fc
    .constantFrom('!!js/function "function () { return 5 }"', '!foo 5', '!!float 5', '!!js/undefined ~', '!!binary aGk=', '!!timestamp 2026-01-01', '!<tag:example.com,2000:x> 1')
    .map((yaml): Drawn => ({ yaml, valid: undefined, tag: true }));
  if (validOnly) return valid;
  return fc.oneof({ weight: 6, arbitrary: valid }, { weight: 2, arbitrary: outside }, { weight: 1, arbitrary: wrongType }, { weight: 1, arbitrary: tagged });
}

const TOP_LEVEL: readonly [string, RangedKey, (config: ExporterConfig) => number | undefined][] = [
  ['scrape_interval_seconds', 'scrape_interval_seconds', (c) => c.scrapeIntervalSeconds],
  ['timeout_seconds', 'timeout_seconds', (c) => c.timeoutSeconds],
  ['max_stale_seconds', 'max_stale_seconds', (c) => c.maxStaleSeconds],
  ['config_ttl_seconds', 'config_ttl_seconds', (c) => c.configTtlSeconds],
  ['max_clock_skew_seconds', 'max_clock_skew_seconds', (c) => c.maxClockSkewSeconds],
  ['max_body_bytes', 'max_body_bytes', (c) => c.maxBodyBytes],
  ['expire_after_seconds', 'expire_after_seconds', (c) => c.expireAfterSeconds],
  ['default_freshness_threshold_seconds', 'freshness_threshold_seconds', (c) => c.defaults.freshnessThresholdSeconds],
];

interface DrawnService {
  readonly scheduled: boolean;
  readonly replicaKey: 'replicas' | 'replica';
  readonly values: Readonly<Partial<Record<'freshness_threshold_seconds' | 'grace_seconds' | 'max_run_seconds' | 'replicas', Drawn>>>;
}

const drawnConfigOf = (validOnly: boolean) => {
  const optional = (key: RangedKey) => fc.option(drawnFor(key, validOnly), { nil: undefined });
  return fc.record({
    top: fc.tuple(...TOP_LEVEL.map(([, range]) => optional(range))),
    defaults: fc.record({ grace_seconds: optional('grace_seconds'), max_run_seconds: optional('max_run_seconds') }),
    services: fc.array(
      fc.record({
        scheduled: fc.boolean(),
        replicaKey: fc.constantFrom('replicas' as const, 'replica' as const),
        values: fc.record({
          freshness_threshold_seconds: optional('freshness_threshold_seconds'),
          grace_seconds: optional('grace_seconds'),
          max_run_seconds: optional('max_run_seconds'),
          replicas: optional('replicas'),
        }),
      }),
      { maxLength: 3 },
    ),
  });
};
// Half the configs hold only valid values, so the loading branch runs as often as the refusing one.
const drawnConfig = fc.oneof(drawnConfigOf(true), drawnConfigOf(false));

describe('random configs (property-based, 3,000 cases)', () => {
  it('either load with every value inside its range, or fail with one line per problem, each naming a path', () => {
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(drawnConfig, ({ top, defaults, services }) => {
        const lines = [URL_LINE.trimEnd()];
        const expected: { path: string; drawn: Drawn }[] = [];
        TOP_LEVEL.forEach(([key], index) => {
          const drawn = top[index];
          if (drawn === undefined) return;
          lines.push(`${key}: ${drawn.yaml}`);
          expected.push({ path: key, drawn });
        });
        const defaultEntries = Object.entries(defaults).filter((entry): entry is [string, Drawn] => entry[1] !== undefined);
        if (defaultEntries.length > 0) {
          lines.push('defaults:');
          for (const [key, drawn] of defaultEntries) {
            lines.push(`  ${key}: ${drawn.yaml}`);
            expected.push({ path: `defaults.${key}`, drawn });
          }
        }
        lines.push('services:');
        services.forEach((service: DrawnService, index) => {
          lines.push(`  - name: service${index}`);
          if (service.scheduled) lines.push('    schedule: "*/15 * * * *"');
          for (const [key, drawn] of Object.entries(service.values)) {
            // A threshold and a schedule exclude each other, and grace needs a schedule: draw only what fits.
            if (drawn === undefined || (key === 'freshness_threshold_seconds' && service.scheduled) || (key === 'grace_seconds' && !service.scheduled)) continue;
            const written = key === 'replicas' ? service.replicaKey : key;
            lines.push(`    ${written}: ${drawn.yaml}`);
            expected.push({ path: `services[${index}].${written}`, drawn });
          }
        });
        const text = `${lines.join('\n')}\n`;
        const tags = expected.filter(({ drawn }) => drawn.tag).length;
        const invalid = expected.filter(({ drawn }) => drawn.valid === undefined);

        let config: ExporterConfig;
        try {
          config = parseConfig(text);
        } catch (error) {
          assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}\n${text}`);
          assert.ok(invalid.length > 0, `a valid config was refused: ${error.message}\n${text}`);
          refused += 1;
          assert.doesNotMatch(error.message, /\n/);
          if (tags > 0) {
            // The YAML stage stops the parse: one line per tag, each naming where it stands.
            assert.equal(error.problems.length, tags, text);
            for (const problem of error.problems) assert.match(problem, /^yaml line \d+, column \d+: (unsupported tag \S+ \(write a plain value|tag !!\w+ does not fit its value)/);
          } else {
            assert.deepEqual(error.problems.map((problem) => problem.slice(0, problem.indexOf(': '))).sort(), invalid.map(({ path }) => path).sort(), text);
            for (const problem of error.problems) assert.match(problem, /: must be (a positive number, got|a number, got|a whole number between .+, got|between .+, got) .+$/);
          }
          return;
        }
        assert.equal(invalid.length, 0, `an invalid value was accepted:\n${text}`);
        loaded += 1;
        TOP_LEVEL.forEach(([, , read], index) => {
          const drawn = top[index];
          if (drawn !== undefined) assert.equal(read(config), drawn.valid);
        });
        if (defaults.grace_seconds !== undefined) assert.equal(config.defaults.graceSeconds, defaults.grace_seconds.valid);
        if (defaults.max_run_seconds !== undefined) assert.equal(config.defaults.maxRunSeconds, defaults.max_run_seconds.valid);
        services.forEach((service: DrawnService, index) => {
          const loadedService = config.services.get(`service${index}`);
          assert.ok(loadedService);
          const { freshness_threshold_seconds: threshold, grace_seconds: grace, max_run_seconds: maxRun, replicas } = service.values;
          if (replicas !== undefined) assert.equal(loadedService.replicas, replicas.valid);
          if (maxRun !== undefined) assert.equal(loadedService.maxRunSeconds, maxRun.valid);
          if (service.scheduled && grace !== undefined) assert.equal(loadedService.schedule?.graceSeconds, grace.valid);
          if (!service.scheduled && threshold !== undefined) assert.equal(loadedService.freshnessThresholdSeconds, threshold.valid);
        });
        // Every number the config holds is inside its range, whether drawn or defaulted.
        const within = (key: RangedKey, value: number | undefined) => {
          if (value === undefined) return;
          const range: NumericRange = CONFIG_RANGES[key];
          assert.ok(value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value)), `${key} = ${value}`);
        };
        for (const [, key, read] of TOP_LEVEL) within(key, read(config));
        for (const loadedService of config.services.values()) {
          within('freshness_threshold_seconds', loadedService.freshnessThresholdSeconds);
          within('grace_seconds', loadedService.schedule?.graceSeconds);
          within('max_run_seconds', loadedService.maxRunSeconds);
          within('replicas', loadedService.replicas);
        }
      }),
      { numRuns: 3000 },
    );
    // Both branches ran, many times: the property is not vacuous.
    assert.ok(loaded > 1000 && refused > 1000, `loaded ${loaded}, refused ${refused}`);
  });
});
