import type { ExporterConfig } from './config.ts';
import { describeError, PushgatewayError } from './errors.ts';
import { ExpiringCache, type Clock } from './expiring-cache.ts';
import type { Logger } from './logger.ts';
import type { PushgatewayClient } from './pushgateway-client.ts';
import { redactUrl } from './redact-url.ts';
import type { ReadOutcome, SelfMetrics } from './self-metrics.ts';
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
 * The warm-container snapshot cache (docs/architecture.md#the-snapshot-cache): one Pushgateway
 * read serves every probe for `scrape_interval_seconds`, concurrent probes share one read (each
 * waiting only as long as its own deadline allows), and a failed read may fall back on a snapshot
 * younger than `max_stale_seconds`.
 */
export class SnapshotSource {
  private current: { key: string; cache: ExpiringCache<Snapshot> } | undefined;

  constructor(
    private readonly client: PushgatewayClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: SelfMetrics,
  ) {}

  async read(config: ExporterConfig, maxWaitMs: number): Promise<SnapshotRead> {
    const cache = this.cacheFor(config);
    const policy = {
      ttlMs: config.scrapeIntervalSeconds * 1000,
      maxStaleMs: config.maxStaleSeconds * 1000,
      // The read's own timeout has passed by then: it hung across a frozen Lambda container.
      maxLoadMs: config.timeoutSeconds * 1000 + 1000,
    };
    const result = await cache.get(policy, maxWaitMs);
    const error = result.timedOut
      ? `Pushgateway at ${redactUrl(config.pushgatewayUrl)} did not answer within ${(maxWaitMs / 1000).toFixed(2)}s`
      : result.error === undefined ? undefined : describeError(result.error);
    return {
      snapshot: result.value,
      pushgatewayUp: error === undefined,
      snapshotAgeSeconds: result.loadedAtMs === undefined ? undefined : (this.clock() - result.loadedAtMs) / 1000,
      error,
      cacheHit: result.hit,
    };
  }

  /** One cache per Pushgateway URL and read limits: a config change starts afresh. */
  private cacheFor(config: ExporterConfig): ExpiringCache<Snapshot> {
    const { pushgatewayUrl: url, maxBodyBytes, pushgatewayBearerToken: token } = config;
    // The shared read runs on the configured timeout, whoever starts it; each probe waits only its own budget.
    const timeoutMs = config.timeoutSeconds * 1000;
    const key = `${url} ${timeoutMs} ${maxBodyBytes} ${token ?? ''}`;
    if (this.current?.key !== key) {
      this.current = { key, cache: new ExpiringCache(() => this.load(url, timeoutMs, maxBodyBytes, token), this.clock) };
    }
    return this.current.cache;
  }

  private async load(url: string, timeoutMs: number, maxBodyBytes: number, token: string | undefined): Promise<Snapshot> {
    const started = performance.now();
    const duration = () => (performance.now() - started) / 1000;
    try {
      const { text, bytes } = await this.client.fetchMetrics(url, timeoutMs, maxBodyBytes, token);
      let snapshot: Snapshot;
      try {
        snapshot = indexSnapshot(text);
      } catch (error) {
        throw new PushgatewayError('PUSHGATEWAY_BAD_RESPONSE', `Pushgateway at ${redactUrl(url)} sent unparsable metrics: ${describeError(error)}`, { cause: error });
      }
      this.metrics.recordRead('success', duration(), this.clock());
      this.logger.info('pushgateway read', { outcome: 'success', bytes, samples: snapshot.sampleCount, groups: snapshot.groups.size, duration_seconds: duration() });
      return snapshot;
    } catch (error) {
      const code = error instanceof PushgatewayError ? error.code : 'PUSHGATEWAY_UNREACHABLE';
      this.metrics.recordRead(READ_OUTCOMES[code] ?? 'unreachable', duration());
      this.logger.warn('pushgateway read failed', { outcome: 'failure', code, error: describeError(error), duration_seconds: duration() });
      throw error;
    }
  }
}

const READ_OUTCOMES: Partial<Record<string, ReadOutcome>> = {
  PUSHGATEWAY_UNREACHABLE: 'unreachable',
  PUSHGATEWAY_BAD_RESPONSE: 'bad_response',
  PUSHGATEWAY_TIMEOUT: 'timeout',
};
