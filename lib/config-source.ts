import { CONFIG_DEFAULTS, type ExporterConfig } from './config.ts';
import { describeError } from './errors.ts';
import { ExpiringCache, type Clock } from './expiring-cache.ts';
import type { Logger } from './logger.ts';
import type { SelfMetrics } from './self-metrics.ts';

/** Until a first config loads, a failure is retried this soon rather than after a whole TTL. */
export const FIRST_LOAD_RETRY_SECONDS = 5;

export interface ConfigRead {
  /** The config in force: the latest good one. Undefined until one has loaded. */
  readonly config: ExporterConfig | undefined;
  /** Why the latest load failed (or is still running), one line. */
  readonly error: string | undefined;
}

/**
 * Serves the config from any loader, reloaded every `config_ttl_seconds`; a failed, invalid or
 * slow reload leaves the last good config in force.
 */
export class ConfigSource {
  private readonly cache: ExpiringCache<ExporterConfig>;

  constructor(
    load: () => Promise<ExporterConfig>,
    clock: Clock,
    private readonly logger: Logger,
    metrics: SelfMetrics,
    readonly description: string,
  ) {
    this.cache = new ExpiringCache(async () => {
      const started = performance.now();
      const duration_seconds = () => (performance.now() - started) / 1000;
      try {
        const config = await load();
        metrics.recordReload('success');
        this.logger.info('config loaded', { source: description, outcome: 'success', services: config.services.size, duration_seconds: duration_seconds() });
        return config;
      } catch (error) {
        metrics.recordReload('failure');
        this.logger.error('config load failed', { source: description, outcome: 'failure', error: describeError(error), duration_seconds: duration_seconds() });
        throw error;
      }
    }, clock);
  }

  /** The config in force now, without waiting for any load. */
  current(): ExporterConfig | undefined {
    return this.cache.peek()?.value;
  }

  /** Waits at most `maxWaitMs` for a due reload; past that, the last good config answers. */
  async read(maxWaitMs?: number): Promise<ConfigRead> {
    const good = this.current();
    const ttlSeconds = good === undefined ? FIRST_LOAD_RETRY_SECONDS : good.configTtlSeconds;
    const read = await this.cache.get({ ttlMs: ttlSeconds * 1000, maxStaleMs: Number.POSITIVE_INFINITY }, maxWaitMs);
    const error = read.timedOut
      ? `config from ${this.description} still loading after ${((maxWaitMs ?? 0) / 1000).toFixed(2)}s`
      : read.error === undefined ? undefined : describeError(read.error);
    return { config: read.value, error };
  }
}
