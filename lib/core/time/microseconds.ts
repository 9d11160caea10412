/**
 * Time rules compare whole microseconds: each operand is rounded once, then integers are added,
 * subtracted and compared exactly, so float error (`1764000000.4 - 1764000000.1 > 0.3`) cannot tip
 * a boundary (docs/configuration-ranges.md). Exact while values stay below 2^53 µs, i.e. for unix
 * times before the year 2255; beyond that, a comparison still comes out on the right side.
 */
export const MICROS_PER_SECOND = 1_000_000;

export function toMicros(seconds: number): number {
  return Math.round(seconds * MICROS_PER_SECOND);
}

export function fromMicros(micros: number): number {
  return micros / MICROS_PER_SECOND;
}

/** `later − earlier` in seconds, exact to the microsecond. */
export function secondsBetween(later: number, earlier: number): number {
  return fromMicros(toMicros(later) - toMicros(earlier));
}

/** "0.3s", "0.300001s", "1170s": to the microsecond, so a value just over its limit never prints as equal to it. */
export function formatExactSeconds(seconds: number): string {
  return `${fromMicros(toMicros(seconds))}s`;
}
