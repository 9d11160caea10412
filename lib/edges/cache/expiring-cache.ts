import type { Clock } from '../../core/time/clock.ts';
import type { MaybePromise } from '../../core/maybe-promise.ts';

export interface CachePolicy {
  /** How long a loaded value (or a failure) is reused before the next load. */
  readonly ttlMs: number;
  /** After a failed or unfinished load, how old the last good value may be and still answer. */
  readonly maxStaleMs: number;
  /**
   * A load running longer than this is abandoned and a new one started: in a Lambda container
   * frozen between invocations, a load can hang across the freeze and fail on thaw.
   */
  readonly maxLoadMs?: number;
  /**
   * Refresh ahead: a read of a fresh value that is within `lead` of its expiry starts the next load
   * without waiting for it, so the new value is ready when the current one expires and no caller
   * waits. `lead` is a multiple of the longest of the last few successful loads, at most the TTL.
   * Nothing is served past its TTL; a failed load ahead is forgotten and the value's expiry is
   * handled as without it.
   */
  readonly refreshAhead?: boolean;
}

export interface CacheRead<T> {
  /** The value to use: fresh, or the last good one within `maxStaleMs`; undefined when there is none. */
  readonly value: T | undefined;
  /** When `value` was loaded. */
  readonly loadedAtMs: number | undefined;
  /** The failure of the latest load, when it failed. */
  readonly error: unknown;
  /** True when this read caused (or joined) no load. */
  readonly hit: boolean;
  /** True when the caller stopped waiting for a load still running; `value` is then the fallback and `error` the last completed load's. */
  readonly timedOut: boolean;
  /** The clock's time as the read was answered: what the value's age is counted to (one clock read serves the TTL check and the age). */
  readonly readAtMs: number;
}

interface Settled<T> {
  readonly settledAtMs: number;
  readonly error: unknown;
  readonly failed: boolean;
  readonly value?: T;
}

/**
 * A value that expires: loaded once per TTL (a little more often with `refreshAhead`), one in-flight load shared by all
 * concurrent callers (each waiting only as long as it can), and the last good value kept through
 * failed or slow loads. Any loader plugs in (the Pushgateway snapshot, the config); the clock is
 * passed in.
 */
export class ExpiringCache<T> {
  private lastGood: { value: T; loadedAtMs: number } | undefined;
  private latest: Settled<T> | undefined;
  private inFlight: { readonly promise: Promise<void>; readonly startedAtMs: number; readonly stop: AbortController } | undefined;
  /** How long the last few successful loads took (clock milliseconds): the longest sets how far ahead of expiry the next one starts. */
  private readonly loadMs: number[] = [];
  /** The longest of `loadMs`, kept as it changes: every fresh read asks for it. */
  private longestLoadMs = 0;
  /** The `settledAtMs` of the value whose load ahead failed: no second load ahead for it. */
  private aheadFailedFor: number | undefined;
  /** Bumped per load, so an abandoned load cannot overwrite a newer result. */
  private generation = 0;

  constructor(
    /** Loads the value; `signal` aborts when the cache gives the load up (see `maxLoadMs`). */
    private readonly load: (signal: AbortSignal) => Promise<T>,
    private readonly clock: Clock,
  ) {}

  /**
   * Waits at most `maxWaitMs` (real time) for a load this read needs; the load itself goes on. A
   * read within the TTL answers at once, not as a promise: a warm probe waits no microtask turn.
   * `now`: the cache's clock, read by the caller in this same turn (a probe reads it once for both
   * of its caches: docs/performance.md#the-warm-path); read here when not given.
   */
  get(policy: CachePolicy, maxWaitMs = Number.POSITIVE_INFINITY, now = this.clock()): MaybePromise<CacheRead<T>> {
    const latest = this.latest;
    if (latest !== undefined && now - latest.settledAtMs < policy.ttlMs) {
      if (policy.refreshAhead === true && !latest.failed) this.maybeRefreshAhead(latest, policy, now);
      return this.read(latest, policy, true, now);
    }
    return this.awaitLoad(policy, maxWaitMs, now);
  }

  /** A read that needs a load: starts one unless one is running, and waits for it within `maxWaitMs`. */
  private async awaitLoad(policy: CachePolicy, maxWaitMs: number, now: number): Promise<CacheRead<T>> {
    if (this.inFlight === undefined || now - this.inFlight.startedAtMs > (policy.maxLoadMs ?? Number.POSITIVE_INFINITY)) this.startLoad(now, undefined);
    const inFlight = this.inFlight as NonNullable<typeof this.inFlight>;
    if (!(await settlesWithin(inFlight.promise, maxWaitMs))) return this.fallback(policy, this.clock());
    // `refresh` records a result before its promise settles.
    return this.read(this.latest as Settled<T>, policy, false, this.clock());
  }

  /** The last good value regardless of age. */
  peek(): { value: T; loadedAtMs: number } | undefined {
    return this.lastGood;
  }

