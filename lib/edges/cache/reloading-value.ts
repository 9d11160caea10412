import { describeError } from '../../core/errors.ts';
import type { Clock } from '../../core/time/clock.ts';
import { ExpiringCache, type CachePolicy, type CacheRead } from './expiring-cache.ts';
import { andThen, type MaybePromise } from '../../core/maybe-promise.ts';
import type { Logger } from '../logger.ts';

/** Until a first value loads, a failure is retried this soon rather than after a whole TTL. */
export const FIRST_LOAD_RETRY_SECONDS = 5;
/** A load still running after this long is abandoned for a new one (SSM's own retries take ~10 s at most). */
const MAX_LOAD_MS = 30_000;

export interface ReloadingRead<T> {
  /** The value in force: the latest good one. Undefined until one has loaded. */
  readonly value: T | undefined;
  /** Why the latest load failed (or is still running), one line. */
  readonly error: string | undefined;
}

export interface ReloadingValueOptions<T> {
  /** `signal` aborts when the load is given up (it ran longer than MAX_LOAD_MS): its result is then dropped. */
  readonly load: (signal: AbortSignal) => Promise<T>;
  /** Seconds between reloads, given the value in force. */
  readonly ttlSeconds: (current: T) => number;
  readonly clock: Clock;
  /** A monotonic clock's milliseconds, for load durations. */
  readonly monotonicMs: () => number;
  readonly logger: Logger;
  /** What it is, for log lines: "config", "bearer tokens". */
  readonly what: string;
  /** Where it comes from, for log lines and errors: a path or "ssm:/name". */
  readonly source: string;
  readonly onLoad?: (outcome: 'success' | 'failure') => void;
  /** Extra fields for the success log line. */
  readonly describe?: (value: T) => Record<string, number | string>;
}

/**
 * A load that reads its source's text every time but parses it only when the text changed: the
 * same text gives back the value in force, the same object, so a reload that changed nothing costs
 * no parse and is logged as no change (ReloadingValue). Parsing is pure (the text, and settings
 * fixed for the process), so the same text can only give the same value. A text that failed to
 * parse is parsed again next time, and fails again with its error.
 */
export function parsedOnChange<T>(read: () => Promise<string>, parse: (text: string) => T | Promise<T>): (signal: AbortSignal) => Promise<T> {
  let last: { readonly text: string; readonly value: T } | undefined;
  return async (signal) => {
    const text = await read();
    if (last !== undefined && last.text === text) return last.value;
    const value = await parse(text);
    // A load given up is dropped: what it read is not what is in force, so it is not remembered.
    if (!signal.aborted) last = { text, value };
    return value;
  };
}

/**
 * A value (the config, the bearer tokens) reloaded every TTL from any loader; a failed, invalid
 * or slow reload leaves the last good value in force. A failed or invalid one logs at `error` on
 * every reload, one the cache gave up as slow only at `debug`. A good reload logs at `info`
 * when it changed what is in force (the first value, a different one, or the first good load after
 * a failed one) and at `debug` when it gave back the value in force (`parsedOnChange`): a process
 * whose config never changes writes no line per TTL at the default level (docs/operations.md#logs-and-self-metrics).
 */
export class ReloadingValue<T> {
  private readonly cache: ExpiringCache<T>;
  /** The cache policy for the value in force, and the read that gives it with no error: made once per value, not per read. */
  private forValue: { readonly good: T | undefined; readonly policy: CachePolicy; readonly read: ReloadingRead<T> } | undefined;
  /** Whether the latest load failed: the next good one is a change, logged at `info`, even when it gives back the value in force. */
  private lastLoadFailed = false;

  constructor(private readonly options: ReloadingValueOptions<T>) {
    const { load, monotonicMs, logger, what, source, onLoad, describe } = options;
    this.cache = new ExpiringCache(async (signal) => {
      const started = monotonicMs();
      const duration_seconds = () => (monotonicMs() - started) / 1000;
      // A load the cache gave up (it outlasted MAX_LOAD_MS, a newer one took its place) changes
      // nothing in force: it counts no outcome and logs no outcome line, whenever it ends.
      const givenUp = () => {
        logger.debug(`${what} load given up`, { source, duration_seconds: duration_seconds() });
      };
      try {
        const value = await load(signal);
        if (signal.aborted) {
          givenUp();
          return value;
        }
        onLoad?.('success');
        const changed = this.lastLoadFailed || value !== this.cache.peek()?.value;
        this.lastLoadFailed = false;
        const line = { source, outcome: 'success', ...describe?.(value), duration_seconds: duration_seconds() };
        if (changed) logger.info(`${what} loaded`, line);
        else logger.debug(`${what} loaded`, { ...line, unchanged: true });
        return value;
      } catch (error) {
        if (signal.aborted) {
          givenUp();
          throw error;
        }
        this.lastLoadFailed = true;
        onLoad?.('failure');
        logger.error(`${what} load failed`, { source, outcome: 'failure', error: describeError(error), duration_seconds: duration_seconds() });
        throw error;
      }
    }, options.clock);
  }

  get source(): string {
    return this.options.source;
  }

  /** The value in force now, without waiting for any load. */
  current(): T | undefined {
    return this.cache.peek()?.value;
  }

  /**
   * Waits at most `maxWaitMs` for a due reload; past that, the last good value answers. A value
   * within its TTL answers at once (./expiring-cache.ts). `nowMs`: the clock's time, read in this same turn.
   */
  read(maxWaitMs?: number, nowMs?: number): MaybePromise<ReloadingRead<T>> {
    const good = this.current();
    let forValue = this.forValue;
    if (forValue === undefined || forValue.good !== good) {
      const ttlSeconds = good === undefined ? FIRST_LOAD_RETRY_SECONDS : this.options.ttlSeconds(good);
      const policy = { ttlMs: Math.round(ttlSeconds * 1000), maxStaleMs: Number.POSITIVE_INFINITY, maxLoadMs: MAX_LOAD_MS };
      // Frozen: every caller gets this one object.
      this.forValue = forValue = { good, policy, read: Object.freeze({ value: good, error: undefined }) };
    }
    return andThen(this.cache.get(forValue.policy, maxWaitMs, nowMs), (read) =>
      // The usual read, the value in force with no failure, is the one made for that value.
      (read.value === forValue.good && read.error === undefined && !read.timedOut ? forValue.read : this.reading(read, maxWaitMs)));
  }

  private reading(read: CacheRead<T>, maxWaitMs: number | undefined): ReloadingRead<T> {
    // A reload still running is no failure: report the last completed one (or, before any, the wait).
    const error = read.error !== undefined ? describeError(read.error)
      : read.timedOut && read.value === undefined ? `${this.options.what} from ${this.options.source} still loading after ${((maxWaitMs ?? 0) / 1000).toFixed(2)}s`
      : undefined;
    return { value: read.value, error };
  }
}
