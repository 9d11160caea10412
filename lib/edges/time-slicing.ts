import type { SlicedWork } from '../core/sliced-work.ts';
import { monotonicMs } from './monotonic-clock.ts';

/*
 * Runs sliced work (lib/core/sliced-work.ts) in slices: the event loop gets a turn every `sliceMs`,
 * so a read in progress never holds up `/-/healthy` or a probe answered from the cache.
 */

/**
 * Settles on the event loop's next check phase, as `setImmediate` of node:timers/promises does,
 * without loading that module: it is not in Node's startup snapshot, and a cold start paid for
 * it (docs/performance.md#the-cold-starts-timers).
 */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How long a slice runs before the event loop gets a turn: short against any scrape or health-check timeout. */
export const SLICE_MS = 2;

/** `clock`: milliseconds of a monotonic clock; tests pass their own. */
export async function runSliced<T>(work: SlicedWork<T>, signal?: AbortSignal, sliceMs: number = SLICE_MS, clock: () => number = monotonicMs): Promise<T> {
  let sliceStart = clock();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (clock() - sliceStart >= sliceMs) {
      await nextTurn();
      if (signal?.aborted) {
        work.return(undefined as T);
        signal.throwIfAborted();
      }
      sliceStart = clock();
    }
  }
}

/** Runs sliced work in the background from the next turn of the event loop on, a slice a turn: nobody waits for it. */
export function runInBackground(work: SlicedWork<unknown>, onError: (error: unknown) => void): void {
  nextTurn().then(() => runSliced(work)).catch(onError);
}

/**
 * For loops that await anyway (a stream read chunk by chunk): `await pause()` after each step
 * gives the event loop a turn once `sliceMs` have gone by. Without it, chunks already buffered
 * are taken one microtask after the other: megabytes without a turn.
 */
export function slicer(sliceMs: number = SLICE_MS, clock: () => number = monotonicMs): () => Promise<void> | undefined {
  let sliceStart = clock();
  return () => {
    if (clock() - sliceStart < sliceMs) return undefined;
    return nextTurn().then(() => {
      sliceStart = clock();
    });
  };
}
