import { isAuthorized } from './bearer-auth.ts';
import { LastStates, probeLogLevel, requestLogLevel } from './probe-log.ts';
import { describeError } from '../core/errors.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../core/exposition/exposition-renderer.ts';
import { buildAllProbesMetrics } from '../core/report/probe-metrics.ts';
import { reaperFamiliesFrom } from '../core/reap/reaper-metrics.ts';
import { authWaitMs, elapsedSeconds, startBudget, type ProbeBudget } from '../core/probe/probe-budget.ts';
import type { LogFields, LogLevel } from '../edges/logger.ts';
import { processUsage } from '../edges/process-usage.ts';
import { buildStatusReport } from '../core/report/status-report.ts';
import { renderStatusPage } from '../core/report/status-page.ts';
import { clip, quote } from '../core/quote.ts';
import { roundSeconds } from '../core/time/round-seconds.ts';
import { listServices, probeAll, probeReport, probeTarget, REFUSAL_STATUS, type ProbeRefusal, type TargetProbed } from '../runtime/probe-service.ts';
import { discoveryMetrics } from '../runtime/lazy-discovery.ts';
import { redactUrl } from '../core/config/redact-url.ts';
import { isCheckInPath, redactCheckInPath } from '../core/push/check-in-path.ts';
import { internalError, textResponse, type HttpRequest, type HttpResponse } from './http-answer.ts';
import { andThen, type MaybePromise } from '../core/maybe-promise.ts';

export { internalError, textResponse, type HttpRequest, type HttpResponse } from './http-answer.ts';

// HTTP only: each route reads its query and headers, asks the probe service (lib/runtime/), and
// turns the result into a status, headers and a body.

/**
 * `budget` is the request's one time budget, started as it arrived. `arrivedInTurnMs`: the budget's
 * start, when the route runs in the turn its request arrived in (nothing awaited before it), so
 * that reading serves as the time now. A route answers at once when it has nothing to wait for (a
 * warm probe), else with a promise.
 */
type RouteHandler = (request: HttpRequest, runtime: Runtime, budget: ProbeBudget, arrivedInTurnMs?: number) => MaybePromise<HttpResponse>;

interface Route {
  readonly path: string;
  readonly methods: readonly string[];
  readonly handle: RouteHandler;
  /** Liveness stays open so orchestrators need no token. */
  readonly public?: boolean;
}

const MAX_ECHO = 80;

/** Quotes user input for an error line: JSON escaping keeps control characters and quotes inert. */
const echo = (value: string): string => quote(value, MAX_ECHO);

/**
 * A refusal of the probe service as its answer: the one line, with the status it stands for. It
 * logs at warn, naming the target, the unknown target's 404 too: past the bearer check, that is a
 * Prometheus job naming a service the config lacks (docs/operations.md#logs-and-self-metrics).
 */
const refusalResponse = (refusal: ProbeRefusal, target?: string): HttpResponse =>
  ({ ...textResponse(REFUSAL_STATUS[refusal.reason], refusal.message), log: target === undefined ? undefined : { target: forLog(target) }, logLevel: 'warn' });

/** Shared by every exposition answer: the adapters copy headers, never change them. */
const EXPOSITION_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': EXPOSITION_CONTENT_TYPE });
const exposition = (body: string): HttpResponse => ({ status: 200, headers: EXPOSITION_HEADERS, body });

const probe: RouteHandler = (request, runtime, budget, arrivedInTurnMs) => {
  const targets = request.query.getAll('target');
  if (targets.length > 1) return textResponse(400, `target given ${targets.length} times: give exactly one, e.g. /probe?target=service1`);
  const target = targets[0] ?? '';
  if (target === '') return textResponse(400, 'missing target parameter: use /probe?target=NAME');
  const debugParam = request.query.get('debug');
  const debug = debugParam === 'true' || debugParam === '1';
  return andThen(probeTarget(runtime, target, budget, arrivedInTurnMs), (probed) => (probed.kind === 'refused' ? refusalResponse(probed, target) : probeAnswer(runtime, target, probed, debug)));
};

