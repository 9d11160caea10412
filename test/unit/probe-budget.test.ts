import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeProbeTimeout } from '../../lib/core/probe/probe-budget.ts';

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

  for (const header of ['abc', '-1', '0', '', '1e3', 'Infinity']) {
    it(`rejects the header ${JSON.stringify(header)} with a one-line reason`, () => {
      const result = computeProbeTimeout({ scrapeTimeoutHeader: header, configuredSeconds: 5, remainingTimeMs: undefined });
      assert.ok('error' in result);
      assert.match(result.error, /^invalid X-Prometheus-Scrape-Timeout-Seconds header .*: must be a positive number of seconds$/);
    });
  }
});
