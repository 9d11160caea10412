import type { ExporterConfig } from '../../core/config/config-types.ts';
import { describeError, ExporterError, PushgatewayError } from '../../core/errors.ts';
import type { Clock } from '../../core/time/clock.ts';
import { ExpiringCache, type CachePolicy, type CacheRead } from './expiring-cache.ts';
import { andThen, type MaybePromise } from '../../core/maybe-promise.ts';
import type { Logger } from '../logger.ts';
import type { PushgatewayReader } from '../pushgateway/pushgateway-reader.ts';
import { redactUrl } from '../../core/config/redact-url.ts';
import { collectYoungGarbage } from '../young-garbage.ts';
import { monotonicMs } from '../monotonic-clock.ts';
import { afterBody, indexSlot, type StreamedWork } from '../../core/snapshot/index-slot.ts';
import type { Snapshot } from '../../core/snapshot/snapshot.ts';
import { SnapshotMemory } from '../../core/snapshot/snapshot-memory.ts';
import { randomHashSeed } from '../random-hash-seed.ts';
import { runInBackground, runSliced, SLICE_MS } from '../time-slicing.ts';
import type { SnapshotRead } from '../../core/snapshot/snapshot-read.ts';

export type ReadOutcome = 'success' | 'unreachable' | 'bad_response' | 'timeout';

/**
 * Where each Pushgateway read is counted (the runtime's self-metrics); `loadedAtMs` comes with a
 * success, `pushgateway` (the URL redacted of credentials) names the Pushgateway read.
 */
export interface ReadRecorder {
  recordRead(outcome: ReadOutcome, durationSeconds: number, loadedAtMs: number | undefined, pushgateway: string): void;
}

/**
 * The warm-container snapshot cache (docs/architecture.md#the-snapshot-cache): one Pushgateway
 * read serves every probe for `scrape_interval_seconds`, concurrent probes share one read (each
 * waiting only as long as its own deadline allows), and a failed read may fall back on a snapshot
 * younger than `max_stale_seconds`.
 *
 * Memory is bounded by construction: one read at a time (a newer read stops the one before it
 * first), filling the one of two reused slots that does not hold the snapshot in use. The body
 * streams into the slot and is indexed there in slices, so neither the read nor the index ever
 * holds the event loop for more than a couple of milliseconds.
 */
export class SnapshotSource {
  /** The cache in use, its key, and the config and URL it was last asked for with (a warm probe makes no key). */
  private current: { key: string; cache: ExpiringCache<Snapshot>; config: ExporterConfig; url: string } | undefined;
  private policy: { readonly config: ExporterConfig; readonly policy: CachePolicy } | undefined;
  private readonly memory = new SnapshotMemory();
  /** The read in progress, if any: `stop` it and wait for `done` before the next one starts. */
  private reading: { readonly stop: AbortController; readonly done: Promise<void> } | undefined;

  constructor(
    private readonly client: Pick<PushgatewayReader, 'fetchMetrics'>,
    private readonly clock: Clock,
    /** A monotonic clock's milliseconds, for read durations. */
    private readonly monotonicMs: () => number,
    private readonly logger: Logger,
    private readonly metrics: ReadRecorder,
    /** Read ahead of expiry (docs/architecture.md#the-snapshot-cache); off where the process is frozen between requests. */
    private readonly refreshAhead: boolean,
  ) {}

  /**
   * A read of `url` (by default the first Pushgateway: one source serves one Pushgateway,
   * lib/edges/cache/gateway-snapshots.ts); a snapshot within its TTL answers at once (./expiring-cache.ts).
   * `nowMs`: the clock's time, read in this same turn; read by the cache when not given.
   */
  read(config: ExporterConfig, maxWaitMs: number, url: string = config.pushgatewayUrls[0] ?? '', nowMs?: number): MaybePromise<SnapshotRead> {
    const cache = this.cacheFor(config, url);
    return andThen(cache.get(this.policyFor(config), maxWaitMs, nowMs), (result) => this.snapshotRead(result, maxWaitMs, url));
  }

