/** CPU time this process has used, in ms: unlike the wall clock it does not run while the process waits for a core. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * The most CPU time the process spent between two turns of the event loop, from now until
 * `stop()`. CPU time, not wall time: on a loaded machine the process can wait tens of
 * milliseconds for a core in the middle of any turn, which says nothing about how the work
 * slices itself.
 */
export function watchTurns(): { stop(): number } {
  let last = cpuMs();
  let longest = 0;
  const timer = setInterval(() => {
    const now = cpuMs();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(longest, cpuMs() - last);
    },
  };
}

/**
 * Runs `work` `attempts` times, each after a few quiet ms, and gives the best (smallest) share of its
 * CPU time that one turn of the event loop held, with a line per attempt for the test's diagnostic.
 * The best, because a garbage collection can still land in one turn now and then.
 */
export async function bestTurnShare(attempts: number, work: (attempt: number) => Promise<void>): Promise<{ best: number; shares: string }> {
  const shares: string[] = [];
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const turns = watchTurns();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const started = cpuMs();
    await work(attempt);
    const workMs = cpuMs() - started;
    const longestMs = turns.stop();
    best = Math.min(best, longestMs / workMs);
    shares.push(`${longestMs.toFixed(1)} ms of ${workMs.toFixed(0)} ms CPU`);
  }
  return { best, shares: shares.join(', ') };
}

/**
 * The best of `rounds` runs of each, in CPU milliseconds, alternated so both see the same machine.
 * CPU time, not wall time: a second test file or another process on the same cores would otherwise
 * decide a ratio of two timings (docs/testing.md).
 */
export function bestCpuOf(rounds: number, a: () => unknown, b: () => unknown): [number, number] {
  let bestA = Number.POSITIVE_INFINITY;
  let bestB = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    let started = cpuMs();
    a();
    bestA = Math.min(bestA, cpuMs() - started);
    started = cpuMs();
    b();
    bestB = Math.min(bestB, cpuMs() - started);
  }
  return [bestA, bestB];
}
