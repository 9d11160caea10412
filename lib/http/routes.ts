import { isAuthorized } from './bearer-auth.ts';
import { CONFIG_DEFAULTS, resolveService, type ExporterConfig } from '../core/config/config.ts';
import { describeError } from '../core/errors.ts';
import { evaluateProbe } from '../core/probe/evaluate-probe.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { renderDebugReport } from '../core/report/debug-report.ts';
import { EXPOSITION_CONTENT_TYPE, renderExposition } from '../core/exposition/exposition-renderer.ts';
import { buildAllProbesMetrics, buildProbeMetrics } from '../core/report/probe-metrics.ts';
import { computeProbeTimeout, LAMBDA_RESPONSE_RESERVE_MS } from '../core/probe/probe-timeout.ts';
import type { LogFields } from '../edges/logger.ts';
import { processUsage } from '../edges/process-usage.ts';
import { buildStatusReport } from '../core/report/status-report.ts';
import { renderStatusPage } from '../core/report/status-page.ts';
import { EMPTY_SNAPSHOT } from '../core/snapshot/snapshot.ts';
import { clip, quote } from '../core/quote.ts';
import { roundSeconds } from '../core/time/round-seconds.ts';

/** A request as every entry point (function URL, serverless-offline, node:http) hands it over. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Lambda's remaining invocation time, when running in Lambda. */
  readonly remainingTimeMs?: number | undefined;
  /** Lambda's request id, or one the server made; it ties the log lines of one request together. */
  readonly requestId?: string | undefined;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** What the request log line should say beyond method, path, status and duration. */
  readonly log?: LogFields;
}

/** `arrivedMs` (performance.now() when the request came in) anchors every time budget. */
type RouteHandler = (request: HttpRequest, runtime: Runtime, arrivedMs: number) => Promise<HttpResponse>;

interface Route {
  readonly path: string;
  readonly methods: readonly string[];
  readonly handle: RouteHandler;
  /** Liveness stays open so orchestrators need no token. */
  readonly public?: boolean;
}

const TEXT = 'text/plain; charset=utf-8';
/** At most this long a request waits for a due reload of tokens from SSM before the last good ones answer. */
const AUTH_WAIT_MS = 1000;
const MAX_ECHO = 80;

export function textResponse(status: number, body: string, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': TEXT, ...headers }, body: body.endsWith('\n') ? body : `${body}\n` };
}

/** Quotes user input for an error line: JSON escaping keeps control characters and quotes inert. */
const echo = (value: string): string => quote(value, MAX_ECHO);

/**
 * When a probe started and how long it may take in all, fixed as the request arrives
 * (docs/architecture.md#how-a-probe-flows).
 */
interface ProbeBudget {
  readonly startedMs: number;
  readonly seconds: number;
}

/** The probe's budget from the scrape-timeout header, Lambda's remaining time and the config in force. */
function startProbe(request: HttpRequest, runtime: Runtime, startedMs: number): ProbeBudget | HttpResponse {
  const timeout = computeProbeTimeout({
    scrapeTimeoutHeader: request.headers['x-prometheus-scrape-timeout-seconds'],
    configuredSeconds: runtime.config.current()?.timeoutSeconds ?? CONFIG_DEFAULTS.timeoutSeconds,
    remainingTimeMs: request.remainingTimeMs,
  });
  if ('error' in timeout) return textResponse(400, timeout.error);
  return { startedMs, seconds: timeout.seconds };
}

/** What is left of the budget, also bounded by `timeout_seconds` of the config just read. */
function remainingMs(budget: ProbeBudget, config?: ExporterConfig): number {
  const seconds = Math.min(budget.seconds, config?.timeoutSeconds ?? Number.POSITIVE_INFINITY);
  return Math.max(0, budget.startedMs + seconds * 1000 - performance.now());
}

/** The config in force (a due reload may use part of the budget), or the 503 that says why there is none. */
async function readConfig(runtime: Runtime, budget: ProbeBudget): Promise<{ config: ExporterConfig; reloadSuccessful: boolean } | HttpResponse> {
  const { value: config, error } = await runtime.config.read(remainingMs(budget));
  if (config === undefined) return textResponse(503, `no config loaded: ${error ?? 'unknown error'}`);
  return { config, reloadSuccessful: error === undefined };
}

const isResponse = (value: object): value is HttpResponse => 'status' in value && 'body' in value;

