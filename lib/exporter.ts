import { AuthTokens } from './auth-tokens.ts';
import { parseAuthTokens } from './bearer-auth.ts';
import { parseConfig, type ConfigOverrides, type ExporterConfig } from './config.ts';
import { configFilePath, loadConfigFile } from './config-file-loader.ts';
import { ReloadingValue } from './reloading-value.ts';
import { readSsmParameter } from './ssm-parameter.ts';
import type { Clock } from './expiring-cache.ts';
import { createLogger, parseLogLevel, type Logger } from './logger.ts';
import { PushgatewayClient } from './pushgateway-client.ts';
import { SelfMetrics } from './self-metrics.ts';
import { SnapshotSource } from './snapshot-source.ts';

/** The environment variables every entry point reads (SPEC §7). */
export interface ExporterEnvironment {
  readonly CONFIG_SSM_PARAMETER?: string | undefined;
  readonly CONFIG_FILE?: string | undefined;
  readonly PUSHGATEWAY_URL?: string | undefined;
  readonly LOG_LEVEL?: string | undefined;
  readonly AUTH_TOKEN?: string | undefined;
  readonly AUTH_TOKEN_SSM_PARAMETER?: string | undefined;
  readonly PUSHGATEWAY_BEARER_TOKEN?: string | undefined;
}

/** The stateful parts a warm process keeps between requests. */
export interface Exporter {
  readonly config: ReloadingValue<ExporterConfig>;
  readonly snapshots: SnapshotSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Bearer tokens any of which unlocks every route but `/-/healthy`. */
  readonly auth: AuthTokens;
  readonly metrics: SelfMetrics;
  close(): Promise<void>;
}

export interface ExporterOptions {
  /** Where a relative `CONFIG_FILE` resolves. */
  readonly cwd: string;
  readonly clock?: Clock;
  /** Receives each JSON log line; stderr by default. */
  readonly writeLog?: (line: string) => void;
}

/** Wires the exporter from the environment; built once per process (Lambda container, server). */
export function createExporter(env: ExporterEnvironment, options: ExporterOptions): Exporter {
  const { cwd, clock = Date.now } = options;
  const logger = createLogger(parseLogLevel(env.LOG_LEVEL), options.writeLog);
  const overrides = { pushgatewayUrl: env.PUSHGATEWAY_URL || undefined, pushgatewayBearerToken: env.PUSHGATEWAY_BEARER_TOKEN || undefined };
  const metrics = new SelfMetrics(clock() / 1000);
  const config = configSourceFor(env, cwd, overrides, clock, logger, metrics);
  const client = new PushgatewayClient();
  const snapshots = new SnapshotSource(client, clock, logger, metrics);
  const auth = new AuthTokens(parseAuthTokens(env.AUTH_TOKEN), env.AUTH_TOKEN_SSM_PARAMETER?.trim() || undefined, clock, logger);
  return { config, snapshots, clock, logger, auth, metrics, close: () => client.close() };
}

/** SPEC §5: the SSM parameter when `CONFIG_SSM_PARAMETER` is set, else the YAML file. */
function configSourceFor(
  env: ExporterEnvironment, cwd: string, overrides: ConfigOverrides, clock: Clock, logger: Logger, metrics: SelfMetrics,
): ReloadingValue<ExporterConfig> {
  const parameter = env.CONFIG_SSM_PARAMETER?.trim();
  const path = configFilePath(env.CONFIG_FILE, cwd);
  return new ReloadingValue({
    load: parameter
      ? async () => parseConfig(await readSsmParameter(parameter), overrides, `SSM parameter ${parameter}`)
      : () => loadConfigFile(path, overrides),
    ttlSeconds: (config) => config.configTtlSeconds,
    clock, logger, what: 'config', source: parameter ? `ssm:${parameter}` : path,
    onLoad: (outcome) => metrics.recordReload(outcome),
    describe: (config) => ({ services: config.services.size }),
  });
}
