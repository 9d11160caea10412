/**
 * Seconds rounded to the millisecond or the microsecond for an answer: finer digits are noise next
 * to network and scheduling delays, and they make a long, unstable exposition.
 */
export function roundSeconds(seconds: number, precision: 'milli' | 'micro'): number {
  const scale = precision === 'milli' ? 1e3 : 1e6;
  return Math.round(seconds * scale) / scale;
}
