import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatMicroValue } from '../../lib/core/exposition/micro-value.ts';
import { formatValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { roundSeconds } from '../../lib/core/time/round-seconds.ts';

// formatMicroValue writes a microsecond-rounded number from its count of microseconds; it must give
// formatValue's text for every such number, the ones it leaves to formatValue included.

const RUNS = 20_000;
const micro = (seconds: number): number => roundSeconds(seconds, 'micro');
const same = (value: number): void => assert.equal(formatMicroValue(value), formatValue(value), `for ${value}`);

describe('formatMicroValue', () => {
  it('writes any microsecond count as formatValue does, across and past the small-integer range', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 32), max: 2 ** 32 }), (micros) => same(micros / 1e6)), { numRuns: RUNS });
  });

  it('writes any number rounded to the microsecond as formatValue does', () => {
    const seconds = fc.oneof(
      fc.double({ min: -3000, max: 3000, noNaN: true }),
      fc.double({ min: -1e-5, max: 1e-5, noNaN: true }),
      fc.double(),
    );
    fc.assert(fc.property(seconds, (value) => same(micro(value))), { numRuns: RUNS });
  });

  it('writes the values a probe gives, at the edges of each form', () => {
    const values = [
      0, -0, 1e-6, -1e-6, 0.5, -0.5, 0.1, 0.000123, 0.00001, 0.0001, 1, 10, 1.000001, 12.34, 59.999999, 2147.483647, -2147.483647,
      2147.483648, -2147.483648, 1764000000.123456, 1e21, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
    ];
    for (const value of values) same(micro(value));
    assert.equal(formatMicroValue(micro(0.0004567)), '0.000457');
    assert.equal(formatMicroValue(micro(-3.5)), '-3.5');
    assert.equal(formatMicroValue(micro(Number.POSITIVE_INFINITY)), '+Inf');
  });
});