const exposition = (body: string): HttpResponse => ({ status: 200, headers: { 'content-type': EXPOSITION_CONTENT_TYPE }, body });

const probe: RouteHandler = async (request, runtime, arrivedMs) => {
  const targets = request.query.getAll('target');
  if (targets.length > 1) return textResponse(400, `target given ${targets.length} times: give exactly one, e.g. /probe?target=service1`);
  const target = targets[0] ?? '';
  if (target === '') return textResponse(400, 'missing target parameter: use /probe?target=NAME');
  const debugParam = request.query.get('debug');
  const debug = debugParam === 'true' || debugParam === '1';
  const budget = startProbe(request, runtime, arrivedMs);
  if (isResponse(budget)) return budget;

  const loaded = await readConfig(runtime, budget);
  if (isResponse(loaded)) return loaded;
  const { config } = loaded;
  const service = resolveService(config, target);
  if (service === undefined) {
    return textResponse(404, `unknown target ${echo(target)}: not a configured service (add it under services: in the config, or set allow_unlisted_targets: true)`);
  }
  const read = await runtime.snapshots.read(config, remainingMs(budget, config));
  const snapshot = read.snapshot ?? EMPTY_SNAPSHOT;
  const nowSeconds = runtime.clock() / 1000;
  // No snapshot at all is judged as such (unreachable), not as an empty Pushgateway (never).
  const evaluation = evaluateProbe(config, read.snapshot, service, target, nowSeconds, read.error);
  const durationSeconds = (performance.now() - budget.startedMs) / 1000;
  const context = { ...read, durationSeconds, configReloadSuccessful: loaded.reloadSuccessful };
  const metrics = renderExposition(buildProbeMetrics(evaluation, context, snapshot));
  runtime.metrics.recordProbe('/probe', evaluation.success);
  const log = { target: forLog(target), state: evaluation.state, success: evaluation.success, cache_hit: read.cacheHit, pushgateway_up: read.pushgatewayUp };
  if (debug) return { ...textResponse(200, renderDebugReport(evaluation, config, read, nowSeconds, metrics)), log };
  return { ...exposition(metrics), log };
};

/** Every configured service judged against one snapshot: what `/probes` and the status page show. */
async function evaluateAll(request: HttpRequest, runtime: Runtime, arrivedMs: number) {
  const budget = startProbe(request, runtime, arrivedMs);
  if (isResponse(budget)) return budget;
  const loaded = await readConfig(runtime, budget);
  if (isResponse(loaded)) return loaded;
  const { config } = loaded;
  const read = await runtime.snapshots.read(config, remainingMs(budget, config));
  const snapshot = read.snapshot ?? EMPTY_SNAPSHOT;
  const nowSeconds = runtime.clock() / 1000;
  const evaluations = [...config.services.values()].map((service) => evaluateProbe(config, read.snapshot, service, service.name, nowSeconds, read.error));
  const context = { ...read, durationSeconds: (performance.now() - budget.startedMs) / 1000, configReloadSuccessful: loaded.reloadSuccessful };
  const failed = evaluations.filter((evaluation) => !evaluation.success).length;
  const log = { services: evaluations.length, failed, cache_hit: read.cacheHit, pushgateway_up: read.pushgatewayUp };
  return { config, snapshot, nowSeconds, evaluations, context, log };
}

/** Every configured service in one answer: one invocation and one Pushgateway read per scrape. */
const probes: RouteHandler = async (request, runtime, arrivedMs) => {
  const all = await evaluateAll(request, runtime, arrivedMs);
  if (isResponse(all)) return all;
  for (const evaluation of all.evaluations) runtime.metrics.recordProbe('/probes', evaluation.success);
  return { ...exposition(renderExposition(buildAllProbesMetrics(all.evaluations, all.context, all.snapshot))), log: all.log };
};

/** The status page: every service's state for people, as HTML or (`format=json`) for scripts. */
const statusPage: RouteHandler = async (request, runtime, arrivedMs) => {
  const format = request.query.get('format') ?? 'html';
  if (format !== 'html' && format !== 'json') return textResponse(400, `unknown format ${echo(format)}: use format=html or format=json`);
  const all = await evaluateAll(request, runtime, arrivedMs);
  if (isResponse(all)) return all;
  const report = buildStatusReport(all.evaluations, all.context, all.nowSeconds);
  if (format === 'json') {
    return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: `${JSON.stringify(report, null, 2)}\n`, log: all.log };
  }
  const page = renderStatusPage(report, Math.max(all.config.scrapeIntervalSeconds, 5));
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page, log: all.log };
};

