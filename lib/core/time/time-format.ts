/** RFC 3339 in UTC for a unix time, or undefined when no Date can hold it (a pushed value may be anything). */
export function rfc3339Time(seconds: number | undefined): string | undefined {
  return seconds !== undefined && Number.isFinite(seconds) && Math.abs(seconds) <= 8.64e12 ? new Date(seconds * 1000).toISOString() : undefined;
}

/** RFC 3339 in UTC for a unix time, or the number itself when no Date can hold it. */
export function isoTime(seconds: number): string {
  return rfc3339Time(seconds) ?? String(seconds);
}
