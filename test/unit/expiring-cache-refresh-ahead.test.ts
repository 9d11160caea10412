import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringCache } from '../../lib/edges/cache/expiring-cache.ts';
import { controlledLoader } from '../support/controlled-loader.ts';

describe('ExpiringCache', () => {
  const policy = { ttlMs: 3000, maxStaleMs: 10_000 };

  describe('refresh ahead', () => {
    const ahead = { ...policy, refreshAhead: true };

    /** A cache whose first load took 200 ms on the clock: it settles at 200, expires at 3200, and the lead is 1.5 × 200 + 20 = 320 ms. */
    async function loadedAt200() {
      const clock = { now: 0 };
      const loader = controlledLoader();
      const cache = new ExpiringCache(loader.load, () => clock.now);
      const release = loader.hang('first');
      const first = cache.get(ahead);
      clock.now = 200;
      release();
      assert.equal((await first).loadedAtMs, 200);
      loader.succeedWith('second');
      return { clock, loader, cache };
    }

    it('starts the next load before expiry, by the last load\'s duration, and no caller waits for it', async () => {
      const { clock, loader, cache } = await loadedAt200();
      clock.now = 2879;
      await cache.get(ahead);
      assert.equal(loader.calls(), 1, 'not yet within the lead');
      const release = loader.hang();
      clock.now = 2880;
      // The loader hangs: these reads settle only because none of them waits for it.
      const reads = await Promise.all(Array.from({ length: 50 }, () => cache.get(ahead)));
      assert.equal(loader.calls(), 2, 'one load ahead, shared');
      assert.ok(reads.every((read) => read.value === 'first' && read.hit && read.loadedAtMs === 200 && read.error === undefined));
      clock.now = 3100;
      release();
      await new Promise((resolve) => setImmediate(resolve));
      const next = await cache.get(ahead);
      assert.deepEqual([next.value, next.hit, next.loadedAtMs], ['slow', true, 3100], 'ready before the old value expired; its age counts from its own load');
      assert.equal(loader.calls(), 2);
    });

    it('starts a load ahead as soon as the value settles when the last load took most of the TTL, one load at a time', async () => {
      let now = 0;
      const loader = controlledLoader();
      const cache = new ExpiringCache(loader.load, () => now);
      const release = loader.hang('first');
      const first = cache.get(ahead);
      now = 2500;
      release();
      await first;
      const next = loader.hang('second');
      now = 2501;
      assert.equal((await cache.get(ahead)).value, 'first');
      assert.equal(loader.calls(), 2, 'the lead is capped at the TTL: 1.5 × 2500 + 20 ms would be longer');
      await cache.get(ahead);
      assert.equal(loader.calls(), 2, 'never two loads at once');
      next();
    });

    it('leads by the longest of the last few loads: one quick read does not shrink the lead', async () => {
      const { clock, loader, cache } = await loadedAt200();
      // A second load of 10 ms, settling at 3010: the lead stays 1.5 × 200 + 20 = 320 ms, so the next starts at 5690.
      const release = loader.hang('quick');
      clock.now = 3000;
      await cache.get(ahead);
      clock.now = 3010;
      release();
      await new Promise((resolve) => setImmediate(resolve));
      clock.now = 5689;
      assert.equal((await cache.get(ahead)).value, 'quick');
      assert.equal(loader.calls(), 2);
      clock.now = 5690;
      await cache.get(ahead);
      assert.equal(loader.calls(), 3);
    });

    it('serves nothing past its TTL: a load ahead still running at expiry is waited for as any load', async () => {
      const { clock, loader, cache } = await loadedAt200();
      const release = loader.hang();
      clock.now = 3000;
      await cache.get(ahead);
      clock.now = 3200;
      const late = await cache.get(ahead, 10);
      assert.deepEqual([late.timedOut, late.value, late.loadedAtMs], [true, 'first', 200], 'the fallback of a timed-out wait, as without a load ahead');
      assert.equal(loader.calls(), 2, 'it joined the load ahead');
      release();
      const joined = await cache.get(ahead);
      assert.deepEqual([joined.value, joined.timedOut], ['slow', false]);
    });

    it('leaves the fresh value be when a load ahead fails, then loads at expiry and falls back within maxStaleMs as before', async () => {
      const { clock, loader, cache } = await loadedAt200();
      loader.failWith('connection refused');
      clock.now = 2900;
      await cache.get(ahead);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(loader.calls(), 2);
      clock.now = 3000;
      const fresh = await cache.get(ahead);
      assert.deepEqual([fresh.value, fresh.error, fresh.hit], ['first', undefined, true], 'the failure ahead is not reported while the value is fresh');
      assert.equal(loader.calls(), 2, 'one load ahead per value');
      clock.now = 3200;
      const stale = await cache.get(ahead);
      assert.equal(loader.calls(), 3, 'expiry loads as without a load ahead');
      assert.deepEqual([stale.value, stale.loadedAtMs], ['first', 200]);
      assert.match(String(stale.error), /connection refused/);
      clock.now = 10_201;
      const gone = await cache.get(ahead);
      assert.equal(gone.value, undefined, 'beyond maxStaleMs');
      assert.match(String(gone.error), /connection refused/);
    });

    it('reports a load ahead that fails after expiry to the callers that joined it', async () => {
      const { clock, loader, cache } = await loadedAt200();
      const fail = loader.hangThenFail();
      clock.now = 3000;
      await cache.get(ahead);
      clock.now = 3300;
      const joined = cache.get(ahead);
      fail('connection reset');
      const read = await joined;
      assert.equal(loader.calls(), 2);
      assert.deepEqual([read.value, read.loadedAtMs, read.timedOut], ['first', 200, false], 'the last good value within maxStaleMs');
      assert.match(String(read.error), /connection reset/);
    });

    it('gives up a load ahead frozen with its Lambda container after maxLoadMs, and ignores its late result', async () => {
      let now = 0;
      const signals: AbortSignal[] = [];
      const gates: (() => void)[] = [];
      let calls = 0;
      const cache = new ExpiringCache((signal) => {
        calls += 1;
        signals.push(signal);
        const value = `load-${calls}`;
        return new Promise<string>((resolve) => gates.push(() => resolve(value)));
      }, () => now);
      const frozenPolicy = { ...ahead, maxLoadMs: 6000 };
      const first = cache.get(frozenPolicy);
      now = 200;
      gates[0]?.();
      assert.equal((await first).value, 'load-1');
      now = 2900;
      assert.equal((await cache.get(frozenPolicy)).value, 'load-1', 'answered while the load ahead starts');
      assert.equal(calls, 2);
      // Frozen here, thawed within maxLoadMs after expiry: the load is joined, as today.
      now = 8000;
      const joined = await cache.get(frozenPolicy, 10);
      assert.deepEqual([joined.timedOut, calls], [true, 2]);
      // Thawed later than maxLoadMs after the load ahead started: given up and replaced.
      now = 2900 + 6001;
      const replaced = cache.get(frozenPolicy);
      assert.equal(calls, 3);
      assert.equal(signals[1]?.aborted, true, 'the frozen load is told to stop');
      gates[2]?.();
      assert.equal((await replaced).value, 'load-3');
      gates[1]?.();
      await new Promise((resolve) => setImmediate(resolve));
      const after = await cache.get(frozenPolicy);
      assert.deepEqual([after.value, after.loadedAtMs], ['load-3', 8901], 'the late result did not overwrite');
    });
  });
});
