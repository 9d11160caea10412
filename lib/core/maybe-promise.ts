/**
 * A value at hand, or a promise of it: what a step gives when it can usually answer at once (a
 * fresh cached value) and only sometimes has to wait for a load. Chained with `andThen`, the
 * answer-at-once case makes no promise and waits no microtask turn, so a warm probe is answered in
 * its request's own turn (docs/performance.md#the-warm-path). A value at hand is never a thenable,
 * and a promise is always a native one (made by `async` or `.then`): `instanceof Promise` tells them apart.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `next` applied to `value`: at once when the value is at hand, else once its promise fulfils. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
