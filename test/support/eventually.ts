import { setTimeout as sleep } from 'node:timers/promises';

/** Retries `check` every `intervalMs` until it passes or `timeoutMs` is up, then rethrows its last failure. */
export async function eventually<T>(timeoutMs: number, check: () => Promise<T> | T, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}
