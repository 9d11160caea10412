import { formatValue } from './exposition-renderer.ts';

// A probe's ages and durations are rounded to the microsecond (lib/core/time/round-seconds.ts), and
// three of them change with every answer. V8 writes a fractional number by searching for its
// shortest decimal form; from its whole count of microseconds the same text takes about half the
// CPU (docs/performance.md#the-warm-path).

/** Zeros between the decimal point and a fraction of 1 to 5 significant digits. */
const LEADING_ZEROS = ['', '0', '00', '000', '0000', '00000'];
/** Counts of microseconds below this are V8's small integers, cheap to divide and write; a larger one is left to formatValue. */
const SMALL_MICROS = 2 ** 31;

/**
 * `value`, a number rounded to the microsecond, written exactly as formatValue writes it (the
 * shortest decimal that reads back as the same number). A value of 2,147 s or more, or not
 * finite, is left to formatValue (test/unit/micro-value.test.ts compares the two).
 */
export function formatMicroValue(value: number): string {
  const micros = Math.round(value * 1e6);
  if (!(micros > -SMALL_MICROS && micros < SMALL_MICROS)) return formatValue(value);
  // 0 and -0 alike: formatValue writes both as "0".
  if (micros === 0) return '0';
  const sign = micros < 0 ? '-' : '';
  const size = micros < 0 ? -micros : micros;
  const whole = Math.trunc(size / 1e6);
  let fraction = size - whole * 1e6;
  if (fraction === 0) return `${sign}${whole}`;
  let digits = 6;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits -= 1;
  }
  const text = String(fraction);
  return `${sign}${whole}.${LEADING_ZEROS[digits - text.length] ?? ''}${text}`;
}
