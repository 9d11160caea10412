import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authWaitMs, computeProbeTimeout, fixProbeTimeout, remainingMs, startBudget } from '../../lib/core/probe/probe-budget.ts';

// The limits of the probe's time budget, one row each side (docs/architecture.md#how-a-probe-flows):
// the 0.5 s scrape-timeout offset, the 0.1 s floor, Lambda's 250 ms reserve and the header's form.

const timeout = (header: string | undefined, configured: number, remaining?: number) =>
  computeProbeTimeout({ scrapeTimeoutHeader: header, configuredSeconds: configured, remainingTimeMs: remaining });

describe('computeProbeTimeout at its boundaries', () => {
  const table: { name: string; header?: string; configured: number; remaining?: number; expected: number }[] = [
    { name: 'trims the header before reading it', header: ' 3 \t', configured: 5, expected: 2.5 },
    { name: 'takes a fractional header', header: '1.25', configured: 5, expected: 0.75 },
    { name: 'keeps a header of exactly the offset whole (no subtraction at 0.5 s)', header: '0.5', configured: 5, expected: 0.5 },
    { name: 'subtracts the offset just above it, down to the floor', header: '0.55', configured: 5, expected: 0.1 },
    { name: 'takes the configured timeout when it is the least', header: '60', configured: 2, remaining: 10_000, expected: 2 },
    { name: "takes Lambda's time less the reserve when it is the least", configured: 5, remaining: 2_250, expected: 2 },
    { name: 'floors at 0.1 s when Lambda has exactly its reserve left', configured: 5, remaining: 250, expected: 0.1 },
    { name: 'answers 0 s when Lambda has no time left at all', configured: 5, remaining: 0, expected: 0 },
    { name: "answers 0 s, never a negative time, when Lambda's time is already past", configured: 5, remaining: -100, expected: 0 },
  ];
  for (const row of table) {
    it(row.name, () => {
      assert.deepEqual(timeout(row.header, row.configured, row.remaining), { seconds: row.expected });
    });
  }

  for (const header of ['.5', '5.', '3abc', 'abc3', '3.5.1', '+3', '0.0', '00']) {
    it(`rejects the header ${JSON.stringify(header)}, quoting it`, () => {
      assert.deepEqual(timeout(header, 5), { error: `invalid X-Prometheus-Scrape-Timeout-Seconds header ${JSON.stringify(header)}: must be a positive number of seconds` });
    });
  }

  it('quotes a rejected header trimmed and cut to 40 characters', () => {
    assert.deepEqual(timeout(`  ${'x'.repeat(50)}  `, 5), { error: `invalid X-Prometheus-Scrape-Timeout-Seconds header "${'x'.repeat(40)}": must be a positive number of seconds` });
  });

  it('passes the header problem through fixProbeTimeout word for word', () => {
    assert.deepEqual(fixProbeTimeout(startBudget(0, { scrapeTimeoutHeader: 'soon' }), 5), { error: 'invalid X-Prometheus-Scrape-Timeout-Seconds header "soon": must be a positive number of seconds' });
  });
});

describe('the budget of a request at its boundaries', () => {
  it("bounds the bearer-token wait by AUTH_WAIT_MS exactly where half of Lambda's time after the reserve reaches it", () => {
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 2_250 })), 1_000);
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 2_248 })), 999);
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 10_000 })), 1_000);
    assert.equal(authWaitMs(startBudget(0, { lambdaRemainingMs: 250 })), 0);
  });

  it('is bounded by the shorter of its own timeout and a config read meanwhile', () => {
    const fixed = fixProbeTimeout(startBudget(1_000), 5);
    assert.ok('budget' in fixed);
    assert.equal(remainingMs(fixed.budget, 3_000, 10), 3_000, 'a longer config timeout does not lengthen it');
    assert.equal(remainingMs(fixed.budget, 3_000, 3), 1_000);
    assert.equal(remainingMs(fixed.budget, 6_000), 0, 'nothing left exactly at the end');
  });

  it('keeps what the request brought, with an unbounded timeout until it is fixed', () => {
    assert.deepEqual(startBudget(7, { scrapeTimeoutHeader: '2', lambdaRemainingMs: 900 }), { startedMs: 7, scrapeTimeoutHeader: '2', lambdaRemainingMs: 900, seconds: Number.POSITIVE_INFINITY });
    assert.deepEqual(startBudget(7), { startedMs: 7, scrapeTimeoutHeader: undefined, lambdaRemainingMs: undefined, seconds: Number.POSITIVE_INFINITY });
  });
});
