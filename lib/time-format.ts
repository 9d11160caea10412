/** RFC 3339 in UTC for a unix time, or the number itself when no Date can hold it (a pushed value may be anything). */
export function isoTime(seconds: number): string {
  return Number.isFinite(seconds) && Math.abs(seconds) <= 8.64e12 ? new Date(seconds * 1000).toISOString() : String(seconds);
}

/** Seconds to the millisecond, without trailing zeros: "1170s", "60.22s". */
export function formatSeconds(seconds: number): string {
  return `${Math.round(seconds * 1000) / 1000}s`;
}
