import { CONFIG_DEFAULTS, type ExporterConfig, type ServiceConfig } from '../core/config/config-types.ts';
import { pushToEach } from '../edges/pushgateway/pushgateway-fanout.ts';
import { resolveService } from '../core/config/resolve-service.ts';
import { serviceFromDefaults } from '../core/config/parse-service.ts';
import { isDiscoverableName } from '../core/discovery/discovered-services.ts';
import { completeDiscoveryWithin, discoveredIn, jobMatcher } from './discovery.ts';
import { describeError, PushgatewayError } from '../core/errors.ts';
import { fixProbeTimeout, remainingMs, type ProbeBudget } from '../core/probe/probe-budget.ts';
import { SUCCESS_METRIC } from '../core/probe/signal-metrics.ts';
import type { RunSignal } from '../core/push/run-signals.ts';
import { quote } from '../core/quote.ts';
import { PUSH_TIME_METRIC } from '../core/snapshot/snapshot.ts';
import { pushSignal, type SignalPusher } from './push-signal.ts';
import type { Runtime } from './runtime.ts';
import type { CheckInResult } from './self-metrics.ts';

// One check-in (docs/check-ins.md), once its key is accepted: the service resolved as a probe
// resolves its target, the rate bound, then the CLI's push of the signal.

/** What a check-in did: pushed, or refused with the status and one line to answer. */
export type CheckInOutcome =
  | { readonly kind: 'pushed'; readonly service: string }
  | {
    readonly kind: 'refused';
    /** For `pushgateway_exporter_check_ins_total`. */
    readonly result: Exclude<CheckInResult, 'pushed' | 'unauthorized' | 'error'>;
    readonly status: number;
    readonly message: string;
    readonly retryAfterSeconds?: number;
    /** For the log only: the full reason, never sent to the caller. */
    readonly error?: string;
  };

/** One check-in to push: the service as configured, the signal, and the time the push may take. */
export interface CheckInPush {
  readonly service: ServiceConfig;
  readonly signal: RunSignal;
  readonly timeoutMs: number;
}

/**
 * THE push of a check-in: to each of `config.pushgatewayUrls`, in the grouping key the probe reads first
 * (`job` = the service's job, `instance` = its name), exactly what `pushgateway-exporter push
 * --service <name> [--job <job>] [--start|--fail]` sends. The one place a check-in chooses its
 * Pushgateway(s).
 */
export async function pushCheckIn(pusher: SignalPusher, config: ExporterConfig, push: CheckInPush): Promise<void> {
  const { service, signal, timeoutMs } = push;
  // `heartbeat_metric: push_time_seconds` reads Pushgateway's own push time, which any push renews;
  // the name itself is Pushgateway's and cannot be pushed.
  const heartbeatMetric = service.heartbeatMetric === PUSH_TIME_METRIC ? SUCCESS_METRIC : service.heartbeatMetric;
  // To every Pushgateway at once, done when one accepted (docs/high-availability.md#pushing-to-several);
  // when all failed, the first failure is the answer.
  // A sharded service is pushed only to its own Pushgateways (docs/high-availability.md#sharding).
  const result = await pushToEach(service.pushgateways ?? config.pushgatewayUrls, (pushgatewayUrl) => pushSignal(pusher, {
    target: {
      pushgatewayUrl, bearerToken: config.pushgatewayBearerToken,
      job: service.job, labels: [['instance', service.name]], timeoutMs,
    },
    service: service.name, heartbeatMetric, signal,
  }));
  const first = result.failed[0];
  if (result.accepted.length === 0 && first !== undefined) throw first.error;
}

/**
 * A failed push as its answer: no URL and no Pushgateway text (the log has both, credentials
 * redacted). 502 when the Pushgateway refused the push, 503 when it could not be reached in time:
 * `curl --retry` retries either.
 */
function failedPush(error: unknown): CheckInOutcome {
  const rejected = error instanceof PushgatewayError && error.code === 'PUSH_REJECTED';
  return rejected
    ? { kind: 'refused', result: 'push_failed', status: 502, message: 'check-in not recorded: the Pushgateway refused the push; see the exporter logs', error: describeError(error) }
    : { kind: 'refused', result: 'push_failed', status: 503, message: 'check-in not recorded: the Pushgateway could not be reached; retry later', error: describeError(error) };
}

