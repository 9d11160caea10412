import { configFilePath, loadConfigFile } from './config-file-source.ts';
import { ConfigSource } from './config-source.ts';
import type { Clock } from './expiring-cache.ts';
import { createLogger, parseLogLevel, type Logger } from './logger.ts';
import { PushgatewayClient } from './pushgateway-client.ts';
import { SnapshotSource } from './snapshot-source.ts';

/** The environment variables every entry point reads (SPEC §7). */
export interface ExporterEnvironment {
  readonly CONFIG_FILE?: string | undefined;
  readonly PUSHGATEWAY_URL?: string | undefined;
  readonly LOG_LEVEL?: string | undefined;
}

/** The stateful parts a warm process keeps between requests. */
export interface Exporter {
  readonly config: ConfigSource;
  readonly snapshots: SnapshotSource;
  readonly clock: Clock;
  readonly logger: Logger;
  close(): Promise<void>;
}

/** Wires the exporter from the environment; built once per process (Lambda container, server). */
export function createExporter(env: ExporterEnvironment, cwd: string, clock: Clock = Date.now): Exporter {
  const logger = createLogger(parseLogLevel(env.LOG_LEVEL));
  const overrides = { pushgatewayUrl: env.PUSHGATEWAY_URL || undefined };
  const path = configFilePath(env.CONFIG_FILE, cwd);
  const config = new ConfigSource(() => loadConfigFile(path, overrides), clock, logger, path);
  const client = new PushgatewayClient();
  const snapshots = new SnapshotSource(client, clock, logger);
  return { config, snapshots, clock, logger, close: () => client.close() };
}