/** A probe's answer: its metrics, or (`debug`) the report; and what its log line says, at the level its state is worth. */
function probeAnswer(runtime: Runtime, target: string, probed: TargetProbed, debug: boolean): MaybePromise<HttpResponse> {
  const { evaluation, read, config } = probed;
  runtime.metrics.recordProbe('/probe', evaluation.success);
  const listed = config.services.has(target) || evaluation.service.discovered === true;
  const previous = lastStates(runtime).change(target, evaluation.state, listed, config.services.size + (config.discovery?.maxServices ?? 0));
  const logLevel = probeLogLevel(evaluation.success, previous !== undefined);
  const log = {
    target: forLog(target), state: evaluation.state, previous_state: previous, success: evaluation.success, cache_hit: read.cacheHit, pushgateway_up: read.pushgatewayUp,
  };
  if (debug) return probeReport(probed).then((report) => ({ ...textResponse(200, report), log, logLevel }));
  return { status: 200, headers: EXPOSITION_HEADERS, body: probed.exposition, bodyIsAscii: probed.expositionAscii, log, logLevel };
}

/** The last state of each target, per runtime (a test builds many). */
const LAST_STATES = new WeakMap<Runtime, LastStates>();
function lastStates(runtime: Runtime): LastStates {
  let states = LAST_STATES.get(runtime);
  if (states === undefined) LAST_STATES.set(runtime, (states = new LastStates()));
  return states;
}

type AllEvaluations = readonly { readonly success: boolean; readonly state: string; readonly target: string }[];

/** What the request log line says of a probe of every service, and its level: warn when one failed, info when one changed state. */
function allLog(runtime: Runtime, evaluations: AllEvaluations, read: { readonly cacheHit: boolean; readonly pushgatewayUp: boolean }): Pick<HttpResponse, 'log' | 'logLevel'> {
  const states = lastStates(runtime);
  let failed = 0;
  let changed = 0;
  for (const evaluation of evaluations) {
    if (!evaluation.success) failed += 1;
    if (states.change(evaluation.target, evaluation.state, true, evaluations.length) !== undefined) changed += 1;
  }
  const log = { services: evaluations.length, failed, state_changes: changed > 0 ? changed : undefined, cache_hit: read.cacheHit, pushgateway_up: read.pushgatewayUp };
  return { log, logLevel: failed > 0 ? 'warn' : changed > 0 ? 'info' : 'debug' };
}

/** Every configured service in one answer: one invocation and one Pushgateway read per scrape. */
const probes: RouteHandler = async (_request, runtime, budget) => {
  const all = await probeAll(runtime, budget);
  if (all.kind === 'refused') return refusalResponse(all);
  for (const evaluation of all.evaluations) runtime.metrics.recordProbe('/probes', evaluation.success);
  return { ...exposition(renderExposition(buildAllProbesMetrics(all.evaluations, all.context, all.snapshot))), ...allLog(runtime, all.evaluations, all.read) };
};

