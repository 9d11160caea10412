import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTH_WAIT_MS, authWaitMs, computeProbeTimeout, elapsedSeconds, fixProbeTimeout, remainingMs, startBudget } from '../../lib/core/probe/probe-budget.ts';

describe('computeProbeTimeout', () => {
  const table: { name: string; header?: string; configured: number; remaining?: number; expected: number }[] = [
    { name: 'uses the configured timeout without a header', configured: 5, expected: 5 },
    { name: 'uses the scrape timeout minus 0.5 s when smaller', header: '3', configured: 5, expected: 2.5 },
    { name: 'keeps the configured timeout when the header is larger', header: '10', configured: 5, expected: 5 },
    { name: 'does not subtract the offset from a tiny scrape timeout', header: '0.3', configured: 5, expected: 0.3 },
    { name: "honours Lambda's remaining time minus a reserve", header: '10', configured: 5, remaining: 1250, expected: 1 },
    { name: 'never goes below 0.1 s', configured: 5, remaining: 300, expected: 0.1 },
    { name: "but never past Lambda's remaining time", configured: 5, remaining: 60, expected: 0.06 },
  ];
  for (const row of table) {
    it(row.name, () => {
      const result = computeProbeTimeout({ scrapeTimeoutHeader: row.header, configuredSeconds: row.configured, remainingTimeMs: row.remaining });
      assert.deepEqual(result, { seconds: row.expected });
    });
  }

  it('reads the header sent empty, or white space alone, as not sent (blackbox_exporter does the same)', () => {
    for (const header of ['', ' ', '\t']) {
      assert.deepEqual(computeProbeTimeout({ scrapeTimeoutHeader: header, configuredSeconds: 5, remainingTimeMs: undefined }), { seconds: 5 }, JSON.stringify(header));
    }
  });

  for (const header of ['abc', '-1', '0', '1e3', 'Infinity']) {
    it(`rejects the header ${JSON.stringify(header)} with a one-line reason`, () => {
      const result = computeProbeTimeout({ scrapeTimeoutHeader: header, configuredSeconds: 5, remainingTimeMs: undefined });
      assert.ok('error' in result);
      assert.match(result.error, /^invalid X-Prometheus-Scrape-Timeout-Seconds header .*: must be a positive number of seconds$/);
    });
  }
});

describe('ProbeBudget: one per request, asked by every wait what is left', () => {
  it('is unbounded until the probe timeout is fixed, then counts down from the arrival', () => {
    const budget = startBudget(1_000);
    assert.equal(remainingMs(budget, 5_000), Number.POSITIVE_INFINITY);
    const fixed = fixProbeTimeout(budget, 5);
    assert.ok('budget' in fixed);
    assert.equal(fixed.budget.seconds, 5);
    assert.equal(remainingMs(fixed.budget, 3_000), 3_000);
    assert.equal(remainingMs(fixed.budget, 3_000, 1), 0, 'a config read meanwhile can shorten it');
    assert.equal(remainingMs(fixed.budget, 9_000), 0, 'never negative');
    assert.equal(elapsedSeconds(fixed.budget, 3_500), 2.5);
  });

  it('fixes the timeout from the header and Lambda as it arrived', () => {
    const fixed = fixProbeTimeout(startBudget(0, { scrapeTimeoutHeader: '3', lambdaRemainingMs: 10_000 }), 5);
    assert.deepEqual(fixed, { budget: { startedMs: 0, scrapeTimeoutHeader: '3', lambdaRemainingMs: 10_000, seconds: 2.5 } });
    const bad = fixProbeTimeout(startBudget(0, { scrapeTimeoutHeader: 'soon' }), 5);
    assert.ok('error' in bad);
    assert.match(bad.error, /^invalid X-Prometheus-Scrape-Timeout-Seconds header "soon"/);
  });

  it('lets the bearer-token wait use at most AUTH_WAIT_MS, and half of what Lambda has left after its reserve', () => {
    assert.equal(authWaitMs(startBudget(0)), AUTH_WAIT_MS);
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 1_250 })), 500);
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 100 })), 0);
  });
});
