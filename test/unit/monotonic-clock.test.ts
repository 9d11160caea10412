import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { monotonicMs } from '../../lib/edges/monotonic-clock.ts';

describe('monotonicMs (process.hrtime in milliseconds)', () => {
  it('advances as performance.now() does, in milliseconds, with sub-millisecond steps', async () => {
    // performance.now() reads the same CLOCK_MONOTONIC; the test may load perf_hooks, the product does not.
    // Each reading of ours is bracketed by two of performance.now(), so however long the machine
    // keeps this process off a core between them, our interval lies within the outer and inner ones.
    const read = () => {
      const before = performance.now();
      const ours = monotonicMs();
      return { before, ours, after: performance.now() };
    };
    const start = read();
    await sleep(30);
    const end = read();
    const ours = end.ours - start.ours;
    const [inner, outer] = [end.before - start.after, end.after - start.before];
    assert.ok(inner >= 29, `performance.now() moved ${inner} ms`);
    // 0.01 ms for the two clocks' rounding.
    assert.ok(ours >= inner - 0.01 && ours <= outer + 0.01, `monotonicMs moved ${ours} ms, performance.now() ${inner}–${outer} ms`);
    assert.ok(!Number.isInteger(end.ours) || !Number.isInteger(start.ours), 'fractions of a millisecond');
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
