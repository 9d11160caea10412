import { bearerValue, isOneOf } from './bearer-auth.ts';
import { textResponse, type HttpRequest, type HttpResponse } from './http-answer.ts';
import { CHECK_IN_METHODS, MAX_CHECK_IN_BODY_BYTES, readSuffix, splitCheckInPath } from '../core/push/check-in.ts';
import { authWaitMs, type ProbeBudget } from '../core/probe/probe-budget.ts';
import { clip } from '../core/quote.ts';
import { checkIn } from '../runtime/check-in.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { CheckInResult, CheckInSignal } from '../runtime/self-metrics.ts';

// `/ping/…` (docs/check-ins.md): served only while push keys are configured, and guarded by them
// alone, not by the scrape's bearer tokens. Checked in this order, so nothing about a service is
// told before its key is accepted: shape (404), method (405), body size (413), key (401), suffix
// (404, 400), then the service, the rate bound and the push (lib/runtime/check-in.ts).

const USE = 'use /ping/<key>/<service>, optionally followed by /start, /fail or /<exit code 0-255>; or /ping/<service>… with Authorization: Bearer <key>';

const BEARER_SCHEME = /^\s*Bearer(\s|$)/i;

/** The same line for every wrong or missing key: it tells nothing of the service named. */
const WRONG_KEY = textResponse(401, 'missing or wrong push key', { 'www-authenticate': 'Bearer realm="pushgateway-exporter check-ins"' });

/** A check-in: its key checked against the push keys, then its signal pushed, and counted. Never throws. */
export async function handleCheckIn(request: HttpRequest, runtime: Runtime, budget: ProbeBudget): Promise<HttpResponse> {
  const { response, signal, result } = await answerCheckIn(request, runtime, budget);
  runtime.metrics.recordCheckIn(signal, result);
  return response;
}

interface CheckInAnswer {
  readonly response: HttpResponse;
  readonly signal: CheckInSignal;
  readonly result: CheckInResult;
}

/** A refusal before the signal is read: counted as signal `none`. */
const early = (response: HttpResponse, result: CheckInResult): CheckInAnswer => ({ response, signal: 'none', result });

async function answerCheckIn(request: HttpRequest, runtime: Runtime, budget: ProbeBudget): Promise<CheckInAnswer> {
  // The Bearer scheme alone decides the form, an empty value too (then the key is missing: 401).
  const headerKey = BEARER_SCHEME.test(request.headers.authorization ?? '') ? bearerValue(request.headers.authorization) ?? '' : undefined;
  const parts = splitCheckInPath(request.path, headerKey !== undefined);
  if (parts === undefined) return early(textResponse(404, `not a check-in URL: ${USE}`), 'invalid');
  const method = request.method.toUpperCase();
  if (!CHECK_IN_METHODS.includes(method)) {
    return early(textResponse(405, `method ${JSON.stringify(clip(method, 20))} not allowed on /ping: use ${CHECK_IN_METHODS.join(' or ')}`, { allow: CHECK_IN_METHODS.join(', ') }), 'invalid');
  }
  if ((request.bodyBytes ?? 0) > MAX_CHECK_IN_BODY_BYTES) {
    return early(textResponse(413, `check-in body over ${MAX_CHECK_IN_BODY_BYTES} bytes: a check-in's body is ignored, send none`, { connection: 'close' }), 'invalid');
  }
  const { tokens } = await runtime.pushKeys.read(authWaitMs(budget));
  // Fail closed, as the scrape tokens do: with no key loaded yet (SSM), no check-in is accepted.
  if (tokens.length === 0) return early(textResponse(503, 'push keys not loaded yet; see the exporter logs'), 'unavailable');
  if (!isOneOf(headerKey ?? parts.key, tokens)) return early(WRONG_KEY, 'unauthorized');
  const suffix = readSuffix(parts.suffix);
  if (suffix.kind === 'unknown') return early(textResponse(404, `unknown check-in suffix: ${USE}`), 'invalid');
  if (suffix.kind === 'bad-exit-code') return early(textResponse(400, suffix.problem), 'invalid');
  const { signal } = suffix;
  const log = { service: clip(parts.service, 200), signal };
  const outcome = await checkIn(runtime, parts.service, signal, budget);
  if (outcome.kind === 'pushed') return { response: { ...textResponse(200, 'OK'), log }, signal, result: 'pushed' };
  const headers: Record<string, string> = outcome.retryAfterSeconds === undefined ? {} : { 'retry-after': String(outcome.retryAfterSeconds) };
  return { response: { ...textResponse(outcome.status, outcome.message, headers), log: { ...log, error: outcome.error } }, signal, result: outcome.result };
}
