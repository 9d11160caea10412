import type { ServiceConfig } from './config.ts';

/** When the report after one that arrived at `arrivalSeconds` is due, and how late it is. */
export interface Deadline {
  /** When the next heartbeat is due, before grace; undefined for a schedule that never fires again. */
  readonly nextExpectedSeconds: number | undefined;
  /** Positive when late; otherwise minus the time left. */
  readonly lateSeconds: number;
}

/**
 * A threshold service is due `freshness_threshold_seconds` after its last report; a scheduled one
 * at the first scheduled time after it, plus `grace_seconds`.
 */
export function deadlineAfter(arrivalSeconds: number, service: ServiceConfig, nowSeconds: number): Deadline {
  if (service.schedule !== undefined) {
    const next = service.schedule.schedule.nextAfter(arrivalSeconds);
    // A schedule that never fires again never makes the service late.
    if (next === undefined) return { nextExpectedSeconds: undefined, lateSeconds: Number.NEGATIVE_INFINITY };
    return { nextExpectedSeconds: next, lateSeconds: nowSeconds - (next + service.schedule.graceSeconds) };
  }
  const threshold = service.freshnessThresholdSeconds ?? 0;
  // Age against threshold (not now against arrival + threshold): the boundary stays exact for the 0.1-style values users push.
  return { nextExpectedSeconds: arrivalSeconds + threshold, lateSeconds: nowSeconds - arrivalSeconds - threshold };
}