/** The exporter's own metrics: reads, reloads, probes, process. */
const selfMetrics: RouteHandler = async (_request, runtime) =>
  exposition(renderExposition(runtime.metrics.families(runtime.clock(), processUsage())));

const healthy: RouteHandler = async () => textResponse(200, 'OK');

/** The one route table every entry point serves. */
export const ROUTES: readonly Route[] = [
  { path: '/', methods: ['GET', 'HEAD'], handle: statusPage },
  { path: '/probe', methods: ['GET', 'HEAD'], handle: probe },
  { path: '/probes', methods: ['GET', 'HEAD'], handle: probes },
  { path: '/metrics', methods: ['GET', 'HEAD'], handle: selfMetrics },
  { path: '/-/healthy', methods: ['GET', 'HEAD'], handle: healthy, public: true },
];

/**
 * Dispatches a request through ROUTES and logs one line for it; never throws and never answers
 * with a stack trace.
 */
export async function handleRequest(request: HttpRequest, runtime: Runtime): Promise<HttpResponse> {
  const arrivedMs = performance.now();
  // Paths are matched exactly as sent: no decoding, no dot segments, no trailing slash; the
  // entry points hand over the raw path (docs/security-model.md).
  const route = ROUTES.find((candidate) => candidate.path === request.path);
  const response = runtime.startupProblem === undefined
    ? await dispatch(request, runtime, route, arrivedMs)
    : refuseToServe(runtime.startupProblem);
  const status = response.status;
  const fields: LogFields = {
    request_id: request.requestId, method: forLog(request.method), route: route?.path ?? 'none', path: forLog(request.path), status,
    duration_seconds: roundSeconds((performance.now() - arrivedMs) / 1000, 'micro'), ...response.log,
  };
  if (status >= 500) runtime.logger.error('request', fields);
  else runtime.logger.info('request', fields);
  const { log: _log, ...answer } = response;
  return request.method.toUpperCase() === 'HEAD' ? { ...answer, body: '' } : answer;
}

/**
 * Every route, /-/healthy included, while the environment is unusable: an exporter that can serve
 * no probe is not healthy, and a health check is where a bad deploy shows first. The line names
 * the variables, never their values.
 */
function refuseToServe(problem: string): HttpResponse {
  return { ...textResponse(503, `exporter misconfigured: ${problem}`), log: { error: problem } };
}

/** What a pre-probe wait may use of Lambda's remaining time, keeping the probe's own reserve. */
function remainingTimeBound(request: HttpRequest): number {
  return request.remainingTimeMs === undefined ? Number.POSITIVE_INFINITY : Math.max(0, (request.remainingTimeMs - LAMBDA_RESPONSE_RESERVE_MS) / 2);
}

/** Request input in a log line, bounded so a 10 KB target cannot flood the logs. */
const forLog = (value: string): string => clip(value, 200);

async function dispatch(request: HttpRequest, runtime: Runtime, route: Route | undefined, arrivedMs: number): Promise<HttpResponse> {
  if (runtime.auth.enabled && route?.public !== true) {
    const { tokens } = await runtime.auth.read(Math.min(AUTH_WAIT_MS, remainingTimeBound(request)));
    // Fail closed: with no token loaded yet, nothing but /-/healthy is served. The reason (an SSM
    // error naming the account) is in the log, not in an answer to a caller with no token.
    if (tokens.length === 0) return textResponse(503, 'bearer tokens not loaded yet; see the exporter logs');
    if (!isAuthorized(request.headers.authorization, tokens)) {
      return textResponse(401, 'missing or wrong bearer token: send Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer realm="pushgateway-exporter"',
      });
    }
  }
  if (route === undefined) {
    return textResponse(404, `not found: ${echo(request.path)} (routes: ${ROUTES.map((r) => r.path).join(', ')})`);
  }
  const method = request.method.toUpperCase();
  if (!route.methods.includes(method)) {
    return textResponse(405, `method ${echo(method)} not allowed on ${route.path}: use ${route.methods.join(' or ')}`, { allow: route.methods.join(', ') });
  }
  try {
    return await route.handle(request, runtime, arrivedMs);
  } catch (error) {
    runtime.logger.error('request failed', { path: route.path, error: describeError(error) });
    return textResponse(500, 'internal error while handling the request; see the exporter logs');
  }
}
