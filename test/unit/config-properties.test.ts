import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { CONFIG_RANGES, type RangedKey } from '../../lib/core/config/config-ranges.ts';
import { CONFIG_DEFAULTS } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';

// Generated configs that must load, and the same configs with one field broken that must be
// refused naming that field's path: both branches run, and the share of each is counted.

const RUNS = 500;
/** A value inside a key's documented range (docs/configuration-ranges.md), its bounds included. */
const inRange = (key: RangedKey): fc.Arbitrary<number> => {
  const { min, max, integer } = CONFIG_RANGES[key];
  if (integer) return fc.integer({ min, max });
  return fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true }).map((value) => Math.max(min, Math.min(max, Math.round(value * 1000) / 1000))));
};
const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/);
const zone = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Adelaide');
const cron = fc.constantFrom('0 9 * * *', '*/15 * * * *', '@hourly', '@daily', '30 2 * * 1-5', '0 0 1 * *', '0 */6 * * *');
const instant = fc.integer({ min: Date.parse('2020-01-01T00:00:00Z') / 1000, max: Date.parse('2030-01-01T00:00:00Z') / 1000 });
const offset = fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }));
/** An RFC 3339 text for `seconds`, written in an arbitrary offset (and back: the probe sees the same instant). */
const rfc3339 = (seconds: number, [sign, hours, minutes]: [string, number, number]): string => {
  const shift = (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60;
  const local = new Date((seconds + shift) * 1000).toISOString().replace('.000Z', '');
  return `${local}${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
};

interface GeneratedService {
  readonly fields: Record<string, unknown>;
  readonly window: { readonly from: number; readonly to: number } | undefined;
}
const service: fc.Arbitrary<GeneratedService> = fc
  .record({
    name,
    kind: fc.constantFrom('threshold', 'schedule'),
    threshold: inRange('freshness_threshold_seconds'),
    cron,
    zone: fc.option(zone, { nil: undefined }),
    grace: inRange('grace_seconds'),
    replicas: fc.option(inRange('replicas'), { nil: undefined }),
    maxRun: fc.option(inRange('max_run_seconds'), { nil: undefined }),
    okWhen: fc.option(fc.constantFrom('loop_status == 1', 'loop_lag_seconds <= 2.5e1', 'errors_total < 3'), { nil: undefined }),
    window: fc.option(fc.tuple(instant, fc.integer({ min: 1, max: 86_400 }), offset, offset), { nil: undefined }),
  })
  .map((s) => {
    const fields: Record<string, unknown> = { name: s.name };
    if (s.kind === 'threshold') fields.freshness_threshold_seconds = s.threshold;
    else Object.assign(fields, { schedule: s.cron, grace_seconds: s.grace }, s.zone === undefined ? {} : { timezone: s.zone });
    if (s.replicas !== undefined) fields.replicas = s.replicas;
    if (s.maxRun !== undefined) fields.max_run_seconds = s.maxRun;
    if (s.okWhen !== undefined) fields.ok_when = s.okWhen;
    let window: GeneratedService['window'];
    if (s.window !== undefined) {
      const [from, length, fromOffset, toOffset] = s.window;
      window = { from, to: from + length };
      fields.maintenance = [{ from: rfc3339(from, fromOffset), to: rfc3339(from + length, toOffset), reason: 'generated' }];
    }
    return { fields, window };
  });

const topLevel = fc.record(
  {
    scrape_interval_seconds: inRange('scrape_interval_seconds'),
    timeout_seconds: inRange('timeout_seconds'),
    max_stale_seconds: inRange('max_stale_seconds'),
    config_ttl_seconds: inRange('config_ttl_seconds'),
    max_clock_skew_seconds: inRange('max_clock_skew_seconds'),
    max_body_bytes: inRange('max_body_bytes'),
    allow_unlisted_targets: fc.boolean(),
  },
  { requiredKeys: [] },
);
const validConfig = fc.record({
  port: fc.integer({ min: 1, max: 65535 }),
  top: topLevel,
  defaultZone: fc.option(zone, { nil: undefined }),
  services: fc.uniqueArray(service, { maxLength: 5, selector: (s) => s.fields.name }),
});

/** One field broken: its path as the error must name it, and the broken document. */
const brokenFields: readonly { readonly path: (services: number) => string | undefined; readonly apply: (doc: Record<string, unknown>) => boolean }[] = [
  { path: () => 'scrape_interval_seconds', apply: (doc) => ((doc.scrape_interval_seconds = 0), true) },
  { path: () => 'max_body_bytes', apply: (doc) => ((doc.max_body_bytes = CONFIG_RANGES.max_body_bytes.max + 1), true) },
  { path: () => 'pushgateway_url', apply: (doc) => ((doc.pushgateway_url = 'ftp://pushgateway:9091'), true) },
  { path: () => 'defaults.timezone', apply: (doc) => ((doc.defaults = { timezone: 'Mars/Olympus' }), true) },
  {
    path: (count) => (count === 0 ? undefined : 'services[0].maintenance[0].to'),
    apply: (doc) => {
      const first = (doc.services as Record<string, unknown>[])[0];
      if (first === undefined) return false;
      first.maintenance = [{ from: '2026-07-04T09:00:00-04:00', to: '2026-07-04T13:00:00Z' }];
      return true;
    },
  },
  {
    path: (count) => (count === 0 ? undefined : 'services[0].replicas'),
    apply: (doc) => {
      const first = (doc.services as Record<string, unknown>[])[0];
      if (first === undefined) return false;
      first.replicas = 0;
      return true;
    },
  },
];

describe('generated configs (property-based)', () => {
  it('a config built from documented values loads with every value as given; one broken field is named by its path', () => {
    const seen = { loaded: 0, refused: 0 };
    fc.assert(
      fc.property(validConfig, fc.option(fc.integer({ min: 0, max: brokenFields.length - 1 }), { nil: undefined, freq: 2 }), (generated, broken) => {
        const doc: Record<string, unknown> = { pushgateway_url: `http://pushgateway.example:${generated.port}`, ...generated.top, services: generated.services.map((s) => ({ ...s.fields })) };
        if (generated.defaultZone !== undefined) doc.defaults = { timezone: generated.defaultZone };
        const breaking = broken === undefined ? undefined : brokenFields[broken];
        const brokenPath = breaking?.path(generated.services.length);
        if (breaking !== undefined && brokenPath !== undefined) breaking.apply(doc);
        const text = stringify(doc);
        if (brokenPath === undefined) {
          const config = parseConfig(text);
          seen.loaded += 1;
          assert.deepEqual(config.pushgatewayUrls, [`http://pushgateway.example:${generated.port}`]);
          assert.equal(config.scrapeIntervalSeconds, generated.top.scrape_interval_seconds ?? CONFIG_DEFAULTS.scrapeIntervalSeconds);
          assert.equal(config.maxBodyBytes, generated.top.max_body_bytes ?? CONFIG_DEFAULTS.maxBodyBytes);
          assert.equal(config.maxClockSkewSeconds, generated.top.max_clock_skew_seconds ?? CONFIG_DEFAULTS.maxClockSkewSeconds);
          assert.equal(config.allowUnlistedTargets, generated.top.allow_unlisted_targets ?? CONFIG_DEFAULTS.allowUnlistedTargets);
          assert.equal(config.timeoutSeconds, generated.top.timeout_seconds ?? CONFIG_DEFAULTS.timeoutSeconds);
          assert.equal(config.maxStaleSeconds, generated.top.max_stale_seconds ?? CONFIG_DEFAULTS.maxStaleSeconds);
          assert.equal(config.configTtlSeconds, generated.top.config_ttl_seconds ?? CONFIG_DEFAULTS.configTtlSeconds);
          assert.deepEqual([...config.services.keys()], generated.services.map((s) => s.fields.name));
          for (const { fields, window } of generated.services) {
            const loaded = config.services.get(String(fields.name));
            assert.ok(loaded);
            assert.equal(loaded.freshnessThresholdSeconds, fields.schedule === undefined ? fields.freshness_threshold_seconds : undefined);
            assert.equal(loaded.schedule?.schedule.expression, fields.schedule);
            assert.equal(loaded.schedule?.schedule.timezone, fields.schedule === undefined ? undefined : (fields.timezone ?? generated.defaultZone ?? 'UTC'));
            assert.equal(loaded.schedule?.graceSeconds, fields.grace_seconds);
            assert.equal(loaded.replicas, fields.replicas);
            assert.equal(loaded.maxRunSeconds, fields.max_run_seconds);
            assert.deepEqual(loaded.okWhen.map((rule) => rule.text), fields.ok_when === undefined ? [] : [fields.ok_when]);
            assert.deepEqual(loaded.maintenance, window === undefined ? [] : [{ fromSeconds: window.from, toSeconds: window.to, reason: 'generated' }]);
          }
        } else {
          seen.refused += 1;
          assert.throws(() => parseConfig(text), (error: unknown) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.equal(error.problems.length, 1, error.problems.join(' | '));
            assert.ok(error.problems[0]?.startsWith(`${brokenPath}: `), `${error.problems[0]} names ${brokenPath}`);
            return true;
          });
        }
      }),
      { numRuns: RUNS },
    );
    // Both branches ran a fair share: a generator that drifted into always failing (or never) shows here.
    assert.ok(seen.loaded >= RUNS * 0.4, `loaded ${seen.loaded} of ${RUNS}`);
    assert.ok(seen.refused >= RUNS * 0.15, `refused ${seen.refused} of ${RUNS}`);
  });
});
