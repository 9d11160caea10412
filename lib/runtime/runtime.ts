import { AuthTokens } from '../edges/auth-tokens.ts';
import type { ExporterConfig } from '../core/config/config-types.ts';
import { configFromFileText, parseConfigText, preloadConfigParser, readConfigFile } from '../edges/config-file-loader.ts';
import { bundledConfig } from '../edges/bundled-config.ts';
import { parsedOnChange, ReloadingValue } from '../edges/cache/reloading-value.ts';
import type { SsmParameters } from '../edges/ssm/ssm-parameter.ts';
import type { Clock } from '../core/time/clock.ts';
import type { RuntimeSettings, SettingsRead } from './environment-settings.ts';
import { createLogger, type Logger } from '../edges/logger.ts';
import type { PushgatewayReader } from '../edges/pushgateway/pushgateway-reader.ts';
import { SelfMetrics } from './self-metrics.ts';
import { SnapshotSource } from '../edges/cache/snapshot-source.ts';
import { GatewaySnapshots } from '../edges/cache/gateway-snapshots.ts';
import { ProbeAnswerCache } from '../core/report/probe-answer-cache.ts';
import { CheckInRate } from '../core/push/check-in-rate.ts';
import { lazyPusher, type RuntimePusher } from './lazy-pusher.ts';

/** The stateful parts a warm process keeps between requests. */
export interface Runtime {
  readonly config: ReloadingValue<ExporterConfig>;
  /** One snapshot cache per Pushgateway, merged for each probe (docs/high-availability.md). */
  readonly snapshots: GatewaySnapshots;
  readonly clock: Clock;
  /** A monotonic clock's milliseconds: request budgets and durations. */
  readonly monotonicMs: () => number;
  readonly logger: Logger;
  /** Bearer tokens any of which unlocks every route but `/-/healthy`. */
  readonly auth: AuthTokens;
  /**
   * The keys of check-ins (`PUSH_TOKEN`, `PUSH_TOKEN_SSM_PARAMETER`), apart from the scrape tokens;
   * none configured: `/ping/…` is no route (docs/check-ins.md).
   */
  readonly pushKeys: AuthTokens;
  /** The check-ins' rate bound and the pusher they push with. */
  readonly checkIns: { readonly rate: CheckInRate; readonly pusher: RuntimePusher };
  readonly metrics: SelfMetrics;
  /** What warm `/probe` answers keep of the snapshot and config in force (lib/core/report/probe-answer-cache.ts). */
  readonly probeAnswers: ProbeAnswerCache;
  /**
   * Why the environment cannot be served with (a token variable set but holding no token…), one
   * line naming the variables, never their values. While set, every request is refused.
   */
  readonly startupProblem: string | undefined;
  close(): Promise<void>;
}

/**
 * What a runtime talks to outside the process, passed in so tests can put their own in its place;
 * production's are made in one place, lib/runtime/production-ports.ts.
 */
export interface RuntimePorts {
  /** Milliseconds since the epoch: ages, rules and log times all read it. */
  readonly clock: Clock;
  /** Milliseconds of a monotonic clock (lib/edges/monotonic-clock.ts), for budgets and durations. */
  readonly monotonicMs: () => number;
  /** Receives each JSON log line. */
  readonly writeLog: (line: string) => void;
  readonly pushgateway: Pick<PushgatewayReader, 'fetchMetrics' | 'close'>;
  readonly ssm: SsmParameters;
  /** Pushes check-ins; default: the Pushgateway pusher, loaded on the first check-in. */
  readonly pusher?: RuntimePusher;
}

/** Nothing to read or send: what a refusing runtime is built with (its config is never read: every request is refused first). */
const refusingSettings = (logging: RuntimeSettings['logging']): RuntimeSettings =>
  ({ logging, configSource: { kind: 'file', path: '' }, configOverrides: {}, authTokens: [], authTokenParameter: undefined, refreshAhead: false });

/**
 * Wires the runtime from its settings and ports; built once per process (Lambda container,
 * server, CLI run). Never throws: an unusable environment gives a runtime whose `startupProblem`
 * refuses every request, so a Lambda fails closed instead of open (docs/security-model.md).
 */
export function createRuntime(read: SettingsRead, ports: RuntimePorts): Runtime {
  const { clock } = ports;
  const settings = read.kind === 'settings' ? read.settings : refusingSettings(read.logging);
  const logger = createLogger(settings.logging.level, ports.writeLog, clock);
  if (settings.logging.problem !== undefined) logger.warn(settings.logging.problem);
  const metrics = new SelfMetrics(clock() / 1000);
  const config = configSourceFor(settings, ports, logger, metrics);
  const snapshots = new GatewaySnapshots(() => new SnapshotSource(ports.pushgateway, clock, ports.monotonicMs, logger, metrics, settings.refreshAhead));
  const auth = new AuthTokens(settings.authTokens, settings.authTokenParameter, clock, ports.monotonicMs, logger, ports.ssm);
  const pushKeys = new AuthTokens(settings.pushKeys?.tokens ?? [], settings.pushKeys?.parameter, clock, ports.monotonicMs, logger, ports.ssm, 'push keys');
  const checkIns = { rate: new CheckInRate(), pusher: ports.pusher ?? lazyPusher() };
  if (pushKeys.enabled) metrics.enableCheckIns();
  const startupProblem = read.kind === 'problem' ? read.problem : undefined;
  const close = async () => {
    await Promise.all([ports.pushgateway.close(), checkIns.pusher.close()]);
  };
  return { config, snapshots, clock, monotonicMs: ports.monotonicMs, logger, auth, pushKeys, checkIns, metrics, probeAnswers: new ProbeAnswerCache(), startupProblem, close };
}

/** The SSM parameter when `CONFIG_SSM_PARAMETER` is set, else the YAML file (docs/configuration.md). */
function configSourceFor(
  settings: RuntimeSettings, ports: RuntimePorts, logger: Logger, metrics: SelfMetrics,
): ReloadingValue<ExporterConfig> {
  const { configSource: source, configOverrides: overrides } = settings;
  // Only a config.yml the build pre-parsed can skip the YAML parser (docs/deploying.md#cold-start).
  if (source.kind === 'ssm' || bundledConfig === undefined) preloadConfigParser();
  // Every TTL reads the text; only a changed one is parsed and validated again (the overrides are fixed for the process).
  const load = source.kind === 'ssm'
    ? parsedOnChange(() => ports.ssm.read(source.parameter), (text) => parseConfigText(text, overrides, `SSM parameter ${source.parameter}`))
    : parsedOnChange(() => readConfigFile(source.path), (text) => configFromFileText(text, source.path, overrides));
  return new ReloadingValue({
    load,
    ttlSeconds: (config) => config.configTtlSeconds,
    clock: ports.clock, monotonicMs: ports.monotonicMs, logger, what: 'config', source: source.kind === 'ssm' ? `ssm:${source.parameter}` : source.path,
    onLoad: (outcome) => metrics.recordReload(outcome),
    describe: (config) => ({ services: config.services.size }),
  });
}
