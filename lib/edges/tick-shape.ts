import { createHook } from 'node:async_hooks';
import { keepShape } from '../core/shape-anchors.ts';

/**
 * Keeps one of Node's `process.nextTick` queue entries for the life of the process, so that the
 * hidden class (V8 "map") Node gives every such entry outlives full garbage collections (as
 * lib/core/shape-anchors.ts does for the read's own objects).
 *
 * Node makes each entry with an object literal whose first keys are computed (its async-id symbols
 * on Node 20; Node 24 adds a third). V8 defines such keys through a runtime call that remembers the
 * one map it saw; once an entry comes with another map, it gives up on that literal for good and
 * every entry pays those runtime calls. That happens after a full collection that finds no entry
 * alive: it frees the entries' maps, and the next entry gets a new one. A served request makes
 * about ten entries (its streams' and its response's ticks): `npm run serve` then spent about 5 µs
 * more CPU on each warm probe, of 30–40, in the runs where such a collection had come
 * (docs/performance.md#the-warm-path). Called first thing at start, before the reads that make
 * such collections likely.
 *
 * The entry is caught by an async hook enabled only for the one `nextTick` call that makes it. That
 * leaves one lasting trace: enabling a hook with `init` installs V8's promise hooks for the moment,
 * which turns off one of V8's promise fast paths for good (an `await` measured 20–80 ns slower).
 * A warm probe makes no promise, and a read makes one or two per chunk and per slice of indexing.
 * `executionAsyncResource()` would catch it more simply, but its first call makes Node route every
 * callback from native code through a JavaScript trampoline from then on, a cost on every request.
 *
 * Returns the entry kept, or undefined when none was caught (a process already exiting).
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
