import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ExporterError } from '../../lib/core/errors.ts';
import { ExpiringCache } from '../../lib/edges/cache/expiring-cache.ts';
import { createLogger } from '../../lib/edges/logger.ts';
import type { MetricsRead, MetricsRequest } from '../../lib/edges/pushgateway/pushgateway-reader.ts';
import { SelfMetrics } from '../../lib/runtime/self-metrics.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { SnapshotSource } from '../../lib/edges/cache/snapshot-source.ts';

/** A Pushgateway whose reads the test lets through chunk by chunk; it counts the reads in progress. */
class SteppedPushgateway {
  inProgress = 0;
  mostInProgress = 0;
  reads = 0;
  stopped = 0;
  private release: (() => void) | undefined;

  constructor(private readonly body: (read: number) => string) {}

  /** Lets the read in progress send its next chunk. */
  step(): void {
    this.release?.();
  }

  async fetchMetrics(_url: string, options: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> {
    this.reads += 1;
    this.inProgress += 1;
    this.mostInProgress = Math.max(this.mostInProgress, this.inProgress);
    const bytes = Buffer.from(this.body(this.reads));
    try {
      const half = Math.floor(bytes.length / 2);
      for (const chunk of [bytes.subarray(0, half), bytes.subarray(half)]) {
        await new Promise<void>((resolve, reject) => {
          this.release = resolve;
          options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
        });
        sink(chunk);
      }
      return { bytes: bytes.length, bodyBytes: bytes.length };
    } catch (error) {
      this.stopped += 1;
      throw error;
    } finally {
      this.inProgress -= 1;
    }
  }
}

const heartbeat = (read: number) => `loop_heartbeat_timestamp_seconds{instance="svc",job="heartbeat"} ${read}\n`;
const config = (url: string) => parseConfig(`pushgateway_url: "${url}"\nscrape_interval_seconds: 5\ntimeout_seconds: 5\nservices:\n  - name: svc\n`);
const valueIn = (snapshot: { groups: ReadonlyMap<string, { samples: readonly { value: number }[] }> } | undefined) => snapshot?.groups.get(groupKey('heartbeat', 'svc'))?.samples[0]?.value;

/** Lets the stepped reads (and the sliced index after them) run until `read` settles (a fresh snapshot's read is at hand at once). */
async function settle<T>(read: T | Promise<T>, pushgateway: SteppedPushgateway): Promise<T> {
  const pending = Promise.resolve(read);
  let settled = false;
  void pending.finally(() => (settled = true)).catch(() => undefined);
  for (let turn = 0; turn < 2000 && !settled; turn++) {
    pushgateway.step();
    await sleep(1);
  }
  assert.ok(settled, 'the read never finished');
  return pending;
}

describe('SnapshotSource: one read at a time, into memory that never holds the snapshot in use', () => {
  const quiet = () => createLogger('error', () => undefined, () => 0);

  it('stops a read still running when a config change starts another: never two reads at once', async () => {
    const pushgateway = new SteppedPushgateway(heartbeat);
    const source = new SnapshotSource(pushgateway, () => 0, () => 0, quiet(), new SelfMetrics(0), true);
    const first = await source.read(config('http://first:9091'), 10);
    assert.equal(first.snapshot, undefined, 'the probe gave up waiting; the read goes on');
    assert.equal(pushgateway.inProgress, 1);
    const second = await settle(source.read(config('http://second:9091'), 5000), pushgateway);
    assert.equal(pushgateway.stopped, 1, 'the first read was stopped');
    assert.equal(pushgateway.mostInProgress, 1, 'never two reads at once');
    assert.equal(valueIn(second.snapshot), 2);
  });

  it('reads ahead of expiry only when told to (never in Lambda): otherwise the next read waits for expiry', async () => {
    for (const refreshAhead of [true, false]) {
      const pushgateway = new SteppedPushgateway(heartbeat);
      let now = 0;
      const source = new SnapshotSource(pushgateway, () => now, () => 0, quiet(), new SelfMetrics(0), refreshAhead);
      await settle(source.read(config('http://pushgateway:9091'), 5000), pushgateway);
      now = 4_990; // 10 ms before the 5 s snapshot expires
      const answer = await source.read(config('http://pushgateway:9091'), 5000);
      assert.equal(valueIn(answer.snapshot), 1, 'answered from the current snapshot');
      assert.equal(pushgateway.reads, refreshAhead ? 2 : 1, `refreshAhead ${refreshAhead}`);
    }
  });

  it('runs one read at a time when several newer reads queue up behind one in progress', async () => {
    const pushgateway = new SteppedPushgateway(heartbeat);
    const source = new SnapshotSource(pushgateway, () => 0, () => 0, quiet(), new SelfMetrics(0), true);
    await source.read(config('http://first:9091'), 10);
    const second = source.read(config('http://second:9091'), 5000);
    const third = source.read(config('http://third:9091'), 5000);
    const [, last] = await settle(Promise.all([second, third]), pushgateway);
    assert.equal(pushgateway.mostInProgress, 1, 'never two reads at once');
    assert.equal(valueIn(last.snapshot), 2, 'the newest read is the one that ran');
  });

  it('keeps the snapshot in use readable while a refresh streams in, and refuses the one before once its memory is reused', async () => {
    const pushgateway = new SteppedPushgateway(heartbeat);
    let now = 0;
    const source = new SnapshotSource(pushgateway, () => now, () => 0, quiet(), new SelfMetrics(0), true);
    const settings = config('http://pushgateway:9091');
    const first = (await settle(source.read(settings, 5000), pushgateway)).snapshot;
    assert.equal(valueIn(first), 1);
    now += 6000;
    const refresh = source.read(settings, 5000);
    pushgateway.step();
    await sleep(5);
    assert.equal(pushgateway.inProgress, 1, 'half the body is in');
    assert.equal(valueIn(first), 1, 'the snapshot in use, while the refresh streams in');
    const second = (await settle(refresh, pushgateway)).snapshot;
    assert.equal(valueIn(second), 2);
    assert.equal(valueIn(first), 1, 'not reused yet');
    now += 6000;
    const third = (await settle(source.read(settings, 5000), pushgateway)).snapshot;
    assert.equal(valueIn(third), 3);
    assert.equal(valueIn(second), 2);
    assert.throws(() => valueIn(first), (error: unknown) => error instanceof ExporterError && error.code === 'SNAPSHOT_RELEASED');
  });
});

describe('ExpiringCache: a load given up is told to stop', () => {
  it('aborts the signal of a load that ran past maxLoadMs when it starts the next', async () => {
    let now = 0;
    const signals: AbortSignal[] = [];
    const cache = new ExpiringCache((signal) => {
      signals.push(signal);
      // The first load hangs (until told to stop); the next answers at once.
      if (signals.length > 1) return Promise.resolve(signals.length);
      return new Promise<number>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }, () => now);
    const policy = { ttlMs: 1000, maxStaleMs: 1000, maxLoadMs: 2000 };
    assert.equal((await cache.get(policy, 5)).timedOut, true);
    now = 2001;
    const read = await cache.get(policy);
    assert.equal(read.value, 2);
    assert.equal(signals[0]?.aborted, true);
    assert.equal(signals[1]?.aborted, false);
  });
});
