// Side-by-side timing for `npm run bench`: two functions, round after round, alternating which goes first.

/**
 * Per-round times of `a` and `b` (ms), `rounds` rounds alternating which goes first, `before` run
 * untimed before each call: both sides of a round see the same machine.
 */
export function alternatingRounds(rounds: number, a: () => unknown, b: () => unknown, before?: () => void): [number[], number[]] {
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [run, times] of round % 2 === 0 ? [[a, timesA], [b, timesB]] as const : [[b, timesB], [a, timesA]] as const) {
      before?.();
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
  }
  return [timesA, timesB];
}
