/**
 * Long work written as a generator that yields every few tens of microseconds of work (between
 * two steps it can stop anywhere). An edge runs it in slices (lib/edges/time-slicing.ts), giving
 * the event loop a turn between them, so a read in progress never holds up `/-/healthy` or a
 * probe answered from the cache; tests and tools run it straight to the end.
 */
export type SlicedWork<T> = Generator<void, T, void>;

/** Runs the same work in one go (tests, tools, small inputs). */
export function runToEnd<T>(work: SlicedWork<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}
