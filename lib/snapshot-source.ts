import { setTimeout as sleep } from 'node:timers/promises';
import type { ExporterConfig } from './config.ts';
import { describeError, PushgatewayError } from './errors.ts';
import { ExpiringCache, type Clock } from './expiring-cache.ts';
import { parseExposition } from './exposition-parser.ts';
import type { Logger } from './logger.ts';
import { PushgatewayClient, redactUrl } from './pushgateway-client.ts';
import { indexSnapshot, type Snapshot } from './snapshot.ts';

export interface SnapshotRead {
  /** Undefined when the Pushgateway could not be read and no recent snapshot exists. */
  readonly snapshot: Snapshot | undefined;
  readonly pushgatewayUp: boolean;
  readonly snapshotAgeSeconds: number | undefined;
  /** Why the latest read failed, one line; undefined when it succeeded. */
  readonly error: string | undefined;
  readonly cacheHit: boolean;
}

/**
 * The warm-container snapshot cache (SPEC §6): one Pushgateway read serves every probe for
 * `scrape_interval_seconds`, concurrent probes share one read, and a failed read may fall
 * back on a snapshot younger than `max_stale_seconds`.
 */
export class SnapshotSource {
  private current: { url: string; cache: ExpiringCache<Snapshot> } | undefined;
  /** The fetch timeout of the read in flight, set by whichever probe starts it. */
  private fetchTimeoutMs = 0;

  constructor(
    private readonly client: PushgatewayClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async read(config: ExporterConfig, timeoutMs: number): Promise<SnapshotRead> {
    const cache = this.cacheFor(config.pushgatewayUrl);
    const policy = { ttlMs: config.scrapeIntervalSeconds * 1000, maxStaleMs: config.maxStaleSeconds * 1000 };
    this.fetchTimeoutMs = timeoutMs;
    const deadline = new AbortController();
    const timedOut = sleep(timeoutMs, undefined, { signal: deadline.signal }).then(
      () => 'timeout' as const,
      () => 'cancelled' as const,
    );
    const result = await Promise.race([cache.get(policy), timedOut]);
    deadline.abort();
    const now = this.clock();
    if (result === 'timeout' || result === 'cancelled') {
      // The shared read is slower than this probe may wait: answer from the last good snapshot if recent.
      const last = cache.peek();
      const usable = last !== undefined && now - last.loadedAtMs <= policy.maxStaleMs;
      return {
        snapshot: usable ? last.value : undefined,
        pushgatewayUp: false,
        snapshotAgeSeconds: usable ? (now - last.loadedAtMs) / 1000 : undefined,
        error: `Pushgateway at ${redactUrl(config.pushgatewayUrl)} did not answer within ${(timeoutMs / 1000).toFixed(2)}s`,
        cacheHit: false,
      };
    }
    return {
      snapshot: result.value,
      pushgatewayUp: result.error === undefined,
      snapshotAgeSeconds: result.loadedAtMs === undefined ? undefined : (now - result.loadedAtMs) / 1000,
      error: result.error === undefined ? undefined : describeError(result.error),
      cacheHit: result.hit,
    };
  }

  private cacheFor(url: string): ExpiringCache<Snapshot> {
    if (this.current?.url !== url) {
      this.current = { url, cache: new ExpiringCache(() => this.load(url), this.clock) };
    }
    return this.current.cache;
  }

  private async load(url: string): Promise<Snapshot> {
    const started = this.clock();
    try {
      const { text, bytes } = await this.client.fetchMetrics(url, this.fetchTimeoutMs);
      let snapshot: Snapshot;
      try {
        snapshot = indexSnapshot(parseExposition(text));
      } catch (error) {
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${redactUrl(url)} sent unparsable metrics: ${describeError(error)}`, { cause: error });
      }
      this.logger.debug('pushgateway read', { outcome: 'success', bytes, samples: snapshot.sampleCount, groups: snapshot.groups.size, duration_seconds: (this.clock() - started) / 1000 });
      return snapshot;
    } catch (error) {
      const code = error instanceof PushgatewayError ? error.code : 'PUSHGATEWAY_UNREACHABLE';
      this.logger.warn('pushgateway read failed', { outcome: 'failure', code, error: describeError(error), duration_seconds: (this.clock() - started) / 1000 });
      throw error;
    }
  }
}
