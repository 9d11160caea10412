import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { resolveService } from '../../lib/core/config/resolve-service.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { PROJECT_ROOT } from '../support/processes.ts';
import { serviceConfig } from '../support/service-config.ts';

const fixture = (name: string) => readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'config', name), 'utf8');

function problemsOf(text: string, overrides = {}): readonly string[] {
  try {
    parseConfig(text, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    assert.equal(error.code, 'CONFIG_INVALID');
    return error.problems;
  }
  assert.fail('config was accepted');
}

describe('parseConfig', () => {
  it('accepts the seed config.yml verbatim', () => {
    const config = parseConfig(readFileSync(join(PROJECT_ROOT, 'config.yml'), 'utf8'));
    assert.deepEqual(config.pushgatewayUrls, ['http://pushgateway:9091']);
    assert.equal(config.scrapeIntervalSeconds, 3);
    assert.deepEqual([...config.services.keys()], ['service1', 'service2']);
    assert.deepEqual(config.services.get('service1'), serviceConfig());
    assert.equal(config.allowUnlistedTargets, false);
    assert.equal(config.maxClockSkewSeconds, 300);
    assert.equal(config.configTtlSeconds, 60);
  });

  it("accepts the Python exporter's default_freshness_threshold_seconds, replicas and replica", () => {
    const config = parseConfig(fixture('valid-python-exporter.yml'));
    assert.equal(config.defaults.freshnessThresholdSeconds, 20);
    assert.equal(config.services.get('worker')?.replicas, 3);
    assert.equal(config.services.get('worker')?.freshnessThresholdSeconds, 20);
    assert.equal(config.services.get('consumer')?.replicas, 2);
    assert.equal(config.services.get('consumer')?.freshnessThresholdSeconds, 7);
    assert.equal(config.services.get('cron')?.replicas, undefined);
  });

  it('defaults the freshness threshold to 10 seconds', () => {
    const config = parseConfig('pushgateway_url: http://pg:9091\nservices: [{name: a}]\n');
    assert.equal(config.services.get('a')?.freshnessThresholdSeconds, 10);
  });

  it('applies every optional key, defaults and per-service overrides', () => {
    const config = parseConfig(fixture('valid-full.yml'));
    assert.deepEqual(config.pushgatewayUrls, ['https://user:secret@pushgateway.example.com:9091']);
    assert.equal(config.scrapeIntervalSeconds, 2.5);
    assert.equal(config.timeoutSeconds, 3);
    assert.equal(config.maxStaleSeconds, 30);
    assert.equal(config.configTtlSeconds, 120);
    assert.equal(config.maxClockSkewSeconds, 60);
    assert.deepEqual(config.services.get('billing'), serviceConfig({
      name: 'billing', job: 'batch', heartbeatMetric: 'push_time_seconds', freshnessThresholdSeconds: 3600,
    }));
    assert.deepEqual(resolveService(config, 'unlisted'), serviceConfig({
      name: 'unlisted', job: 'loops', heartbeatMetric: 'app_heartbeat_seconds', freshnessThresholdSeconds: 15,
    }));
  });

  it('lets PUSHGATEWAY_URL override pushgateway_url, and stand in for it', () => {
    assert.deepEqual(parseConfig(fixture('valid-seed.yml'), { pushgatewayUrl: 'http://127.0.0.1:9091/' }).pushgatewayUrls, ['http://127.0.0.1:9091']);
    assert.deepEqual(parseConfig(fixture('invalid-missing-url.yml'), { pushgatewayUrl: 'http://10.0.0.1:9091' }).pushgatewayUrls, ['http://10.0.0.1:9091']);
    assert.deepEqual(problemsOf(fixture('valid-seed.yml'), { pushgatewayUrl: 'pushgateway:9091' }), [
      'PUSHGATEWAY_URL (environment): must be an http:// or https:// URL, got "pushgateway:9091"',
    ]);
  });

  it('does not resolve unlisted targets unless allowed', () => {
    const config = parseConfig(fixture('valid-seed.yml'));
    assert.equal(resolveService(config, 'service3'), undefined);
    assert.equal(resolveService(config, 'service1')?.name, 'service1');
  });

  const invalid: Record<string, readonly string[]> = {
    'invalid-threshold-not-number.yml': ['services[1].freshness_threshold_seconds: must be a positive number, got "abc"'],
    'invalid-duplicate-name.yml': ['services[2].name: duplicate service name "service1" (first defined at services[0])'],
    'invalid-many-problems.yml': [
      'scrape_intervall: unknown key (known keys: pushgateway_url, pushgateway_bearer_token, scrape_interval_seconds, timeout_seconds, max_stale_seconds, config_ttl_seconds, max_clock_skew_seconds, allow_unlisted_targets, max_body_bytes, expire_after_seconds, discover_services, discover_jobs, max_discovered_services, default_freshness_threshold_seconds, defaults, services)',
      'pushgateway_url: must be an http:// or https:// URL, got "ftp://pushgateway:9091"',
      'scrape_interval_seconds: must be between 0.001 and 86400 seconds (1 day), got -3',
      'timeout_seconds: must be a positive number, got "5"',
      'allow_unlisted_targets: must be true or false, got "yes"',
      'services[0].colour: unknown key (known keys: name, job, heartbeat_metric, freshness_threshold_seconds, replicas, replica, schedule, timezone, grace_seconds, max_run_seconds, ok_when, paused, maintenance, expire_after_seconds, pushgateways)',
      'services[0].heartbeat_metric: must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got "loop-heartbeat"',
      'services[0].freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got 0',
      'services[0].replicas: must be a whole number between 1 and 1000, got 1.5',
      'services[1].name: required',
      'services[2].name: duplicate service name "service1" (first defined at services[0])',
      'services[3]: must be a mapping with at least a name, got "just-a-string"',
    ],
    'invalid-yaml-syntax.yml': ['yaml line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    'invalid-duplicate-key.yml': ['yaml line 3, column 1: duplicate key "scrape_interval_seconds" (each key once in a mapping)'],
    'invalid-not-a-mapping.yml': ['(root): must be a mapping of config keys, got a list'],
    'invalid-empty.yml': ['(root): must be a mapping of config keys, got an empty document'],
    'invalid-missing-url.yml': ['pushgateway_url: required (or set the PUSHGATEWAY_URL environment variable)'],
    'invalid-alias-conflicts.yml': [
      'defaults.jobs: unknown key; did you mean job?',
      'default_freshness_threshold_seconds: is an alias of defaults.freshness_threshold_seconds; set only one of them',
      'services[0].replica: is an alias of replicas; set only one of them',
    ],
    'invalid-unknown-key-typos.yml': [
      'scrape_intervall_seconds: unknown key; did you mean scrape_interval_seconds?',
      'timeout: unknown key; did you mean timeout_seconds?',
      '"Max-Stale-Seconds": unknown key; did you mean max_stale_seconds?',
      'services[0].freshness_treshold_seconds: unknown key; did you mean freshness_threshold_seconds?',
      'services[0].maintenance[0].form: unknown key; did you mean from?',
      'services[0].maintenance[0].from: required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)',
      'services[1].freshness_threshold: unknown key; did you mean freshness_threshold_seconds?',
      'services[1].colour: unknown key (known keys: name, job, heartbeat_metric, freshness_threshold_seconds, replicas, replica, schedule, timezone, grace_seconds, max_run_seconds, ok_when, paused, maintenance, expire_after_seconds, pushgateways)',
    ],
    'invalid-typo-and-type.yml': [
      'scrape_intervall_seconds: unknown key; did you mean scrape_interval_seconds?',
      'services[0].freshness_threshold_seconds: must be a positive number, got "abc"',
    ],
    'invalid-services-not-list.yml': ['services: must be a list of services, got a mapping'],
    'invalid-alias-bomb.yml': ['yaml: aliases repeat more than 100000 values: write the repeated part out, or repeat it less'],
    'invalid-ranges-top-level.yml': [
      'scrape_interval_seconds: must be between 0.001 and 86400 seconds (1 day), got 0',
      'timeout_seconds: must be between 0.1 and 300 seconds, got 3000000',
      'max_stale_seconds: must be between 0.001 and 604800 seconds (1 week), got 1000000000',
      'config_ttl_seconds: must be between 1 and 86400 seconds (1 day), got 0.5',
      'max_clock_skew_seconds: must be between 0.001 and 86400 seconds (1 day), got -1',
      'default_freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got NaN',
      'max_body_bytes: must be a whole number between 65536 and 268435456 bytes (256 MiB, the largest body the read path supports), got 5000000000',
    ],
    'invalid-ranges-services.yml': [
      'defaults.freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got Infinity',
      'defaults.grace_seconds: must be between 0 and 31622400 seconds (366 days), got -0.5',
      'defaults.max_run_seconds: must be between 0.001 and 31622400 seconds (366 days), got 40000000',
      'services[0].freshness_threshold_seconds: must be between 0.001 and 31622400 seconds (366 days), got 0.0001',
      'services[0].replicas: must be a whole number between 1 and 1000, got 1001',
      'services[1].replica: must be a whole number between 1 and 1000, got 0',
      'services[1].max_run_seconds: must be between 0.001 and 31622400 seconds (366 days), got 0',
      'services[2].grace_seconds: must be between 0 and 31622400 seconds (366 days), got 31622401',
    ],
    'invalid-timeout-overflow.yml': ['timeout_seconds: must be between 0.1 and 300 seconds, got 5000000'],
    'invalid-max-body-bytes.yml': [
      'max_body_bytes: must be a whole number between 65536 and 268435456 bytes (256 MiB, the largest body the read path supports), got 1048576.5',
    ],
    'invalid-tag-js-function.yml': [
      'yaml line 2, column 26: unsupported tag !!js/function (write a plain value: a string, number, true/false, list or mapping)',
    ],
    'invalid-tags.yml': [
      'yaml line 1, column 18: unsupported tag !url (write a plain value: a string, number, true/false, list or mapping)',
      'yaml line 4, column 34: tag !!float does not fit its value (leave the tag out)',
      'yaml line 7, column 16: unsupported tag !!timestamp (write a plain value: a string, number, true/false, list or mapping)',
    ],
    'invalid-yaml-1.1-tags.yml': ['yaml line 5, column 11: unsupported tag !!set (write a plain value: a string, number, true/false, list or mapping)'],
  };

  for (const [file, expected] of Object.entries(invalid)) {
    it(`rejects ${file} listing every problem by path`, () => {
      assert.deepEqual(problemsOf(fixture(file)), expected);
    });
  }

  it('puts every problem on one line of the error message, naming the source', () => {
    try {
      parseConfig(fixture('invalid-many-problems.yml'), {}, '/etc/exporter/config.yml');
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.ok(!error.message.includes('\n'));
      assert.match(error.message, /^invalid config in \/etc\/exporter\/config\.yml: scrape_intervall: unknown key/);
      assert.match(error.message, /services\[3\]: must be a mapping/);
    }
  });
});

describe('parseConfig and secrets', () => {
  it('never repeats credentials or tokens in its errors', () => {
    const problems = problemsOf('pushgateway_url: "ftp://scraper:pg-pass@host:9091"\npushgateway_bearer_token: 123456789\n');
    assert.deepEqual(problems, [
      'pushgateway_url: must be an http:// or https:// URL, got a value with "@" (not shown: it may hold credentials)',
      'pushgateway_bearer_token: must be a non-empty string (value not shown)',
    ]);
    assert.deepEqual(problemsOf('pushgateway_url: "scraper:pg-pass@host"\n'), [
      'pushgateway_url: must be an http:// or https:// URL, got a value with "@" (not shown: it may hold credentials)',
    ]);
  });

  describe('schedules, signals, ok_when rules and maintenance', () => {
    const base = 'pushgateway_url: http://pg:9091\n';

    it('reads a scheduled service with its time zone and grace, and defaults for both', () => {
      const config = parseConfig(`${base}defaults: {timezone: Europe/Berlin, grace_seconds: 90, max_run_seconds: 3600}
services:
  - {name: backup, schedule: "*/15 * * * *", timezone: America/New_York, grace_seconds: 0}
  - {name: report, schedule: "0 6 * * 1-5"}
  - {name: loop}
`);
      const backup = config.services.get('backup');
      assert.equal(backup?.schedule?.schedule.expression, '*/15 * * * *');
      assert.equal(backup?.schedule?.schedule.timezone, 'America/New_York');
      assert.equal(backup?.schedule?.graceSeconds, 0);
      assert.equal(backup?.freshnessThresholdSeconds, undefined, 'a schedule replaces the threshold');
      assert.equal(backup?.maxRunSeconds, 3600);
      const report = config.services.get('report');
      assert.deepEqual([report?.schedule?.schedule.timezone, report?.schedule?.graceSeconds], ['Europe/Berlin', 90]);
      assert.deepEqual([config.services.get('loop')?.schedule, config.services.get('loop')?.freshnessThresholdSeconds], [undefined, 10]);
      assert.equal(parseConfig(`${base}services: [{name: r, schedule: "@hourly"}]`).services.get('r')?.schedule?.graceSeconds, 300);
    });

    it('reads ok_when (one rule or a list), paused and maintenance windows', () => {
      const config = parseConfig(`${base}services:
  - name: a
    ok_when: loop_status == 1
    paused: true
  - name: b
    ok_when: ["loop_status==1", "loop_lag_seconds <= 2.5e1"]
    maintenance:
      - {from: "2026-12-24T18:00:00+01:00", to: "2026-12-27T08:00:00Z", reason: holidays}
`);
      const a = config.services.get('a');
      assert.deepEqual(a?.okWhen.map((rule) => rule.text), ['loop_status == 1']);
      assert.equal(a?.paused, true);
      const b = config.services.get('b');
      assert.deepEqual(b?.okWhen.map(({ metric, operator, threshold }) => [metric, operator, threshold]), [['loop_status', '==', 1], ['loop_lag_seconds', '<=', 25]]);
      assert.deepEqual(b?.maintenance, [{ fromSeconds: Date.parse('2026-12-24T17:00:00Z') / 1000, toSeconds: Date.parse('2026-12-27T08:00:00Z') / 1000, reason: 'holidays' }]);
      assert.equal(b?.paused, false);
    });

    it('lists every problem of the new keys by path', () => {
      assert.deepEqual(problemsOf(`${base}defaults: {timezone: Moon/Base, grace_seconds: -1}
services:
  - {name: a, schedule: "@hourly"}
  - {name: b, schedule: "0 0 31 2 *", freshness_threshold_seconds: 5}
  - {name: c, timezone: UTC, grace_seconds: 5}
  - {name: d, schedule: "* * * * *", timezone: Nowhere}
  - {name: e, ok_when: ["loop_status = 1", 3, "loop_status == one"], paused: "yes", max_run_seconds: 0}
  - name: f
    maintenance:
      - {from: "2026-12-24 18:00", to: "2026-02-30T08:00:00Z"}
      - {from: "2026-12-27T08:00:00Z", to: "2026-12-24T08:00:00Z", why: x}
      - {to: "2026-12-27T08:00:00Z"}
      - tomorrow
  - {name: g, maintenance: {from: x}}
`), [
        'defaults.grace_seconds: must be between 0 and 31622400 seconds (366 days), got -1',
        'defaults.timezone: unknown time zone "Moon/Base" (use an IANA name such as Europe/Berlin or UTC)',
        'services[1].schedule: never fires (no date matches it), got "0 0 31 2 *"',
        'services[1].freshness_threshold_seconds: a service has either schedule or freshness_threshold_seconds, not both',
        'services[2].timezone: only applies with schedule (a cron expression such as "*/15 * * * *")',
        'services[2].grace_seconds: only applies with schedule (a cron expression such as "*/15 * * * *")',
        'services[3].timezone: unknown time zone "Nowhere" (use an IANA name such as Europe/Berlin or UTC)',
        'services[4].max_run_seconds: must be between 0.001 and 31622400 seconds (366 days), got 0',
        'services[4].ok_when[0]: must be "<metric> <op> <number>" with op one of == != < <= > >=, e.g. "loop_status == 1", got "loop_status = 1"',
        'services[4].ok_when[1]: must be a rule such as "loop_status == 1", got 3',
        'services[4].ok_when[2]: "one" is not a finite decimal number, got "loop_status == one"',
        'services[4].paused: must be true or false, got "yes"',
        'services[5].maintenance[0].from: must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got "2026-12-24 18:00"',
        'services[5].maintenance[0].to: must be an RFC 3339 time with an offset, such as 2026-12-24T18:00:00Z, got "2026-02-30T08:00:00Z"',
        'services[5].maintenance[1].why: unknown key (known keys: from, to, reason)',
        'services[5].maintenance[1].to: must be later than from',
        'services[5].maintenance[2].from: required (an RFC 3339 time such as 2026-12-24T18:00:00+01:00)',
        'services[5].maintenance[3]: must be a mapping with from and to, got "tomorrow"',
        'services[6].maintenance: must be a list of {from, to} windows, got a mapping',
      ]);
    });

    it('names the cron problem croner found', () => {
      assert.match(problemsOf(`${base}services: [{name: a, schedule: "*/61 * * * *"}]`)[0] ?? '', /^services\[0\]\.schedule: not a valid cron expression: .*, got "\*\/61 \* \* \* \*"$/);
    });
  });
});

