import { createHook } from 'node:async_hooks';
import { keepShape } from '../core/shape-anchors.ts';

/**
 * Keeps one of Node's `process.nextTick` queue entries for the life of the process, so that the
 * hidden class (V8 "map") Node gives every such entry outlives full garbage collections (as
 * lib/core/shape-anchors.ts does for the read's own objects).
 *
 * Node makes each entry with an object literal whose first keys are computed (its async-id
 * symbols). V8 defines such keys through a runtime call that remembers the one map it saw; once an
 * entry comes with another map, it gives up on that literal for good and every entry costs four
 * runtime calls. That happens after the first full collection that finds no entry alive: it frees
 * the entries' maps, and the next entry gets a new one. A served request makes about ten entries
 * (its streams' and its response's ticks): `npm run serve` then spent about 5 µs more CPU on each
 * warm probe, of 30–40, in the runs where such a collection had come (docs/performance.md#the-warm-path).
 *
 * The entry is caught by an async hook enabled only for the one `nextTick` call that makes it.
 * (`executionAsyncResource()` would be simpler, but its first call tells Node to hand every
 * callback's resource to JavaScript from then on: work on every callback, for good.) Returns the
 * entry kept.
 */
export function keepTickShape(): object | undefined {
  let entry: object | undefined;
  const hook = createHook({
    init(_asyncId, type, _triggerAsyncId, resource) {
      if (type === 'TickObject') entry ??= resource;
    },
  });
  hook.enable();
  try {
    process.nextTick(() => undefined);
  } finally {
    hook.disable();
  }
  if (entry !== undefined) keepShape(entry);
  return entry;
}