/** The status page: every service's state for people, as HTML or (`format=json`) for scripts. */
const statusPage: RouteHandler = async (request, runtime, budget) => {
  const format = request.query.get('format') ?? 'html';
  if (format !== 'html' && format !== 'json') return textResponse(400, `unknown format ${echo(format)}: use format=html or format=json`);
  const all = await probeAll(runtime, budget);
  if (all.kind === 'refused') return refusalResponse(all);
  const log = allLog(runtime, all.evaluations, all.read);
  const report = buildStatusReport(all.evaluations, all.context, all.nowSeconds);
  if (format === 'json') {
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(report, null, 2)}\n`, ...log };
  }
  const page = renderStatusPage(report, Math.max(all.config.scrapeIntervalSeconds, 5));
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page, ...log };
};

/**
 * The exporter's own metrics: reads, reloads, probes, process; and the reaper's last sweep as the
 * snapshot in hand holds it (no read of its own: docs/operations.md#expiring-dead-groups).
 */
const selfMetrics: RouteHandler = async (_request, runtime) => {
  const config = runtime.config.current();
  // A Pushgateway the config in force no longer names leaves /metrics with its snapshots.
  if (config !== undefined) {
    runtime.snapshots.prune(config);
    runtime.metrics.keepPushgateways(config.pushgatewayUrls.map(redactUrl));
  }
  const snapshot = await runtime.snapshots.peek();
  const discovery = await discoveryMetrics(config, snapshot, runtime.logger);
  return exposition(renderExposition([...runtime.metrics.families(runtime.clock(), processUsage()), ...reaperFamiliesFrom(snapshot), ...discovery]));
};

/**
 * Prometheus' http_sd_configs: every service as a target group on this exporter, named by the
 * Host and scheme the request came with (docs/discovery.md#get-sd); a Host that is not host[:port] is refused.
 */
const serviceDiscovery: RouteHandler = async (request, runtime, budget) => {
  // Loaded on the first /sd: a Lambda that only answers probes never loads it (docs/deploying.md#cold-start).
  const { buildServiceDiscovery, exporterOrigin, renderServiceDiscovery } = await import('../core/report/service-discovery.ts');
  const origin = exporterOrigin(request.headers.host, request.headers['x-forwarded-proto'], request.https === true);
  if ('problem' in origin) return textResponse(400, origin.problem);
  const listed = await listServices(runtime, budget);
  if (listed.kind === 'refused') return refusalResponse(listed);
  const body = renderServiceDiscovery(buildServiceDiscovery(listed.services, origin, listed.config));
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body, log: { services: listed.services.length } };
};

const healthy: RouteHandler = () => textResponse(200, 'OK');

/** The one route table every entry point serves. */
export const ROUTES: readonly Route[] = [
  { path: '/', methods: ['GET', 'HEAD'], handle: statusPage },
  { path: '/probe', methods: ['GET', 'HEAD'], handle: probe },
  { path: '/probes', methods: ['GET', 'HEAD'], handle: probes },
  { path: '/metrics', methods: ['GET', 'HEAD'], handle: selfMetrics },
  { path: '/sd', methods: ['GET', 'HEAD'], handle: serviceDiscovery },
  { path: '/-/healthy', methods: ['GET', 'HEAD'], handle: healthy, public: true },
];

/** The route of `path`, matched exactly; undefined when none. */
function routeFor(path: string): Route | undefined {
  for (const route of ROUTES) if (route.path === path) return route;
  return undefined;
}

/**
 * A request id for a line that is written, from node:crypto loaded then: a healthy probe at the
 * default level writes none, so a cold start does not load it (docs/performance.md).
 */
const newRequestId = (): string => process.getBuiltinModule('node:crypto').randomUUID();

/**
 * Dispatches a request through ROUTES and logs one line for it (at the level its answer is worth,
 * ./probe-log.ts); never answers with a stack trace. At once when its route has nothing to wait
 * for (a warm probe: docs/performance.md#the-warm-path), else with a promise. A route's failure is
 * a 500; a failure outside the routes (writing the log line) throws at once or rejects, and every
 * entry point catches both.
 */
export function handleRequest(request: HttpRequest, runtime: Runtime): MaybePromise<HttpResponse> {
  const budget = startBudget(runtime.monotonicMs(), {
    lambdaRemainingMs: request.remainingTimeMs,
    scrapeTimeoutHeader: request.headers['x-prometheus-scrape-timeout-seconds'],
  });
  // Paths are matched exactly as sent: no decoding, no dot segments, no trailing slash; the
  // entry points hand over the raw path (docs/security-model.md).
  const route = routeFor(request.path);
  // `/ping/…` is a route only while push keys are configured; its key is in the path, so every
  // path is logged redacted, a check-in or a near miss of one (docs/check-ins.md).
  const checkIn = isCheckInPath(request.path) && runtime.pushKeys.enabled;
  const response = runtime.startupProblem !== undefined
    ? refuseToServe(runtime.startupProblem)
    : checkIn ? checkInOrError(request, runtime, budget) : dispatch(request, runtime, route, budget);
  return andThen(response, (answer) => {
    const status = answer.status;
    const level = requestLogLevel(status, answer.logLevel ?? 'debug');
    if (runtime.logger.enabled(level)) {
      const fields: LogFields = {
        request_id: request.requestId ?? newRequestId(), method: forLog(request.method), route: checkIn ? '/ping' : route?.path ?? 'none',
        path: forLog(redactCheckInPath(request.path)), status,
        duration_seconds: roundSeconds(elapsedSeconds(budget, runtime.monotonicMs()), 'micro'), ...answer.log,
      };
      runtime.logger[level]('request', fields);
    }
    // The answer without its log fields, built field by field (an object rest copy is slower on a hot path).
    // A HEAD answer keeps GET's body: each entry point sends it without the body but with GET's
    // Content-Length, as HTTP asks (node:http drops a HEAD body itself; functions/probe.ts empties it).
    return { status, headers: answer.headers, body: answer.body, bodyIsAscii: answer.bodyIsAscii };
  });
}

/**
 * Every route, /-/healthy included, while the environment is unusable: an exporter that can serve
 * no probe is not healthy, and a health check is where a bad deploy shows first. The line names
 * the variables, never their values.
 */
function refuseToServe(problem: string): HttpResponse {
  return { ...textResponse(503, `exporter misconfigured: ${problem}`), log: { error: problem } };
}

/** A method as the routes compare it; GET and HEAD, nearly every request's, as they come. */
const upperCaseMethod = (method: string): string => (method === 'GET' || method === 'HEAD' ? method : method.toUpperCase());

/** Request input in a log line, bounded so a 10 KB target cannot flood the logs. */
const forLog = (value: string): string => clip(value, 200);

function dispatch(request: HttpRequest, runtime: Runtime, route: Route | undefined, budget: ProbeBudget): MaybePromise<HttpResponse> {
  if (runtime.auth.enabled && route?.public !== true) {
    const tokensRead = runtime.auth.read(authWaitMs(budget));
    // Tokens that were waited for leave the route a later turn: it reads the clock itself.
    const arrivedInTurnMs = tokensRead instanceof Promise ? undefined : budget.startedMs;
    return andThen(tokensRead, ({ tokens }) => refuseUnauthorized(request, tokens) ?? answerRoute(request, runtime, route, budget, arrivedInTurnMs));
  }
  return answerRoute(request, runtime, route, budget, budget.startedMs);
}

/** The refusal of a request the bearer tokens in force do not let through; undefined when they do. */
function refuseUnauthorized(request: HttpRequest, tokens: readonly string[]): HttpResponse | undefined {
  // Fail closed: with no token loaded yet, nothing but /-/healthy is served. The reason (an SSM
  // error naming the account) is in the log, not in an answer to a caller with no token.
  if (tokens.length === 0) return textResponse(503, 'bearer tokens not loaded yet; see the exporter logs');
  if (isAuthorized(request.headers.authorization, tokens)) return undefined;
  return textResponse(401, 'missing or wrong bearer token: send Authorization: Bearer <token>', {
    'www-authenticate': 'Bearer realm="pushgateway-exporter"',
  });
}

function answerRoute(request: HttpRequest, runtime: Runtime, route: Route | undefined, budget: ProbeBudget, arrivedInTurnMs: number | undefined): MaybePromise<HttpResponse> {
  if (route === undefined) {
    return textResponse(404, `not found: ${echo(redactCheckInPath(request.path))} (routes: ${ROUTES.map((r) => r.path).join(', ')})`);
  }
  const method = upperCaseMethod(request.method);
  if (!route.methods.includes(method)) {
    return textResponse(405, `method ${echo(method)} not allowed on ${route.path}: use ${route.methods.join(' or ')}`, { allow: route.methods.join(', ') });
  }
  // A bug in a route answers 500, whether it threw at once or its promise rejected.
  try {
    const answer = route.handle(request, runtime, budget, arrivedInTurnMs);
    return answer instanceof Promise ? answer.catch((error: unknown) => routeFailed(runtime, route.path, error)) : answer;
  } catch (error) {
    return routeFailed(runtime, route.path, error);
  }
}

/** A route's bug: logged with the route's path, answered 500 without a stack. */
function routeFailed(runtime: Runtime, path: string, error: unknown): HttpResponse {
  runtime.logger.error('request failed', { path, error: describeError(error) });
  return internalError();
}

/**
 * A check-in, with the same last resort as every route: a bug answers 500, never a stack. Its code
 * loads on the first check-in: a probe never loads it (docs/deploying.md#cold-start).
 */
async function checkInOrError(request: HttpRequest, runtime: Runtime, budget: ProbeBudget): Promise<HttpResponse> {
  try {
    const { handleCheckIn } = await import('./check-in-route.ts');
    return await handleCheckIn(request, runtime, budget);
  } catch (error) {
    const answer = routeFailed(runtime, '/ping', error);
    runtime.metrics.recordCheckIn('none', 'error');
    return answer;
  }
}
