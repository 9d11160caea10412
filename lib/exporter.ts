import { parseAuthTokens } from './bearer-auth.ts';
import type { ConfigOverrides } from './config.ts';
import { configFilePath, loadConfigFile } from './config-file-loader.ts';
import { SsmConfigLoader } from './config-ssm-loader.ts';
import { ConfigSource } from './config-source.ts';
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
}

/** The stateful parts a warm process keeps between requests. */
export interface Exporter {
  readonly config: ConfigSource;
  readonly snapshots: SnapshotSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Bearer tokens any of which unlocks every route but `/-/healthy`; empty when auth is off. */
  readonly authTokens: readonly string[];
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
  const overrides = { pushgatewayUrl: env.PUSHGATEWAY_URL || undefined };
  const metrics = new SelfMetrics(clock() / 1000);
  const config = configSourceFor(env, cwd, overrides, clock, logger, metrics);
  const client = new PushgatewayClient();
  const snapshots = new SnapshotSource(client, clock, logger, metrics);
  const authTokens = parseAuthTokens(env.AUTH_TOKEN);
  return { config, snapshots, clock, logger, authTokens, metrics, close: () => client.close() };
}

/** SPEC §5: the SSM parameter when `CONFIG_SSM_PARAMETER` is set, else the YAML file. */
function configSourceFor(env: ExporterEnvironment, cwd: string, overrides: ConfigOverrides, clock: Clock, logger: Logger, metrics: SelfMetrics): ConfigSource {
  const parameter = env.CONFIG_SSM_PARAMETER?.trim();
  if (parameter) {
    const loader = new SsmConfigLoader(parameter, overrides);
    return new ConfigSource(() => loader.load(), clock, logger, metrics, `ssm:${parameter}`);
  }
  const path = configFilePath(env.CONFIG_FILE, cwd);
  return new ConfigSource(() => loadConfigFile(path, overrides), clock, logger, metrics, path);
}
