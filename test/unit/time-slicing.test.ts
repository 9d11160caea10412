import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextTurn, runSliced, slicer } from '../../lib/edges/time-slicing.ts';
import type { SlicedWork } from '../../lib/core/sliced-work.ts';

/** Work of `steps` steps, each recorded in `log`. */
function* steps(count: number, log: string[]): SlicedWork<number> {
  for (let step = 0; step < count; step++) {
    log.push(`step ${step}`);
    yield;
  }
  return count;
}

describe('time slicing (lib/edges/time-slicing.ts)', () => {
  it('nextTurn settles in the check phase: after microtasks and ticks, with the immediates queued before it', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('immediate before'));
    const turn = nextTurn().then(() => order.push('next turn'));
    setImmediate(() => order.push('immediate after'));
    process.nextTick(() => order.push('tick'));
    void Promise.resolve().then(() => order.push('microtask'));
    await turn;
    // Ticks and microtasks run in an order that depends on where they were queued; both come first.
    assert.deepEqual(order.slice(0, 2).sort(), ['microtask', 'tick']);
    assert.deepEqual(order.slice(2), ['immediate before', 'next turn']);
    await nextTurn();
    assert.deepEqual(order.at(-1), 'immediate after');
  });

  it('runSliced gives the event loop a turn between slices, and none within one', async () => {
    const log: string[] = [];
    setImmediate(() => log.push('event loop'));
    assert.equal(await runSliced(steps(3, log), undefined, 0), 3);
    assert.deepEqual(log, ['step 0', 'event loop', 'step 1', 'step 2']);
    const unsliced: string[] = [];
    setImmediate(() => unsliced.push('event loop'));
    assert.equal(await runSliced(steps(3, unsliced), undefined, 60_000), 3);
    assert.deepEqual(unsliced, ['step 0', 'step 1', 'step 2']);
  });

  it("runSliced stops at the turn after its signal aborts, with the signal's reason", async () => {
    const controller = new AbortController();
    const log: string[] = [];
    const run = runSliced(steps(1000, log), controller.signal, 0);
    controller.abort(new Error('a newer read replaced this one'));
    await assert.rejects(run, /a newer read replaced this one/);
    assert.deepEqual(log, ['step 0']);
  });

  it('runSliced starts a new slice after each turn: one turn per slice on its clock', async () => {
    let now = 0;
    const log: string[] = [];
    // Each step takes 1 ms on the fake clock: slices of 3 ms give a turn after every third step.
    function* timedSteps(): SlicedWork<void> {
      for (let step = 0; step < 7; step++) {
        log.push(`step ${step}`);
        now += 1;
        yield;
      }
    }
    let done = false;
    const watch = (): void => {
      log.push('turn');
      if (!done) setImmediate(watch);
    };
    setImmediate(watch);
    await runSliced(timedSteps(), undefined, 3, () => now);
    done = true;
    assert.deepEqual(log, ['step 0', 'step 1', 'step 2', 'turn', 'step 3', 'step 4', 'step 5', 'turn', 'step 6']);
  });

  it('a slicer starts a new slice after each pause', async () => {
    let now = 0;
    const pause = slicer(3, () => now);
    now = 2;
    assert.equal(pause(), undefined, 'within the slice');
    now = 3;
    const paused = pause();
    assert.ok(paused instanceof Promise, 'the slice ran out');
    await paused;
    assert.equal(pause(), undefined, 'a new slice began at the pause');
    now = 5;
    assert.equal(pause(), undefined);
    now = 6;
    assert.ok(pause() instanceof Promise);
  });

  it('a slicer pauses only once its slice has run out', async () => {
    assert.equal(slicer(60_000)(), undefined);
    const order: string[] = [];
    setImmediate(() => order.push('immediate'));
    const pause = slicer(0)();
    assert.ok(pause instanceof Promise);
    await pause.then(() => order.push('paused'));
    assert.deepEqual(order, ['immediate', 'paused']);
  });
});
