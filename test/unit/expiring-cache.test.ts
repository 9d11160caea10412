import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringCache, settlesWithin } from '../../lib/edges/cache/expiring-cache.ts';
import { controlledLoader } from '../support/controlled-loader.ts';

describe('ExpiringCache', () => {
  const policy = { ttlMs: 3000, maxStaleMs: 10_000 };

  it('loads once per TTL and reports hits', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    const first = await cache.get(policy);
    assert.equal(first.value, 'value-1');
    assert.equal(first.hit, false);
    now = 2999;
    const second = await cache.get(policy);
    assert.equal(second.hit, true);
    assert.equal(loader.calls(), 1);
    now = 3000;
    assert.equal((await cache.get(policy)).value, 'value-2');
    assert.equal(loader.calls(), 2);
  });

  it('answers a value within its TTL at once, and a read that needs a load with a promise', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    const loading = cache.get(policy);
    assert.ok(loading instanceof Promise);
    assert.equal((await loading).value, 'value-1');
    const fresh = cache.get(policy);
    assert.ok(!(fresh instanceof Promise), 'a fresh value needs no microtask turn');
    assert.deepEqual(fresh, { value: 'value-1', loadedAtMs: 0, error: undefined, hit: true, timedOut: false, readAtMs: 0 });
    now = 500;
    assert.equal((cache.get(policy) as { readAtMs: number }).readAtMs, 500, 'a read says when it was answered: the age of its value counts to then');
    now = 3000;
    const expired = cache.get(policy);
    assert.ok(expired instanceof Promise);
    assert.equal((await expired).value, 'value-2');
  });

  it('shares one in-flight load between concurrent callers', async () => {
    const loader = controlledLoader();
    const release = loader.hang();
    const cache = new ExpiringCache(loader.load, () => 0);
    const reads = Array.from({ length: 50 }, () => cache.get(policy));
    release();
    const values = await Promise.all(reads);
    assert.equal(loader.calls(), 1);
    assert.ok(values.every((read) => read.value === 'slow'));
  });

  it('keeps the last good value through a failed load within maxStaleMs, then gives it up', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    loader.succeedWith('good');
    await cache.get(policy);
    loader.failWith('connection refused');
    now = 5000;
    const stale = await cache.get(policy);
    assert.equal(stale.value, 'good');
    assert.equal(stale.loadedAtMs, 0);
    assert.match(String(stale.error), /connection refused/);
    now = 10_001;
    const gone = await cache.get(policy);
    assert.equal(gone.value, undefined);
    assert.match(String(gone.error), /connection refused/);
  });

  it('remembers a failure for one TTL instead of retrying on every call', async () => {
    let now = 0;
    const loader = controlledLoader();
    loader.failWith('down');
    const cache = new ExpiringCache(loader.load, () => now);
    await cache.get(policy);
    now = 1000;
    await cache.get(policy);
    assert.equal(loader.calls(), 1);
    now = 3000;
    loader.succeedWith('back');
    const read = await cache.get(policy);
    assert.equal(read.value, 'back');
    assert.equal(read.error, undefined);
    assert.equal(loader.calls(), 2);
  });

  it('recovers after a loader that throws synchronously', async () => {
    let now = 0;
    let throwNow = true;
    const cache = new ExpiringCache(() => {
      if (throwNow) throw new Error('sync');
      return Promise.resolve('ok');
    }, () => now);
    assert.match(String((await cache.get(policy)).error), /sync/);
    throwNow = false;
    now = 3000;
    assert.equal((await cache.get(policy)).value, 'ok');
  });

  it('says when each read was answered: after the load it waited for, or when it stopped waiting', async () => {
    // A snapshot's age, and the time a probe is judged at, count to readAtMs (lib/edges/cache/snapshot-source.ts).
    let now = 0;
    const cache = new ExpiringCache(async () => {
      now += 300; // the load takes 300 ms of the clock
      return 'loaded';
    }, () => now);
    const loaded = await cache.get(policy);
    assert.deepEqual([loaded.loadedAtMs, loaded.readAtMs], [300, 300], 'answered when the load it waited for was done');
    now = 3300;
    let release: () => void = () => undefined;
    const hung = new ExpiringCache(async () => {
      await new Promise<void>((resolve) => { release = resolve; });
      return 'slow';
    }, () => now);
    const timer = setTimeout(() => { now = 3350; }, 5);
    const gaveUp = await hung.get(policy, 20);
    clearTimeout(timer);
    assert.deepEqual([gaveUp.timedOut, gaveUp.readAtMs], [true, 3350], 'answered when it stopped waiting, not when it began');
    release();
  });

  it('stops waiting after maxWaitMs and answers from the last good value, while the load goes on', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    loader.succeedWith('good');
    await cache.get(policy);
    const release = loader.hang();
    now = 3000;
    const waited = await cache.get(policy, 20);
    assert.deepEqual([waited.value, waited.timedOut, waited.loadedAtMs], ['good', true, 0]);
    const other = await cache.get(policy, 20);
    assert.equal(loader.calls(), 2, 'the second caller joins the running load');
    assert.equal(other.timedOut, true);
    release();
    const done = await cache.get(policy);
    assert.deepEqual([done.value, done.timedOut], ['slow', false]);
    assert.equal(loader.calls(), 2);
  });

  it('gives no value after a timed-out wait when the last good one is too old', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    await cache.get(policy);
    const release = loader.hang();
    now = 20_000;
    const read = await cache.get(policy, 10);
    assert.deepEqual([read.value, read.timedOut], [undefined, true]);
    release();
  });

  it('abandons a load older than maxLoadMs (a frozen container) and ignores its late result', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    const frozenPolicy = { ...policy, maxLoadMs: 6000 };
    const releaseFrozen = loader.hang();
    assert.equal((await cache.get(frozenPolicy, 10)).timedOut, true);
    now = 5000;
    await cache.get(frozenPolicy, 10);
    assert.equal(loader.calls(), 1, 'a young load is joined');
    now = 6001;
    loader.succeedWith('fresh');
    assert.equal((await cache.get(frozenPolicy)).value, 'fresh');
    assert.equal(loader.calls(), 2);
    releaseFrozen();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await cache.get(frozenPolicy)).value, 'fresh', 'the abandoned load did not overwrite');
  });

  it('reports the last completed failure while the next load is still running', async () => {
    let now = 0;
    const loader = controlledLoader();
    const cache = new ExpiringCache(loader.load, () => now);
    await cache.get(policy);
    loader.failWith('throttled');
    now = 3000;
    await cache.get(policy);
    const release = loader.hang();
    now = 6000;
    const read = await cache.get(policy, 10);
    assert.equal(read.timedOut, true);
    assert.match(String(read.error), /throttled/);
    release();
  });

});