  private snapshotRead(result: CacheRead<Snapshot>, maxWaitMs: number, url: string): SnapshotRead {
    // Not waited for (a Pushgateway already down while another answers, lib/edges/cache/gateway-snapshots.ts): its last failure says why.
    const notWaited = maxWaitMs === 0 && result.timedOut && result.error !== undefined;
    const error = result.timedOut && !notWaited
      ? `Pushgateway at ${redactUrl(url)} did not answer within ${(maxWaitMs / 1000).toFixed(2)}s`
      : result.error === undefined ? undefined : describeError(result.error);
    return {
      snapshot: result.value,
      pushgatewayUp: error === undefined,
      snapshotAgeSeconds: result.loadedAtMs === undefined ? undefined : (result.readAtMs - result.loadedAtMs) / 1000,
      error,
      cacheHit: result.hit,
      readAtMs: result.readAtMs,
    };
  }

  /** The cache policy of a config, made once per config: a warm probe makes no object for it. */
  private policyFor(config: ExporterConfig): CachePolicy {
    if (this.policy?.config !== config) {
      this.policy = {
        config,
        policy: {
          // Whole milliseconds: 1.005 * 1000 is 1004.9999999999999, which would refuse a snapshot exactly max_stale_seconds old.
          ttlMs: Math.round(config.scrapeIntervalSeconds * 1000),
          maxStaleMs: Math.round(config.maxStaleSeconds * 1000),
          // The read's own timeout has passed by then: it hung across a frozen Lambda container.
          maxLoadMs: config.timeoutSeconds * 1000 + 1000,
          // The next read starts shortly before expiry, so warm probes never wait on it (docs/architecture.md#the-snapshot-cache).
          refreshAhead: this.refreshAhead,
        },
      };
    }
    return this.policy.policy;
  }

  /** The snapshot in hand, if any, without reading: for what `/metrics` shows from it. */
  peek(): Snapshot | undefined {
    return this.current?.cache.peek()?.value;
  }

  /** One cache per Pushgateway URL and read limits: a config change starts afresh. */
  private cacheFor(config: ExporterConfig, url: string): ExpiringCache<Snapshot> {
    // The same config object gives the same key: configs are never changed, and a reload that read a changed text makes a new one.
    if (this.current !== undefined && this.current.config === config && this.current.url === url) return this.current.cache;
    const { maxBodyBytes, pushgatewayBearerToken: token } = config;
    // The shared read runs on the configured timeout, whoever starts it; each probe waits only its own budget.
    const timeoutMs = config.timeoutSeconds * 1000;
    const key = `${url} ${timeoutMs} ${maxBodyBytes} ${token ?? ''}`;
    if (this.current?.key !== key) {
      const cache: ExpiringCache<Snapshot> = new ExpiringCache(
        (signal) => this.load({ url, timeoutMs, maxBodyBytes, token, signal, inUse: () => cache.peek()?.value }),
        this.clock,
      );
      this.current = { key, cache, config, url };
    } else {
      this.current = { ...this.current, config, url };
    }
    return this.current.cache;
  }