  /**
   * Starts the next load, unawaited, once `latest` (a good value) is within the lead of its expiry:
   * one load at a time, one load ahead per value. Its result replaces `latest` only on success.
   */
  private maybeRefreshAhead(latest: Settled<T>, policy: CachePolicy, now: number): void {
    if (this.inFlight !== undefined || this.aheadFailedFor === latest.settledAtMs) return;
    // At most the TTL: a read as long as the TTL starts as soon as the one before it settled, never two at once.
    const leadMs = Math.min(policy.ttlMs, AHEAD_FACTOR * this.longestLoadMs + AHEAD_MARGIN_MS);
    if (now - latest.settledAtMs < policy.ttlMs - leadMs) return;
    this.startLoad(now, policy.ttlMs);
  }

  /** `aheadTtlMs`: set for a load ahead, the TTL of the value it replaces. */
  private startLoad(now: number, aheadTtlMs: number | undefined): void {
    // A load given up is told to stop: two loads would hold two values under construction.
    this.inFlight?.stop.abort(new Error('load given up: it ran longer than maxLoadMs'));
    const generation = ++this.generation;
    const stop = new AbortController();
    const ahead = aheadTtlMs === undefined || this.latest === undefined ? undefined : { of: this.latest.settledAtMs, ttlMs: aheadTtlMs };
    const promise = this.refresh(generation, stop.signal, now, ahead).finally(() => {
      if (this.inFlight?.promise === promise) this.inFlight = undefined;
    });
    this.inFlight = { promise, startedAtMs: now, stop };
  }

  // Async, so a loader that throws synchronously still becomes a recorded failure.
  /** `ahead`: the fresh value a load ahead replaces (its `settledAtMs`) and its TTL; a failure while it is fresh leaves it be. */
  private async refresh(generation: number, signal: AbortSignal, startedAtMs: number, ahead: { of: number; ttlMs: number } | undefined): Promise<void> {
    try {
      const value = await this.load(signal);
      if (generation !== this.generation) return;
      const now = this.clock();
      this.loadMs.push(Math.max(0, now - startedAtMs));
      if (this.loadMs.length > AHEAD_HISTORY) this.loadMs.shift();
      this.longestLoadMs = Math.max(0, ...this.loadMs);
      this.lastGood = { value, loadedAtMs: now };
      this.latest = { settledAtMs: now, error: undefined, failed: false, value };
    } catch (error) {
      if (generation !== this.generation) return;
      if (ahead !== undefined && this.latest?.settledAtMs === ahead.of && this.clock() - ahead.of < ahead.ttlMs) {
        // The value it was to replace is still fresh: it answers until its expiry, which then loads as
        // usual (a failure there falls back as without a load ahead). Once it has expired, callers
        // joined this load: its failure is theirs.
        this.aheadFailedFor = ahead.of;
        return;
      }
      this.latest = { settledAtMs: this.clock(), error, failed: true };
    }
  }

  private usableLastGood(policy: CachePolicy, now: number): { value: T; loadedAtMs: number } | undefined {
    const good = this.lastGood;
    return good !== undefined && now - good.loadedAtMs <= policy.maxStaleMs ? good : undefined;
  }

  private fallback(policy: CachePolicy, now: number): CacheRead<T> {
    const good = this.usableLastGood(policy, now);
    const error = this.latest?.failed ? this.latest.error : undefined;
    return { value: good?.value, loadedAtMs: good?.loadedAtMs, error, hit: false, timedOut: true, readAtMs: now };
  }

  private read(settled: Settled<T>, policy: CachePolicy, hit: boolean, now: number): CacheRead<T> {
    if (!settled.failed) {
      return { value: settled.value, loadedAtMs: settled.settledAtMs, error: undefined, hit, timedOut: false, readAtMs: now };
    }
    const good = this.usableLastGood(policy, now);
    return { value: good?.value, loadedAtMs: good?.loadedAtMs, error: settled.error, hit, timedOut: false, readAtMs: now };
  }
}

/** A load ahead starts this many of the recent longest load's durations before expiry (plus the margin): slack for a slower read. */
const AHEAD_FACTOR = 1.5;
/** How many recent loads the lead looks back on: on a busy host one read can take several times the one before it. */
const AHEAD_HISTORY = 4;
/** Slack for a read that took next to nothing last time (a millisecond read can take ten the next). */
const AHEAD_MARGIN_MS = 20;

/**
 * True when `promise` settles within `ms` (only +Infinity waits unbounded; NaN or a negative wait
 * counts as 0); the timer is cleared either way. A plain timer rather than node:timers/promises with
 * an AbortController: a cold start paid for loading that module and for the abort's first
 * dispatch (docs/performance.md#the-cold-starts-timers).
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  if (ms === Number.POSITIVE_INFINITY) {
    await promise;
    return true;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms > 0 ? ms : 0, false);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