describe('settlesWithin', () => {
  const timers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

  it('is true for a promise that settles first, false for one that does not, and leaves no timer either way', async () => {
    const before = timers();
    assert.equal(await settlesWithin(Promise.resolve('x'), 60_000), true);
    assert.equal(timers(), before, 'the 60 s timer is cleared once the promise settled');
    const never = new Promise<never>(() => undefined);
    assert.equal(await settlesWithin(never, 5), false);
    assert.equal(timers(), before);
    assert.equal(await settlesWithin(new Promise((resolve) => setTimeout(resolve, 5)), 60_000), true);
    assert.equal(timers(), before);
  });

  it('passes a rejection on and clears its timer, so a failed load does not hold the process open', async () => {
    const before = timers();
    await assert.rejects(settlesWithin(Promise.reject(new Error('load failed')), 60_000), /load failed/);
    assert.equal(timers(), before);
  });

  it('gives up when its own wait is due, before a timer due later (timers fire in the order they are due)', async () => {
    const never = new Promise<never>(() => undefined);
    const later = new Promise<string>((resolve) => setTimeout(resolve, 200, 'the 200 ms timer'));
    assert.equal(await Promise.race([settlesWithin(never, 5).then((settled) => `gave up: ${settled}`), later]), 'gave up: false');
    await later;
  });

  it('waits for the promise alone only when the wait is +Infinity; NaN, -Infinity and negative waits count as 0', async () => {
    const before = timers();
    assert.equal(await settlesWithin(new Promise((resolve) => setTimeout(resolve, 5)), Number.POSITIVE_INFINITY), true);
    assert.equal(await settlesWithin(Promise.resolve(), 0), true);
    assert.equal(await settlesWithin(Promise.resolve(), -5), true);
    const never = new Promise<never>(() => undefined);
    const later = new Promise<string>((resolve) => setTimeout(resolve, 200, 'the 200 ms timer'));
    for (const ms of [-5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      assert.equal(await Promise.race([settlesWithin(never, ms).then((settled) => `gave up: ${settled}`), later]), 'gave up: false', `a wait of ${ms}`);
    }
    await later;
    assert.equal(timers(), before);
  });
});
