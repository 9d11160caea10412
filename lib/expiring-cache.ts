/** Milliseconds since the epoch; injected so expiry is tested without sleeping. */
export type Clock = () => number;

export interface CachePolicy {
  /** How long a loaded value (or a failure) is reused before the next load. */
  readonly ttlMs: number;
  /** After a failed load, how old the last good value may be and still answer. */
  readonly maxStaleMs: number;
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
}

interface Settled<T> {
  readonly settledAtMs: number;
  readonly error: unknown;
  readonly failed: boolean;
  readonly value?: T;
}

/**
 * A value that expires: loaded at most once per TTL, one in-flight load shared by all
 * concurrent callers, and the last good value kept through failed loads. Any loader plugs in
 * (the Pushgateway snapshot, the config); the clock is passed in.
 */
export class ExpiringCache<T> {
  private lastGood: { value: T; loadedAtMs: number } | undefined;
  private latest: Settled<T> | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly clock: Clock,
  ) {}

  async get(policy: CachePolicy): Promise<CacheRead<T>> {
    const latest = this.latest;
    if (latest !== undefined && this.clock() - latest.settledAtMs < policy.ttlMs) {
      return this.read(latest, policy, true);
    }
    // `.finally` runs asynchronously, so even a loader that throws synchronously clears the slot.
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    await this.inFlight;
    // `refresh` always records a result before its promise settles.
    return this.read(this.latest as Settled<T>, policy, false);
  }

  /** The last good value regardless of age, for callers that must not wait on a load. */
  peek(): { value: T; loadedAtMs: number } | undefined {
    return this.lastGood;
  }

  private async refresh(): Promise<void> {
    try {
      const value = await this.load();
      const now = this.clock();
      this.lastGood = { value, loadedAtMs: now };
      this.latest = { settledAtMs: now, error: undefined, failed: false, value };
    } catch (error) {
      this.latest = { settledAtMs: this.clock(), error, failed: true };
    }
  }

  private read(settled: Settled<T>, policy: CachePolicy, hit: boolean): CacheRead<T> {
    if (!settled.failed) {
      return { value: settled.value, loadedAtMs: settled.settledAtMs, error: undefined, hit };
    }
    const good = this.lastGood;
    if (good !== undefined && this.clock() - good.loadedAtMs <= policy.maxStaleMs) {
      return { value: good.value, loadedAtMs: good.loadedAtMs, error: settled.error, hit };
    }
    return { value: undefined, loadedAtMs: undefined, error: settled.error, hit };
  }
}
