/**
 * One instance of each kind of object a read makes afresh (the index's and the scan's state, the
 * scan's records, the service table's matcher, a slot), kept for the life of the process so that
 * their hidden classes (V8 "maps") live on between reads. Objects a read keeps anyway (the snapshot
 * in use, a process's two slots) need none.
 *
 * V8 reaches a new instance's map through transitions it holds weakly. Once every instance of such
 * a class has died, a full garbage collection frees those maps and throws away every optimized
 * function that checked for them; the next read then runs unoptimized until V8 has compiled it
 * again, at several times the CPU of a read before the collection (docs/performance.md#after-a-full-collection).
 * A full collection between two reads is routine in a long-lived process.
 */
const KEPT: unknown[] = [];

/**
 * Keeps `instance` alive for good. Called once per kind of object, as the process starts (at the
 * top level of a module, or by lib/edges/tick-shape.ts): the list is written then, and never read.
 */
export function keepShape(instance: unknown): void {
  KEPT.push(instance);
}
