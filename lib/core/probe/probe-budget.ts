/** Subtracted from Prometheus' scrape timeout so the answer arrives before Prometheus gives up (as blackbox_exporter does). */
export const SCRAPE_TIMEOUT_OFFSET_SECONDS = 0.5;
/** Kept back from Lambda's remaining time to write the answer. */
export const LAMBDA_RESPONSE_RESERVE_MS = 250;
/** Never wait less than this, so a tiny budget still tries once. */
export const MIN_PROBE_TIMEOUT_SECONDS = 0.1;

export interface ProbeTimeoutInputs {
  /** The raw `X-Prometheus-Scrape-Timeout-Seconds` header, when sent. */
  readonly scrapeTimeoutHeader: string | undefined;
  readonly configuredSeconds: number;
  /** Lambda's `getRemainingTimeInMillis()`, when running in Lambda. */
  readonly remainingTimeMs: number | undefined;
}

export type ProbeTimeout = { readonly seconds: number } | { readonly error: string };

/** What Prometheus sends: decimal seconds, such as `10` or `9.5`. */
const SCRAPE_TIMEOUT = /^\d+(\.\d+)?$/;

/** The least of the scrape timeout (minus an offset), the configured timeout and Lambda's remaining time. */
export function computeProbeTimeout(inputs: ProbeTimeoutInputs): ProbeTimeout {
  // The least of the candidates, kept as it goes (every probe computes it: no array of them).
  let least = inputs.configuredSeconds;
  const header = inputs.scrapeTimeoutHeader?.trim() ?? '';
  // Sent empty is not sent, as blackbox_exporter reads it (Go's Header.Get gives "" for both).
  if (header !== '') {
    const scrape = SCRAPE_TIMEOUT.test(header) ? Number(header) : Number.NaN;
    if (!(scrape > 0)) {
      return { error: `invalid X-Prometheus-Scrape-Timeout-Seconds header ${JSON.stringify(header.slice(0, 40))}: must be a positive number of seconds` };
    }
    least = Math.min(least, scrape > SCRAPE_TIMEOUT_OFFSET_SECONDS ? scrape - SCRAPE_TIMEOUT_OFFSET_SECONDS : scrape);
  }
  if (inputs.remainingTimeMs !== undefined) {
    least = Math.min(least, (inputs.remainingTimeMs - LAMBDA_RESPONSE_RESERVE_MS) / 1000);
  }
  const seconds = Math.max(MIN_PROBE_TIMEOUT_SECONDS, least);
  // The floor must not outlast the Lambda invocation itself.
  return { seconds: inputs.remainingTimeMs === undefined ? seconds : Math.min(seconds, Math.max(0, inputs.remainingTimeMs / 1000)) };
}

/** At most this long a request waits for a due reload of bearer tokens before the last good ones answer. */
export const AUTH_WAIT_MS = 1000;

/**
 * The one time budget of a request, created as it arrives: every wait on the way (bearer tokens,
 * the config, the Pushgateway snapshot) asks it what is left (docs/architecture.md#how-a-probe-flows).
 * Plain data; times are a monotonic clock's milliseconds, passed in.
 */
export interface ProbeBudget {
  /** When the request arrived. */
  readonly startedMs: number;
  /** Lambda's remaining invocation time as the request arrived, when running in Lambda. */
  readonly lambdaRemainingMs: number | undefined;
  /** The raw `X-Prometheus-Scrape-Timeout-Seconds` header, when sent; checked by `fixProbeTimeout`. */
  readonly scrapeTimeoutHeader: string | undefined;
  /** The probe's own timeout, fixed by `fixProbeTimeout`; unbounded before. */
  readonly seconds: number;
}

export function startBudget(startedMs: number, request: { readonly lambdaRemainingMs?: number | undefined; readonly scrapeTimeoutHeader?: string | undefined } = {}): ProbeBudget {
  return { startedMs, lambdaRemainingMs: request.lambdaRemainingMs, scrapeTimeoutHeader: request.scrapeTimeoutHeader, seconds: Number.POSITIVE_INFINITY };
}

/** What the wait for bearer tokens may use: `AUTH_WAIT_MS`, and half of Lambda's time left after its reserve. */
export function authWaitMs(budget: ProbeBudget): number {
  const lambdaBound = budget.lambdaRemainingMs === undefined
    ? Number.POSITIVE_INFINITY
    : Math.max(0, (budget.lambdaRemainingMs - LAMBDA_RESPONSE_RESERVE_MS) / 2);
  return Math.min(AUTH_WAIT_MS, lambdaBound);
}

/** The budget with the probe's timeout fixed from the header, `configuredSeconds` and Lambda's time; or the header's problem. */
export function fixProbeTimeout(budget: ProbeBudget, configuredSeconds: number): { readonly budget: ProbeBudget } | { readonly error: string } {
  const timeout = computeProbeTimeout({ scrapeTimeoutHeader: budget.scrapeTimeoutHeader, configuredSeconds, remainingTimeMs: budget.lambdaRemainingMs });
  if ('error' in timeout) return timeout;
  // Field by field, in startBudget's order: every budget keeps one shape (a spread copy is slower on a hot path).
  return { budget: { startedMs: budget.startedMs, lambdaRemainingMs: budget.lambdaRemainingMs, scrapeTimeoutHeader: budget.scrapeTimeoutHeader, seconds: timeout.seconds } };
}

/** What is left of the budget at `nowMs`, also bounded by the `timeout_seconds` of a config just read. */
export function remainingMs(budget: ProbeBudget, nowMs: number, configTimeoutSeconds = Number.POSITIVE_INFINITY): number {
  const seconds = Math.min(budget.seconds, configTimeoutSeconds);
  return Math.max(0, budget.startedMs + seconds * 1000 - nowMs);
}

/** Seconds since the request arrived. */
export const elapsedSeconds = (budget: ProbeBudget, nowMs: number): number => (nowMs - budget.startedMs) / 1000;
