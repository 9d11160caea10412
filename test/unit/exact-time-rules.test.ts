import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ServiceConfig } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { renderDebugReport } from '../../lib/core/report/debug-report.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { explainDecision } from '../../lib/core/probe/probe-reason.ts';
import type { ProbeState } from '../../lib/core/probe/probe-evaluation.ts';
import { parseSchedule } from '../../lib/core/rules/schedule.ts';
import { START_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// The oracle works in BigInt microseconds on decimal text, so no float arithmetic of the test's own
// can agree with a float error of the code's. A time reaches the code as the double nearest its
// decimal text: what a pushed sample or a config value parses to.
const MICRO = 1_000_000n;
const micros = (decimal: string): bigint => {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(decimal);
  if (match === null) throw new Error(`not a decimal with at most 6 places: ${decimal}`);
  const value = BigInt(match[2] ?? '0') * MICRO + BigInt((match[3] ?? '').padEnd(6, '0'));
  return match[1] === '-' ? -value : value;
};
const text = (value: bigint): string => {
  const abs = value < 0n ? -value : value;
  return `${value < 0n ? '-' : ''}${abs / MICRO}.${String(abs % MICRO).padStart(6, '0')}`;
};
const seconds = (value: bigint): number => Number(text(value));
const isoMicros = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;

const HB = 'loop_heartbeat_timestamp_seconds';
const OFFSETS = [
  { offset: -1n, where: 'just below' },
  { offset: 0n, where: 'exactly at' },
  { offset: 1n, where: 'just above' },
] as const;

function group(samples: readonly [string, bigint][], instance = 'svc'): Snapshot {
  return indexSnapshot(`${samples.map(([name, at]) => `${name}{instance="${instance}",job="heartbeat"} ${text(at)}`).join('\n')}\n`, FIXED_HASH_SEED);
}

function judge(service: ServiceConfig, snapshot: Snapshot, now: bigint, skew = '300'): { state: ProbeState; why: string; late: number | undefined } {
  const result = evaluateProbe({ maxClockSkewSeconds: Number(skew) }, snapshot, service, service.name, seconds(now));
  return { state: result.state, why: explainDecision(result), late: result.deadline.lateSeconds };
}

describe('time rules are decided exactly, to the microsecond', () => {
  describe('freshness_threshold_seconds: fresh ⇔ age ≤ threshold', () => {
    const rows = [
      { heartbeat: '1764000000.1', threshold: '0.3' },
      { heartbeat: '1764000000.7', threshold: '0.1' },
      { heartbeat: '1764000000.2', threshold: '0.1' },
      { heartbeat: '0.1', threshold: '0.2' },
      { heartbeat: '1764000000', threshold: '5' },
      { heartbeat: '1764000000.123456', threshold: '0.001' },
      { heartbeat: '1764000000.999999', threshold: '31622400' },
      { heartbeat: '4102444800.3', threshold: '0.3' }, // 2100-01-01
      { heartbeat: '4294967000.6', threshold: '295.399999' }, // due 1 µs before 2^32 s
    ];
    for (const row of rows) {
      for (const { offset, where } of OFFSETS) {
        const expected: ProbeState = offset > 0n ? 'late' : 'up';
        it(`heartbeat ${row.heartbeat}, threshold ${row.threshold}: ${where} the threshold is ${expected}`, () => {
          const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: Number(row.threshold) });
          const now = micros(row.heartbeat) + micros(row.threshold) + offset;
          const verdict = judge(service, group([[HB, micros(row.heartbeat)]]), now);
          assert.equal(verdict.state, expected, verdict.why);
          assert.equal(verdict.late, offset > 0n ? 0.000001 : 0);
        });
      }
    }

    it('says 0.3 s old is within a threshold of 0.3, and 1 µs more is over it', () => {
      const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: 0.3 });
      const snapshot = group([[HB, micros('1764000000.1')]]);
      assert.equal(judge(service, snapshot, micros('1764000000.4')).why, 'the last heartbeat is 0.3s old, within freshness_threshold_seconds 0.3');
      assert.equal(judge(service, snapshot, micros('1764000000.400001')).why, 'the last heartbeat is 0.300001s old, over freshness_threshold_seconds 0.3');
    });

    it('the debug report shows the same exact age as the reason', () => {
      const config = parseConfig('pushgateway_url: http://pg:9091\nservices: [{name: svc, freshness_threshold_seconds: 0.3}]\n');
      const service = config.services.get('svc');
      assert.ok(service);
      const snapshot = group([[HB, micros('1764000000.1')]]);
      const now = seconds(micros('1764000000.400001'));
      const evaluation = evaluateProbe(config, snapshot, service, 'svc', now);
      const report = renderDebugReport(evaluation, config, { snapshot, pushgatewayUp: true, snapshotAgeSeconds: 0.25, error: undefined, cacheHit: false }, now, '');
      assert.match(report, /^ {2}age: 0\.300001s$/m);
      assert.match(report, /^Why: the last heartbeat is 0\.300001s old, over freshness_threshold_seconds 0\.3$/m);
      assert.match(report, /late by 0\.000001s$/m);
    });

    it('the debug report escapes a target\'s line separators (U+2028, U+2029) as it does control characters', () => {
      const config = parseConfig('pushgateway_url: http://pg:9091\nallow_unlisted_targets: true\nservices: [{name: svc}]\n');
      const target = 'a\u2028b\u2029c\nd';
      const service = serviceConfig({ name: target, freshnessThresholdSeconds: 10 });
      const now = seconds(micros('1764000000.4'));
      const report = renderDebugReport(evaluateProbe(config, group([]), service, target, now), config, { snapshot: group([]), pushgatewayUp: true, snapshotAgeSeconds: 0, error: undefined, cacheHit: false }, now, '');
      assert.ok(report.includes('"a\\u2028b\\u2029c\\nd"'), report);
      assert.doesNotMatch(report, /[\u2028\u2029]/);
    });

    it('holds for any heartbeat before 2^32 s and any threshold in range (property, 2,000 cases)', () => {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 0n, max: 2n ** 32n * MICRO - 1n }),
          fc.bigInt({ min: 1000n, max: 31_622_400n * MICRO }),
          fc.constantFrom(-1n, 0n, 1n),
          (heartbeat, threshold, offset) => {
            fc.pre(heartbeat + threshold + offset < 2n ** 32n * MICRO);
            const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: seconds(threshold) });
            const verdict = judge(service, group([[HB, heartbeat]]), heartbeat + threshold + offset);
            assert.equal(verdict.state, offset > 0n ? 'late' : 'up', verdict.why);
          },
        ),
        { numRuns: 2000 },
      );
    });
  });

  describe('grace_seconds after a scheduled run: late only once now > run + grace', () => {
    const parsed = parseSchedule('*/15 * * * *', 'UTC');
    if ('error' in parsed) throw new Error(parsed.error);
    const rows = [
      { heartbeat: '2026-01-10T10:00:30.1Z', next: '2026-01-10T10:15:00Z', grace: '0.3' },
      { heartbeat: '2026-01-10T10:00:30.7Z', next: '2026-01-10T10:15:00Z', grace: '0.1' },
      { heartbeat: '2026-01-10T10:14:59.9Z', next: '2026-01-10T10:15:00Z', grace: '0' },
      { heartbeat: '2026-01-10T10:00:00Z', next: '2026-01-10T10:15:00Z', grace: '120.7' },
      { heartbeat: '2099-12-31T23:50:00.5Z', next: '2100-01-01T00:00:00Z', grace: '0.3' },
    ];
    for (const row of rows) {
      for (const { offset, where } of OFFSETS) {
        const expected: ProbeState = offset > 0n ? 'late' : 'up';
        it(`run due ${row.next}, grace ${row.grace}: ${where} the end of grace is ${expected}`, () => {
          const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: undefined, schedule: { schedule: parsed.schedule, graceSeconds: Number(row.grace) } });
          const heartbeat = isoMicros(row.heartbeat);
          const now = isoMicros(row.next) + micros(row.grace) + offset;
          const verdict = judge(service, group([[HB, heartbeat]]), now);
          assert.equal(verdict.state, expected, verdict.why);
          assert.equal(verdict.late, offset > 0n ? 0.000001 : 0);
        });
      }
    }
  });

  describe('max_run_seconds: running_too_long only once the run is older than it', () => {
    const rows = [
      { start: '1764000000.1', maxRun: '0.3' },
      { start: '1764000000.7', maxRun: '0.1' },
      { start: '1764000000.35', maxRun: '600.7' },
      { start: '4102444800.9', maxRun: '0.2' },
    ];
    for (const row of rows) {
      for (const { offset, where } of OFFSETS) {
        const expected: ProbeState = offset > 0n ? 'running_too_long' : 'up';
        it(`run started ${row.start}, max_run_seconds ${row.maxRun}: ${where} the limit is ${expected}`, () => {
          const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: 86_400, maxRunSeconds: Number(row.maxRun) });
          const start = micros(row.start);
          const snapshot = group([[HB, start - 60n * MICRO], [START_METRIC, start]]);
          const verdict = judge(service, snapshot, start + micros(row.maxRun) + offset);
          assert.equal(verdict.state, expected, verdict.why);
          assert.equal(verdict.late, offset > 0n ? 0.000001 : 0);
        });
      }
    }
  });

  describe('max_clock_skew_seconds: a heartbeat or signal ahead of now by more than it does not count', () => {
    const rows = [
      { now: '1764000000.4', skew: '0.3' },
      { now: '1764000000.1', skew: '0.2' },
      { now: '1764000000.999', skew: '300' },
      { now: '4102444800.5', skew: '86400' },
    ];
    for (const row of rows) {
      for (const { offset, where } of OFFSETS) {
        const expected: ProbeState = offset > 0n ? 'late' : 'up';
        it(`now ${row.now}, skew ${row.skew}: a heartbeat ${where} the allowance ahead is ${expected}`, () => {
          const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: 5 });
          const now = micros(row.now);
          const verdict = judge(service, group([[HB, now + micros(row.skew) + offset]]), now, row.skew);
          assert.equal(verdict.state, expected, verdict.why);
          if (offset > 0n) assert.match(verdict.why, /in the future, beyond max_clock_skew_seconds/);
        });

        it(`now ${row.now}, skew ${row.skew}: a start signal ${where} the allowance ahead is ${offset > 0n ? 'ignored' : 'a run in progress'}`, () => {
          const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: 86_400 * 2 });
          const now = micros(row.now);
          const snapshot = group([[HB, now - 60n * MICRO], [START_METRIC, now + micros(row.skew) + offset]]);
          const result = evaluateProbe({ maxClockSkewSeconds: Number(row.skew) }, snapshot, service, 'svc', seconds(now));
          assert.equal(result.run.running, offset <= 0n);
          assert.deepEqual(result.run.signals.ignored, offset > 0n ? [START_METRIC] : []);
        });
      }
    }
  });

  describe('maintenance windows: paused from `from` (inclusive) to `to` (exclusive)', () => {
    const rows = [
      { from: '2026-12-24T18:00:00.3+01:00', to: '2026-12-24T18:00:00.7+01:00' },
      { from: '2026-12-24T17:00:00.1Z', to: '2026-12-24T17:00:00.4Z' },
      { from: '2026-12-24T17:00:00.999999Z', to: '2026-12-24T17:00:01.000001Z' },
      { from: '2099-12-31T23:59:59.7-00:30', to: '2100-01-01T00:30:00.2Z' },
    ];
    // The instant each edge names, from its text alone.
    const instant = (rfc3339: string): bigint => {
      const match = /^(.*?)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339);
      if (match === null) throw new Error(rfc3339);
      return isoMicros(`${match[1]}${match[3]}`) + micros(`0${match[2] ?? ''}`);
    };
    for (const row of rows) {
      const config = parseConfig(`pushgateway_url: http://pg:9091\nservices:\n  - name: svc\n    maintenance: [{from: "${row.from}", to: "${row.to}"}]\n`);
      const service = config.services.get('svc');
      assert.ok(service);
      const snapshot = group([[HB, instant(row.from) - 3600n * MICRO]]);
      const cases = [
        { now: instant(row.from) - 1n, paused: false, where: 'just before from' },
        { now: instant(row.from), paused: true, where: 'exactly at from' },
        { now: instant(row.from) + 1n, paused: true, where: 'just after from' },
        { now: instant(row.to) - 1n, paused: true, where: 'just before to' },
        { now: instant(row.to), paused: false, where: 'exactly at to' },
      ];
      for (const { now, paused, where } of cases) {
        it(`${row.from} to ${row.to}: ${where} is ${paused ? 'paused' : 'not paused'}`, () => {
          const verdict = judge(service, snapshot, now);
          assert.equal(verdict.state, paused ? 'paused' : 'late', verdict.why);
        });
      }
    }

    it('rejects a window whose end is not a whole microsecond after its start', () => {
      assert.throws(
        () => parseConfig('pushgateway_url: http://pg:9091\nservices:\n  - {name: svc, maintenance: [{from: "2026-12-24T17:00:00.0000001Z", to: "2026-12-24T17:00:00.0000004Z"}]}\n'),
        /services\[0\]\.maintenance\[0\]\.to: must be later than from/,
      );
    });

    it('reads a year below 100 as written, not as 19xx', () => {
      const config = parseConfig('pushgateway_url: http://pg:9091\nservices:\n  - {name: svc, maintenance: [{from: "0050-01-01T00:00:00Z", to: "9999-12-31T23:59:59.999999Z"}]}\n');
      const window = config.services.get('svc')?.maintenance[0];
      // Seconds from 1970 by Python's proleptic Gregorian datetime.
      assert.equal(window?.fromSeconds, -60_589_296_000);
      assert.equal(window?.toSeconds, 253_402_300_799.999999);
    });
  });

  describe('schedules at the edge of what a Date can hold', () => {
    const parsed = parseSchedule('*/15 * * * *', 'UTC');
    if ('error' in parsed) throw new Error(parsed.error);
    const service = serviceConfig({ name: 'svc', freshnessThresholdSeconds: undefined, schedule: { schedule: parsed.schedule, graceSeconds: 60 } });
    const rows = [
      { heartbeat: '1e13', state: 'late', why: /in the future, beyond max_clock_skew_seconds/ },
      { heartbeat: '8640000000000', state: 'late', why: /in the future/ },
      { heartbeat: '1.7976931348623157e308', state: 'late', why: /in the future/ },
      { heartbeat: '-1e13', state: 'late', why: /past its grace/ },
      { heartbeat: '-1.7976931348623157e308', state: 'late', why: /past its grace/ },
    ] as const;
    for (const row of rows) {
      it(`judges a pushed heartbeat of ${row.heartbeat} ${row.state} instead of throwing`, () => {
        const snapshot = indexSnapshot(`${HB}{instance="svc",job="heartbeat"} ${row.heartbeat}\n`, FIXED_HASH_SEED);
        const result = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'svc', 1764000000);
        assert.equal(result.state, row.state);
        assert.match(explainDecision(result), row.why);
      });
    }
  });
});
