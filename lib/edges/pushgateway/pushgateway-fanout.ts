/** One Pushgateway a fan-out could not push to, and why. */
export interface FanoutFailure {
  /** As given: may carry credentials, so name it with redactUrl (the pusher's own errors already do). */
  readonly url: string;
  readonly error: unknown;
}

export interface FanoutResult {
  /** The Pushgateways that accepted the push, in the order given. */
  readonly accepted: readonly string[];
  readonly failed: readonly FanoutFailure[];
}

/**
 * The same push to every Pushgateway at once (docs/high-availability.md#pushing-to-several): a
 * pusher sends to all, and the push counts as done when at least one accepted it, since the
 * exporter merges them and the newest push wins. Never throws: each failure is in the result.
 */
export async function pushToEach(urls: readonly string[], push: (url: string) => Promise<unknown>): Promise<FanoutResult> {
  const settled = await Promise.allSettled(urls.map((url) => push(url)));
  const accepted: string[] = [];
  const failed: FanoutFailure[] = [];
  settled.forEach((outcome, index) => {
    const url = urls[index] ?? '';
    if (outcome.status === 'fulfilled') accepted.push(url);
    else failed.push({ url, error: outcome.reason });
  });
  return { accepted, failed };
}
