const MINUTE = 60;
const DAY = 86_400;
const MIB = 1024 * 1024;

/** The values a numeric key accepts; docs/configuration-ranges.md lists them with what each key does. */
export interface NumericRange {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly unit: 'seconds' | 'bytes' | 'services' | '';
  /** Said after the maximum in an error: what it amounts to, or why it is the limit. */
  readonly maxNote?: string;
}

/**
 * Every numeric key's range, by key name (the same wherever the key appears; an alias shares its
 * key's range). The bounds keep each value where every use of it works: the one timer
 * (timeout_seconds) far below setTimeout's 2^31-1 ms, a unix time plus any threshold exact in
 * microseconds, a body within what Node can inflate and decode into one string.
 */
export const CONFIG_RANGES = {
  scrape_interval_seconds: { min: 0.001, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  // Prometheus scrapes and a Lambda invocation both end long before.
  timeout_seconds: { min: 0.1, max: 5 * MINUTE, integer: false, unit: 'seconds' },
  max_stale_seconds: { min: 0.001, max: 7 * DAY, integer: false, unit: 'seconds', maxNote: '1 week' },
  // Each reload from SSM is an API call: once a second is plenty.
  config_ttl_seconds: { min: 1, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  max_clock_skew_seconds: { min: 0.001, max: DAY, integer: false, unit: 'seconds', maxNote: '1 day' },
  max_body_bytes: { min: 64 * 1024, max: 256 * MIB, integer: true, unit: 'bytes', maxNote: '256 MiB, the largest body the read path supports' },
  freshness_threshold_seconds: { min: 0.001, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  grace_seconds: { min: 0, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  max_run_seconds: { min: 0.001, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  // A minute at least: the reaper runs every few minutes, and a shorter expiry is a unit error.
  expire_after_seconds: { min: 60, max: 366 * DAY, integer: false, unit: 'seconds', maxNote: '366 days' },
  replicas: { min: 1, max: 1000, integer: true, unit: '' },
  max_discovered_services: { min: 1, max: 100_000, integer: true, unit: 'services' },
} as const satisfies Record<string, NumericRange>;

export type RangedKey = keyof typeof CONFIG_RANGES;

/** "between 0.1 and 300 seconds", "between 65536 and 268435456 bytes (256 MiB, …)". */
export function describeRange(range: NumericRange): string {
  const unit = range.unit === '' ? '' : ` ${range.unit}`;
  const note = range.maxNote === undefined ? '' : ` (${range.maxNote})`;
  return `between ${range.min} and ${range.max}${unit}${note}`;
}
