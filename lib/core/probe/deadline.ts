import type { ServiceConfig } from '../config/config-types.ts';
import { fromMicros, toMicros } from '../time/microseconds.ts';

/** When the report after one that arrived at `arrivalSeconds` is due, and how late it is. */
export interface Deadline {
  /** When the next heartbeat is due, before grace; undefined for a schedule that never fires again. */
  readonly nextExpectedSeconds: number | undefined;
  /** Positive when late; otherwise minus the time left. Exact to the microsecond, so its sign is the verdict. */
  readonly lateSeconds: number;
}

/**
 * A threshold service is due `freshness_threshold_seconds` after its last report; a scheduled one
 * at the first scheduled time after it, plus `grace_seconds`. Fresh ⇔ age ≤ threshold, decided in
 * whole microseconds (docs/configuration-ranges.md).
 */
export function deadlineAfter(arrivalSeconds: number, service: ServiceConfig, nowSeconds: number): Deadline {
  const now = toMicros(nowSeconds);
  if (service.schedule !== undefined) {
    const next = service.schedule.schedule.nextAfter(arrivalSeconds);
    // A schedule that never fires again never makes the service late.
    if (next === undefined) return { nextExpectedSeconds: undefined, lateSeconds: Number.NEGATIVE_INFINITY };
    return { nextExpectedSeconds: next, lateSeconds: fromMicros(now - toMicros(next) - toMicros(service.schedule.graceSeconds)) };
  }
  const due = toMicros(arrivalSeconds) + toMicros(service.freshnessThresholdSeconds ?? 0);
  return { nextExpectedSeconds: fromMicros(due), lateSeconds: fromMicros(now - due) };
}
