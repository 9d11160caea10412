/**
 * Milliseconds of the process's monotonic clock (CLOCK_MONOTONIC, as `performance.now()`; the
 * origin is arbitrary, so only differences mean anything). Read through `process.hrtime()`: the
 * `performance` global loads perf_hooks and eight `internal/perf` modules on first use, about a
 * millisecond of every cold start, for the same clock at the same cost a call
 * (docs/performance.md#the-cold-starts-clock-and-log-line).
 */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
