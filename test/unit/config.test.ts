import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig, resolveService } from '../../lib/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

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
    assert.equal(config.pushgatewayUrl, 'http://pushgateway:9091');
    assert.equal(config.scrapeIntervalSeconds, 3);
    assert.deepEqual([...config.services.keys()], ['service1', 'service2']);
    assert.deepEqual(config.services.get('service1'), {
      name: 'service1',
      job: 'heartbeat',
      heartbeatMetric: 'loop_heartbeat_timestamp_seconds',
      freshnessThresholdSeconds: 5,
      replicas: undefined,
    });
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
    assert.equal(config.pushgatewayUrl, 'https://user:secret@pushgateway.example.com:9091');
    assert.equal(config.scrapeIntervalSeconds, 2.5);
    assert.equal(config.timeoutSeconds, 3);
    assert.equal(config.maxStaleSeconds, 30);
    assert.equal(config.configTtlSeconds, 120);
    assert.equal(config.maxClockSkewSeconds, 60);
    assert.deepEqual(config.services.get('billing'), {
      name: 'billing', job: 'batch', heartbeatMetric: 'push_time_seconds', freshnessThresholdSeconds: 3600, replicas: undefined,
    });
    assert.deepEqual(resolveService(config, 'unlisted'), {
      name: 'unlisted', job: 'loops', heartbeatMetric: 'app_heartbeat_seconds', freshnessThresholdSeconds: 15, replicas: undefined,
    });
  });

  it('lets PUSHGATEWAY_URL override pushgateway_url, and stand in for it', () => {
    assert.equal(parseConfig(fixture('valid-seed.yml'), { pushgatewayUrl: 'http://127.0.0.1:9091/' }).pushgatewayUrl, 'http://127.0.0.1:9091');
    assert.equal(parseConfig(fixture('invalid-missing-url.yml'), { pushgatewayUrl: 'http://10.0.0.1:9091' }).pushgatewayUrl, 'http://10.0.0.1:9091');
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
      'scrape_intervall: unknown key (known keys: pushgateway_url, pushgateway_bearer_token, scrape_interval_seconds, timeout_seconds, max_stale_seconds, config_ttl_seconds, max_clock_skew_seconds, allow_unlisted_targets, max_body_bytes, default_freshness_threshold_seconds, defaults, services)',
      'pushgateway_url: must be an http:// or https:// URL, got "ftp://pushgateway:9091"',
      'scrape_interval_seconds: must be a positive number, got -3',
      'timeout_seconds: must be a positive number, got "5"',
      'allow_unlisted_targets: must be true or false, got "yes"',
      'services[0].colour: unknown key (known keys: name, job, heartbeat_metric, freshness_threshold_seconds, replicas, replica)',
      'services[0].heartbeat_metric: must be a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got "loop-heartbeat"',
      'services[0].freshness_threshold_seconds: must be a positive number, got 0',
      'services[0].replicas: must be a positive whole number, got 1.5',
      'services[1].name: required',
      'services[2].name: duplicate service name "service1" (first defined at services[0])',
      'services[3]: must be a mapping with at least a name, got "just-a-string"',
    ],
    'invalid-yaml-syntax.yml': ['yaml line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    'invalid-duplicate-key.yml': ['yaml line 3, column 1: Map keys must be unique'],
    'invalid-not-a-mapping.yml': ['(root): must be a mapping of config keys, got a list'],
    'invalid-empty.yml': ['(root): must be a mapping of config keys, got an empty document'],
    'invalid-missing-url.yml': ['pushgateway_url: required (or set the PUSHGATEWAY_URL environment variable)'],
    'invalid-alias-conflicts.yml': [
      'defaults.jobs: unknown key (known keys: job, heartbeat_metric, freshness_threshold_seconds)',
      'default_freshness_threshold_seconds: is an alias of defaults.freshness_threshold_seconds; set only one of them',
      'services[0].replica: is an alias of replicas; set only one of them',
    ],
    'invalid-services-not-list.yml': ['services: must be a list of services, got a mapping'],
    'invalid-alias-bomb.yml': ['yaml: Excessive alias count indicates a resource exhaustion attack'],
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
});
