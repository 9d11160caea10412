import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRfc3339 } from '../../lib/core/time/parse-rfc3339.ts';

describe('parseRfc3339', () => {
  it('reads a time with Z or an offset as unix seconds, to the microsecond', () => {
    assert.equal(parseRfc3339('2026-12-24T18:00:00Z'), 1798135200);
    assert.equal(parseRfc3339('2026-12-24T18:00:00+01:00'), 1798131600);
    assert.equal(parseRfc3339('2026-12-24 18:00:00.3z'), 1798135200.3);
    // Years below 100 as written, not as 19xx.
    assert.equal(parseRfc3339('0099-01-01T00:00:00Z'), -59042995200);
  });

  it('refuses a time without an offset, or one that names no real instant', () => {
    for (const text of ['2026-12-24T18:00:00', '2026-02-30T00:00:00Z', '2026-12-24T24:00:00Z', '2026-12-24T18:00:00+24:00', '2026-12-24', 'soon']) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });
});
