import type { RunSignal } from './run-signals.ts';

// The rate bound of check-ins (docs/check-ins.md#rate-bound): one push per service and signal per
// window, so a loop calling the URL as fast as it can cannot flood the Pushgateway.

/** One push per service and signal kind within this many milliseconds; more answer 429. */
export const CHECK_IN_WINDOW_MS = 1000;
/** Service and signal pairs remembered at most; past it (only ever with unlisted targets) check-ins answer 429 until the window frees room. */
export const CHECK_IN_RATE_ENTRIES = 10_000;
/** A service is remembered by at most this many characters, so the table is bounded in bytes too. */
const SERVICE_KEY_CHARS = 200;

const keyOf = (service: string, signal: RunSignal['kind']): string => `${signal}:${service.slice(0, SERVICE_KEY_CHARS)}`;

export type RateVerdict = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number };

/**
 * When each service and signal last pushed, on a monotonic clock passed in. Entries are kept in the
 * order of their last push, so the expired ones are always at the front and pruning is amortized
 * constant time per check-in.
 */
export class CheckInRate {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs = CHECK_IN_WINDOW_MS,
    private readonly maxEntries = CHECK_IN_RATE_ENTRIES,
  ) {}

  get size(): number {
    return this.last.size;
  }

  /** Whether a check-in of `service` with `signal` at `nowMs` may push; admitting it starts its window. */
  admit(service: string, signal: RunSignal['kind'], nowMs: number): RateVerdict {
    this.prune(nowMs);
    const key = keyOf(service, signal);
    const at = this.last.get(key);
    if (at !== undefined) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((at + this.windowMs - nowMs) / 1000)) };
    if (this.last.size >= this.maxEntries) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil(this.windowMs / 1000)) };
    this.last.set(key, nowMs);
    return { admitted: true };
  }

  /** Frees the window of a check-in whose push failed, so its retry is not refused. */
  forget(service: string, signal: RunSignal['kind']): void {
    this.last.delete(keyOf(service, signal));
  }

  private prune(nowMs: number): void {
    for (const [key, at] of this.last) {
      if (nowMs - at < this.windowMs) return;
      this.last.delete(key);
    }
  }
}