  private async load(read: {
    url: string; timeoutMs: number; maxBodyBytes: number; token: string | undefined; signal: AbortSignal; inUse: () => Snapshot | undefined;
  }): Promise<Snapshot> {
    const { url, timeoutMs, maxBodyBytes, token } = read;
    // Claimed at once, so a read arriving while this one waits stops this one in turn: one queue, one read.
    const previous = this.reading;
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, read.signal]);
    let finished = () => {};
    const reading = { stop, done: new Promise<void>((resolve) => (finished = resolve)) };
    this.reading = reading;
    const started = this.monotonicMs();
    const duration = () => (this.monotonicMs() - started) / 1000;
    try {
      if (previous !== undefined) {
        previous.stop.abort(new ExporterError('PUSHGATEWAY_READ_SUPERSEDED', `a newer read of the Pushgateway at ${redactUrl(url)} replaced this one`));
        await previous.done;
      }
      signal.throwIfAborted();
      const slot = this.memory.slotFor(read.inUse(), maxBodyBytes);
      let sinceCollected = 0;
      // Indexed as it streams in (the Pushgateway renders while it sends): the index is nearly done when the last byte is in.
      const indexing = indexSlot(slot, false, randomHashSeed());
      const unparsable = (error: unknown) =>
        new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${redactUrl(url)} sent unparsable metrics: ${describeError(error)}`, { cause: error });
      const catchUp = new IndexCatchUp(indexing);
      let bytes: number;
      try {
        ({ bytes } = await this.client.fetchMetrics(url, { timeoutMs, maxBodyBytes, bearerToken: token, signal }, (chunk) => {
          slot.append(chunk);
          sinceCollected += chunk.length;
          if (sinceCollected >= COLLECT_EVERY_BYTES) {
            sinceCollected = 0;
            collectYoungGarbage();
          }
          try {
            catchUp.chunkArrived();
          } catch (error) {
            // Thrown into the reader, which stops the download: the rest of the body cannot mend it.
            throw unparsable(error);
          }
        }));
      } finally {
        catchUp.stop();
      }
      if (sinceCollected >= COLLECT_EVERY_BYTES / 16) collectYoungGarbage();
      let snapshot;
      try {
        catchUp.rethrow();
        slot.end();
        snapshot = await runSliced(afterBody(indexing), signal);
      } catch (error) {
        if (signal.aborted) throw error;
        throw unparsable(error);
      }
      this.metrics.recordRead('success', duration(), this.clock(), redactUrl(url));
      // A read is routine (every scrape, on a Lambda probing one service): debug, unless it left lines out.
      const level = snapshot.skippedLines > 0 || snapshot.invalidLines > 0 ? 'info' : 'debug';
      this.logger[level]('pushgateway read', {
        outcome: 'success', bytes, body_bytes: snapshot.bodyBytes, samples: snapshot.sampleCount, groups: snapshot.groupCount,
        ...(snapshot.skippedLines > 0 ? { skipped_long_lines: snapshot.skippedLines } : {}),
        ...(snapshot.invalidLines > 0 ? { invalid_lines: snapshot.invalidLines } : {}), duration_seconds: duration(),
      });
      if (snapshot.skippedLines > 0) this.logger.warn('pushgateway lines over 1 MiB left out of the snapshot', { lines: snapshot.skippedLines });
      if (snapshot.invalidLines > 0) {
        this.logger.warn('invalid pushgateway lines left out of the snapshot', { lines: snapshot.invalidLines, first: snapshot.firstInvalidLine });
      }
      // The `service` and family tables are left to the first lookup that needs them (docs/performance.md);
      // a process that stays up builds them in the background meanwhile, so that lookup rarely waits.
      if (this.refreshAhead) {
        runInBackground(snapshot.indexLater(), (error) => this.logger.error('snapshot index build failed', { error: describeError(error) }));
      }
      return snapshot;
    } catch (error) {
      if (signal.aborted && !(error instanceof PushgatewayError)) {
        // Replaced by a newer read, or given up by the cache: that read reports for both.
        this.logger.debug('pushgateway read stopped', { reason: describeError(error), duration_seconds: duration() });
        throw error;
      }
      const code = error instanceof PushgatewayError ? error.code : 'PUSHGATEWAY_UNREACHABLE';
      this.metrics.recordRead(READ_OUTCOMES[code] ?? 'unreachable', duration(), undefined, redactUrl(url));
      this.logger.warn('pushgateway read failed', { outcome: 'failure', pushgateway: redactUrl(url), code, error: describeError(error), duration_seconds: duration() });
      throw error;
    } finally {
      if (this.reading === reading) this.reading = undefined;
      finished();
    }
  }
}

/**
 * Advances the index of a body still streaming in: a slice after each chunk, then more slices on
 * the following turns of the event loop while the index is behind what has arrived, so the time
 * the read waits on the network goes to the index rather than to nothing (a large chunk holds
 * more than a slice of work). A failure in a later slice is kept for the next chunk, or for the
 * end of the body.
 */
class IndexCatchUp {
  private scheduled = false;
  private stopped = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly work: StreamedWork<unknown>) {}

  /** Runs a slice now (a failure throws) and, if the index is still behind, more on the next turns. */
  chunkArrived(): void {
    this.rethrow();
    if (this.slice()) this.schedule();
  }

  /** The body is complete or the read failed: no slice runs after this. */
  stop(): void {
    this.stopped = true;
  }

  rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** One slice; true when the index is still behind what has arrived. */
  private slice(): boolean {
    const until = monotonicMs() + SLICE_MS;
    for (;;) {
      const step = this.work.next();
      if (step.done || step.value) return false;
      if (monotonicMs() >= until) return true;
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped || this.failure !== undefined) return;
      try {
        if (this.slice()) this.schedule();
      } catch (error) {
        this.failure = { error };
      }
    });
  }
}

/** How much of a body is read between two collections of the chunks already copied (see young-garbage.ts). */
const COLLECT_EVERY_BYTES = 1024 * 1024;

const READ_OUTCOMES: Partial<Record<string, ReadOutcome>> = {
  PUSHGATEWAY_UNREACHABLE: 'unreachable',
  PUSHGATEWAY_BAD_RESPONSE: 'bad_response',
  PUSHGATEWAY_TIMEOUT: 'timeout',
};
