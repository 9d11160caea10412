/**
 * Wall-clock time in unix milliseconds: the one port every rule, cache and log line reads time
 * through (Date.now in production, a stepped value in tests).
 */
export type Clock = () => number;
