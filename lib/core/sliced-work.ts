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

/** Items sorted at once before merging: a fraction of a millisecond. */
const SORT_RUN = 1024;

/**
 * `items` sorted by `compare` (stable), as sliced work: runs of SORT_RUN sorted at once, then merged
 * pairwise, yielding every SORT_RUN items. Sorting 100,000 items at once holds the event loop for
 * tens of milliseconds. Sorts `items` in place and may return another array.
 */
export function* sortedWork<T>(items: T[], compare: (a: T, b: T) => number): SlicedWork<T[]> {
  let from = items;
  for (let start = 0; start < from.length; start += SORT_RUN) {
    const run = from.slice(start, start + SORT_RUN).sort(compare);
    for (let i = 0; i < run.length; i++) from[start + i] = run[i] as T;
    yield;
  }
  let to = new Array<T>(from.length);
  for (let width = SORT_RUN; width < from.length; width *= 2) {
    for (let low = 0; low < from.length; low += 2 * width) {
      const middle = Math.min(low + width, from.length);
      const high = Math.min(low + 2 * width, from.length);
      let left = low;
      let right = middle;
      for (let out = low; out < high; out++) {
        to[out] = (right >= high || (left < middle && compare(from[left] as T, from[right] as T) <= 0) ? from[left++] : from[right++]) as T;
        if (out % SORT_RUN === 0) yield;
      }
    }
    [from, to] = [to, from];
  }
  return from;
}

/** Strings in UTF-16 code-unit order, as Array.prototype.sort orders them without a comparator. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
