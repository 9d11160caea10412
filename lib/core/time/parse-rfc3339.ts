import { fromMicros, MICROS_PER_SECOND, toMicros } from './microseconds.ts';

// RFC 3339 date-time: an explicit offset is required, so a time in a config means the same instant on every host.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * Unix seconds of an RFC 3339 timestamp, to the microsecond, or undefined when `text` is not one
 * (or names no real date: Feb 30, 24:00).
 */
export function parseRfc3339(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // setUTCFullYear, unlike Date.UTC, takes years 0–99 as written (not as 1900–1999).
  const check = new Date(0);
  check.setUTCFullYear(year, month - 1, day);
  check.setUTCHours(hour, minute, second, 0);
  // A date that rolls over (Feb 30 to Mar 2) does not exist.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second) {
    return undefined;
  }
  const offsetMinutes = match[9] === undefined ? 0 : (match[9] === '-' ? -1 : 1) * (Number(match[10]) * 60 + Number(match[11]));
  if (Number(match[10] ?? 0) > 23 || Number(match[11] ?? 0) > 59) return undefined;
  // Summed in whole microseconds, so ".3" lands on the same instant as a clock reading of .300.
  const fractionMicros = toMicros(Number(match[7] ?? 0));
  return fromMicros((check.getTime() / 1000 - offsetMinutes * 60) * MICROS_PER_SECOND + fractionMicros);
}
