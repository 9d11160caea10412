// Run by test/unit/tick-shape.test.ts as `node --allow-natives-syntax --expose-gc --import tsx
// <this file>`: keeps a nextTick entry (lib/edges/tick-shape.ts), holds it here only weakly, runs full
// garbage collections, and prints whether the entry is still alive, whether a later entry has its
// hidden class, and whether the async hook that caught it is off again, as JSON.
import { executionAsyncResource } from 'node:async_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { keepTickShape } from '../../lib/edges/tick-shape.ts';

const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const nextEntry = (): Promise<object> => new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));

const entry0 = keepTickShape();
if (entry0 === undefined) throw new Error('no nextTick entry was caught');
const kept = new WeakRef(entry0);
// A weakly held object lives at least to the end of the job that made it: collect in later turns.
for (let round = 0; round < 2; round++) {
  await nextTurn();
  gc();
}
const entry = kept.deref();
const later = await nextEntry();
// The hook that caught the entry is off: a promise made now carries no async-id symbols.
const hooksOff = Object.getOwnPropertySymbols(new Promise(() => undefined)).length === 0;
process.stdout.write(JSON.stringify({ alive: entry !== undefined, sameMap: entry !== undefined && sameMap(entry, later), hooksOff }));
