import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../../lib/edges/monotonic-clock.ts';

describe('monotonicMs (process.hrtime in milliseconds)', () => {
  it('advances as performance.now() does, in milliseconds, with sub-millisecond steps', async () => {
    // performance.now() reads the same CLOCK_MONOTONIC; the test may load perf_hooks, the product does not.
    const [ours0, theirs0] = [monotonicMs(), performance.now()];
    await sleep(30);
    const [ours1, theirs1] = [monotonicMs(), performance.now()];
    const [ours, theirs] = [ours1 - ours0, theirs1 - theirs0];
    assert.ok(theirs >= 29, `performance.now() moved ${theirs} ms`);
    // Two reads apart on either side: a loaded machine may put a little time between them.
    assert.ok(Math.abs(ours - theirs) < 5, `monotonicMs moved ${ours} ms, performance.now() ${theirs} ms`);
    assert.ok(!Number.isInteger(ours1) || !Number.isInteger(ours0), 'fractions of a millisecond');
  });

  it('never goes back between consecutive reads', () => {
    let last = monotonicMs();
    for (let read = 0; read < 100_000; read++) {
      const now = monotonicMs();
      assert.ok(now >= last, `${now} after ${last}`);
      last = now;
    }
  });
});
