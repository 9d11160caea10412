import { toMicros } from '../time/microseconds.ts';

/** A span of time during which a service is expected to be silent. */
export interface MaintenanceWindow {
  /** Unix seconds, inclusive. */
  readonly fromSeconds: number;
  /** Unix seconds, exclusive. */
  readonly toSeconds: number;
  readonly reason?: string | undefined;
}

/** The maintenance in force at an instant: until when (overlapping windows merged), and the reasons given. */
export interface ActiveMaintenance {
  readonly untilSeconds: number;
  readonly reasons: readonly string[];
}

/**
 * The maintenance `nowSeconds` falls in, if any. Windows that overlap or touch the one in force
 * extend it, so "until" is when the service is really expected back.
 */
export function activeMaintenance(windows: readonly MaintenanceWindow[], nowSeconds: number): ActiveMaintenance | undefined {
  if (windows.length === 0) return undefined;
  // Compared in whole microseconds, like every time rule: the edges are exact (docs/configuration-ranges.md).
  const now = toMicros(nowSeconds);
  const active = windows.filter((window) => now >= toMicros(window.fromSeconds) && now < toMicros(window.toSeconds));
  if (active.length === 0) return undefined;
  let untilSeconds = Math.max(...active.map((window) => window.toSeconds));
  const reasons = active.flatMap((window) => (window.reason === undefined ? [] : [window.reason]));
  for (let extended = true; extended; ) {
    extended = false;
    for (const window of windows) {
      if (toMicros(window.fromSeconds) <= toMicros(untilSeconds) && toMicros(window.toSeconds) > toMicros(untilSeconds)) {
        untilSeconds = window.toSeconds;
        extended = true;
      }
    }
  }
  return { untilSeconds, reasons };
}
