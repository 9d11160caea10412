import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full collection on demand, under plain `node --test` too (`global.gc` exists only with
// --expose-gc, so `global.gc?.()` silently did nothing there): the flag set at run time exposes
// `gc` in contexts made after it.
setFlagsFromString('--expose-gc');
const gc: unknown = runInNewContext('gc');
assert.equal(typeof gc, 'function', 'gc is exposed');

/** Runs a full garbage collection, so a heap figure taken next counts live objects only. */
export function forceGc(): void {
  (gc as () => void)();
}
