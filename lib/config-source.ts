import { CONFIG_DEFAULTS, type ExporterConfig } from './config.ts';
import { describeError } from './errors.ts';
import { ExpiringCache, type Clock } from './expiring-cache.ts';
import type { Logger } from './logger.ts';

export interface ConfigRead {
  /** The config in force: the latest good one. Undefined until one has loaded. */
  readonly config: ExporterConfig | undefined;
  /** Why the latest load failed, one line. */
  readonly error: string | undefined;
}

/**
 * Serves the config from any loader, reloaded every `config_ttl_seconds`; a failed or
 * invalid reload leaves the last good config in force.
 */
export class ConfigSource {
  private readonly cache: ExpiringCache<ExporterConfig>;

  constructor(
    load: () => Promise<ExporterConfig>,
    clock: Clock,
    private readonly logger: Logger,
    readonly description: string,
  ) {
    this.cache = new ExpiringCache(async () => {
      try {
        const config = await load();
        this.logger.debug('config loaded', { source: description, services: config.services.size });
        return config;
      } catch (error) {
        this.logger.error('config load failed', { source: description, error: describeError(error) });
        throw error;
      }
    }, clock);
  }

  async read(): Promise<ConfigRead> {
    const ttlSeconds = this.cache.peek()?.value.configTtlSeconds ?? CONFIG_DEFAULTS.configTtlSeconds;
    const read = await this.cache.get({ ttlMs: ttlSeconds * 1000, maxStaleMs: Number.POSITIVE_INFINITY });
    return { config: read.value, error: read.error === undefined ? undefined : describeError(read.error) };
  }
}
