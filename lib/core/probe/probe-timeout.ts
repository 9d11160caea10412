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

/** The least of the scrape timeout (minus an offset), the configured timeout and Lambda's remaining time. */
export function computeProbeTimeout(inputs: ProbeTimeoutInputs): ProbeTimeout {
  const candidates = [inputs.configuredSeconds];
  if (inputs.scrapeTimeoutHeader !== undefined) {
    const header = inputs.scrapeTimeoutHeader.trim();
    const scrape = /^\d+(\.\d+)?$/.test(header) ? Number(header) : Number.NaN;
    if (!(scrape > 0)) {
      return { error: `invalid X-Prometheus-Scrape-Timeout-Seconds header ${JSON.stringify(header.slice(0, 40))}: must be a positive number of seconds` };
    }
    candidates.push(scrape > SCRAPE_TIMEOUT_OFFSET_SECONDS ? scrape - SCRAPE_TIMEOUT_OFFSET_SECONDS : scrape);
  }
  if (inputs.remainingTimeMs !== undefined) {
    candidates.push((inputs.remainingTimeMs - LAMBDA_RESPONSE_RESERVE_MS) / 1000);
  }
  const seconds = Math.max(MIN_PROBE_TIMEOUT_SECONDS, Math.min(...candidates));
  // The floor must not outlast the Lambda invocation itself.
  return { seconds: inputs.remainingTimeMs === undefined ? seconds : Math.min(seconds, Math.max(0, inputs.remainingTimeMs / 1000)) };
}