/**
 * With discover_services, a check-in may name a service not configured: one already discovered, or a
 * new one that discovery would take (a discoverable name, the default job passing discover_jobs) while
 * fewer than max_discovered_services are discovered, so a key holder's loop over fresh names cannot
 * grow the Pushgateway without bound (docs/check-ins.md#discovered-services).
 */
async function discoverableService(runtime: Runtime, config: ExporterConfig, name: string, budget: ProbeBudget): Promise<ServiceConfig | 'pending' | undefined> {
  const discovery = config.discovery;
  if (discovery === undefined || !isDiscoverableName(name)) return undefined;
  if (discovery.jobPatterns.length > 0 && !jobMatcher(discovery)(config.defaults.job)) return undefined;
  const read = await runtime.snapshots.read(config, remainingMs(budget, runtime.monotonicMs(), config.timeoutSeconds), config.defaults.pushgateways);
  // A discovery still running (in slices: docs/discovery.md#while-discovery-runs) is waited for within the budget.
  const complete = await completeDiscoveryWithin(config, read.snapshot, remainingMs(budget, runtime.monotonicMs(), config.timeoutSeconds));
  const found = (complete ?? discoveredIn(config, read.snapshot)).services.get(name);
  if (found !== undefined) return found;
  // A new name is counted against the cap only on a complete discovery: a partial or older list could let a loop past it.
  if (complete === undefined) return 'pending';
  return complete.services.size + complete.overCap < discovery.maxServices ? { ...serviceFromDefaults(name, config.defaults), discovered: true } : undefined;
}

/** Pushes the check-in of `name` with `signal` at the runtime's time, within the request's budget. */
export async function checkIn(runtime: Runtime, name: string, signal: RunSignal['kind'], budget: ProbeBudget): Promise<CheckInOutcome> {
  const fixed = fixProbeTimeout(budget, runtime.config.current()?.timeoutSeconds ?? CONFIG_DEFAULTS.timeoutSeconds);
  if ('error' in fixed) return { kind: 'refused', result: 'invalid', status: 400, message: fixed.error };
  const timed = fixed.budget;
  const { value: config, error } = await runtime.config.read(remainingMs(timed, runtime.monotonicMs()));
  if (config === undefined) return { kind: 'refused', result: 'unavailable', status: 503, message: `no config loaded: ${error ?? 'unknown error'}` };
  const service = resolveService(config, name) ?? await discoverableService(runtime, config, name, timed);
  if (service === 'pending') {
    return { kind: 'refused', result: 'unavailable', status: 503, message: `check-in not recorded: ${quote(name, 80)} is not configured and discovery of the Pushgateway is not complete yet; retry later` };
  }
  if (service === undefined) {
    return { kind: 'refused', result: 'unknown_service', status: 404, message: `unknown service ${quote(name, 80)}: not a configured ${config.discovery === undefined ? '' : 'or discoverable '}service (add it under services: in the config)` };
  }
  const verdict = runtime.checkIns.rate.admit(name, signal, runtime.monotonicMs());
  if (!verdict.admitted) {
    return {
      kind: 'refused', result: 'rate_limited', status: 429, retryAfterSeconds: verdict.retryAfterSeconds,
      message: `too many check-ins: at most one ${signal} of ${quote(name, 80)} per second; retry after ${verdict.retryAfterSeconds} s`,
    };
  }
  const timeoutMs = Math.max(1, remainingMs(timed, runtime.monotonicMs(), config.timeoutSeconds));
  try {
    await pushCheckIn(runtime.checkIns.pusher, config, { service, signal: { kind: signal, atSeconds: runtime.clock() / 1000 }, timeoutMs });
  } catch (failure) {
    // The push did not land: a retry must not wait for the window.
    runtime.checkIns.rate.forget(name, signal);
    return failedPush(failure);
  }
  return { kind: 'pushed', service: service.name };
}
