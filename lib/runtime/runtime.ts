import { AuthTokens } from '../edges/auth-tokens.ts';
import { parseConfig, type ConfigOverrides, type ExporterConfig } from '../core/config/config.ts';
import { configFilePath, loadConfigFile } from '../edges/config-file-loader.ts';
import { ReloadingValue } from '../edges/cache/reloading-value.ts';
import { readSsmParameter } from '../edges/ssm/ssm-parameter.ts';
import type { Clock } from '../core/time/clock.ts';
import { readExporterSecrets, type ExporterEnvironment, type ExporterSecrets } from './environment-settings.ts';
import { createLogger, parseLogLevel, type Logger } from '../edges/logger.ts';
import { PushgatewayReader } from '../edges/pushgateway/pushgateway-reader.ts';
import { SelfMetrics } from './self-metrics.ts';
import { SnapshotSource } from '../edges/cache/snapshot-source.ts';

export type { ExporterEnvironment } from './environment-settings.ts';

/** The stateful parts a warm process keeps between requests. */
export interface Runtime {
  readonly config: ReloadingValue<ExporterConfig>;
  readonly snapshots: SnapshotSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Bearer tokens any of which unlocks every route but `/-/healthy`. */
  readonly auth: AuthTokens;
  readonly metrics: SelfMetrics;
  /**
   * Why the environment cannot be served with (a token variable set but holding no token…), one
   * line naming the variables, never their values. While set, every request is refused.
   */
  readonly startupProblem: string | undefined;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Where a relative `CONFIG_FILE` resolves. */
  readonly cwd: string;
  readonly clock?: Clock;
  /** Receives each JSON log line; stderr by default. */
  readonly writeLog?: (line: string) => void;
}

/** Nothing from the environment: what a refusing exporter is built with, so it reads and sends nothing. */
const NO_SECRETS: ExporterSecrets = { authTokens: [], authTokenParameter: undefined, configParameter: undefined, pushgatewayBearerToken: undefined };

/**
 * Wires the exporter from the environment; built once per process (Lambda container, server).
 * Never throws: an unusable environment gives an exporter whose `startupProblem` refuses every
 * request, so a Lambda fails closed instead of open (docs/security-model.md).
 */
export function createRuntime(env: ExporterEnvironment, options: RuntimeOptions): Runtime {
  const { cwd, clock = Date.now } = options;
  const logLevel = parseLogLevel(env.LOG_LEVEL);
  const logger = createLogger(logLevel.level, options.writeLog);
  if (logLevel.problem !== undefined) logger.warn(logLevel.problem);
  const read = readExporterSecrets(env);
  const secrets = 'secrets' in read ? read.secrets : NO_SECRETS;
  const overrides = { pushgatewayUrl: env.PUSHGATEWAY_URL || undefined, pushgatewayBearerToken: secrets.pushgatewayBearerToken };
  const metrics = new SelfMetrics(clock() / 1000);
  const config = configSourceFor(secrets.configParameter, env.CONFIG_FILE, cwd, overrides, clock, logger, metrics);
  const client = new PushgatewayReader();
  const snapshots = new SnapshotSource(client, clock, logger, metrics);
  const auth = new AuthTokens(secrets.authTokens, secrets.authTokenParameter, clock, logger);
  const startupProblem = 'problem' in read ? read.problem : undefined;
  return { config, snapshots, clock, logger, auth, metrics, startupProblem, close: () => client.close() };
}

/** The SSM parameter when `CONFIG_SSM_PARAMETER` is set, else the YAML file (docs/configuration.md). */
function configSourceFor(
  parameter: string | undefined, configFile: string | undefined, cwd: string, overrides: ConfigOverrides, clock: Clock, logger: Logger, metrics: SelfMetrics,
): ReloadingValue<ExporterConfig> {
  const path = configFilePath(configFile, cwd);
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
