/**
 * One instance of each class that a read makes afresh, kept for the life of the process so that
 * the class's hidden classes (V8 "maps") live on between reads.
 *
 * V8 reaches a new instance's map through transitions it holds weakly. Once every instance of such
 * a class has died, a full garbage collection frees those maps and throws away every optimized
 * function that checked for them; the next read then runs unoptimized until V8 has compiled it
 * again, at several times the CPU of a read before the collection (docs/performance.md#after-a-full-collection).
 * A full collection between two reads is routine in a long-lived process.
 */
const KEPT: unknown[] = [];

/** Keeps `instance` alive for good, and gives it back. */
export function keepShape<T>(instance: T): T {
  KEPT.push(instance);
  return instance;
}
