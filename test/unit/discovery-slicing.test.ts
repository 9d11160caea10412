import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ExporterError } from '../../lib/core/errors.ts';
import { discoverServices, discoveryWork, sortedNames } from '../../lib/core/discovery/discovered-services.ts';
import { escapeLabelValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { runToEnd } from '../../lib/core/sliced-work.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { heartbeatPushersOf, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { runSliced } from '../../lib/edges/time-slicing.ts';
import { completeDiscoveryWithin, discoveredIn, discoveredWithin, jobMatcher } from '../../lib/runtime/discovery.ts';
import { discoveredOrNone, discoveryMetrics } from '../../lib/runtime/lazy-discovery.ts';
import { createLogger } from '../../lib/edges/logger.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { bestTurnShare } from '../support/event-loop-turns.ts';

// discover_services in slices (docs/discovery.md#while-discovery-runs): the same answer as the walk
// run at once, the event loop free between slices, and what a probe sees while it runs.

const URL_LINE = 'pushgateway_url: http://127.0.0.1:9091\n';
const HEARTBEAT = 'loop_heartbeat_timestamp_seconds';

async function snapshotOf(body: string, slot = new SnapshotSlot()) {
  const bytes = Buffer.from(body);
  slot.begin(bytes.length);
  slot.append(bytes);
  return buildSnapshot(slot);
}

/** The same snapshot without Snapshot.heartbeatPushers: discovery walks its groups, in one go. */
const walkedOnly = (snapshot: Snapshot): Snapshot => ({
  groups: snapshot.groups, samplesOfService: (name, metric) => snapshot.samplesOfService(name, metric), families: snapshot.families, sampleCount: snapshot.sampleCount,
});

/** `groups` heartbeat groups under job="heartbeat", and a replica per tenth of them labelled service="…" under job="workers". */
function bodyOf(groups: number, prefix = 'svc'): string {
  const lines: string[] = [];
  for (let i = 0; i < groups; i++) {
    lines.push(`${HEARTBEAT}{instance="${prefix}-${i}",job="heartbeat"} 1764000000`, `push_time_seconds{instance="${prefix}-${i}",job="heartbeat"} 1764000000`);
    if (i % 10 === 0) lines.push(`${HEARTBEAT}{instance="r-${i}",job="workers",service="${prefix}-label-${i}"} 1764000000`);
  }
  return `${lines.join('\n')}\n`;
}

describe('sliced discovery gives the answer of the walk run at once', () => {
  it('sorts names as Array.prototype.sort does, across runs and merges (property-based)', () => {
    fc.assert(fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 4 }), { maxLength: 5000 }), (names) => {
      assert.deepEqual(runToEnd(sortedNames([...names])), [...names].sort());
    }), { numRuns: 60 });
  });

  it('finds, slice by slice, what the synchronous walk of the groups finds (property-based)', async () => {
    const value = fc.oneof(fc.constantFrom('heartbeat', 'workers', 'a"b', 'x\\y', 'n\nl', '', 'svc'), fc.string({ maxLength: 5 }));
    const line = fc.record({ metric: fc.constantFrom(HEARTBEAT, 'other_metric'), job: value, instance: value, service: fc.option(value, { nil: undefined }) });
    const config = fc.record({ cap: fc.integer({ min: 1, max: 8 }), jobs: fc.constantFrom('', "discover_jobs: ['work.*']\n", "discover_jobs: [heartbeat, 'x.*']\n"), configured: fc.boolean() });
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), config, async (lines, { cap, jobs, configured }) => {
      const body = lines.map(({ metric, job, instance, service }) => {
        const labels = [`instance="${escapeLabelValue(instance)}"`, `job="${escapeLabelValue(job)}"`, ...(service === undefined ? [] : [`service="${escapeLabelValue(service)}"`])];
        return `${metric}{${labels.join(',')}} 1\n`;
      }).join('');
      const parsed = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: ${cap}\n${jobs}${configured ? 'services:\n  - name: svc\n' : ''}`);
      const matcher = jobMatcher(parsed.discovery!);
      const snapshot = await snapshotOf(body);
      // Every step its own slice: the most interleaving the runtime can see.
      const sliced = await runSliced(discoveryWork(parsed, snapshot, matcher), undefined, 0);
      const whole = discoverServices(parsed, runToEnd(heartbeatPushersOf(walkedOnly(snapshot), HEARTBEAT, 'heartbeat')), matcher);
      assert.deepEqual([...sliced.services.keys()], [...whole.services.keys()]);
      assert.deepEqual([...sliced.services.values()], [...whole.services.values()]);
      assert.equal(sliced.overCap, whole.overCap);
    }), { numRuns: 150 });
  });
});

describe('discovery holds the event loop only briefly', () => {
  it('never holds it for more than a small part of discovering 60k groups (CPU time, best of 3)', async (t) => {
    const config = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 100000\n`);
    const body = bodyOf(60_000);
    // Built before, each in its own slot: the attempts time discovery only.
    const snapshots = await Promise.all([0, 1, 2].map(() => snapshotOf(body)));
    const { best, shares } = await bestTurnShare(3, async (attempt) => {
      const snapshot = snapshots[attempt]!;
      const discovery = await discoveredWithin(config, snapshot, Number.POSITIVE_INFINITY);
      assert.equal(discovery.services.size, 66_000);
    });
    // The sliced answer is the one run at once.
    assert.deepEqual([...discoveredIn(config, snapshots[0]!).services.keys()], [...runToEnd(discoveryWork(config, snapshots[0]!, jobMatcher(config.discovery!))).services.keys()]);
    t.diagnostic(`longest turn: ${shares}`);
    // The bound of the indexing test (snapshot-bounds.test.ts): run at once, discovery is one turn (1.0).
    assert.ok(best <= 0.25, `longest turn: ${shares}`);
  });
});

describe('while a discovery runs', () => {
  it('answers with the last complete discovery, then the new one; a configured name is never discovered', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 100000\nservices:\n  - name: new-7\n`);
    const before = await snapshotOf(bodyOf(3, 'old'));
    // Waited for: on a loaded machine even three groups may take more than the first slice.
    assert.deepEqual([...(await discoveredWithin(config, before, Number.POSITIVE_INFINITY)).services.keys()], ['old-0', 'old-1', 'old-2', 'old-label-0']);
    assert.deepEqual([...discoveredIn(config, before).services.keys()], ['old-0', 'old-1', 'old-2', 'old-label-0']);
    const after = await snapshotOf(bodyOf(40_000, 'new'));
    // Started, not done: the previous snapshot's list.
    assert.deepEqual([...discoveredIn(config, after).services.keys()], ['old-0', 'old-1', 'old-2', 'old-label-0']);
    // A wait of nothing gives the same; a wait long enough the new list, the same object for every later read.
    assert.equal((await discoveredWithin(config, after, 0)).services.has('old-0'), true);
    const found = await discoveredWithin(config, after, Number.POSITIVE_INFINITY);
    assert.equal(found.services.size, 40_000 + 4_000 - 1);
    assert.equal(found.services.has('new-7'), false);
    assert.equal(discoveredIn(config, after), found);
    // No snapshot at all (every Pushgateway down): the last list stays.
    assert.equal(discoveredIn(config, undefined), found);
  });

  it('gives up a snapshot whose memory a newer read reused, keeping the last list', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 100000\n`);
    const slot = new SnapshotSlot();
    const first = await snapshotOf(bodyOf(2, 'first'));
    // Waited for, as every list this file starts from: on a loaded machine even two groups may take more than the first slice.
    const kept = await discoveredWithin(config, first, Number.POSITIVE_INFINITY);
    const doomed = await snapshotOf(bodyOf(40_000), slot);
    assert.equal(discoveredIn(config, doomed), kept);
    const running = discoveredWithin(config, doomed, Number.POSITIVE_INFINITY);
    await snapshotOf(bodyOf(1, 'next'), slot);
    assert.equal(await running, kept);
  });

  it('completeDiscoveryWithin gives only a complete discovery of the snapshot, never the last list (the check-in cap check)', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 100000\n`);
    const before = await snapshotOf(bodyOf(3, 'old'));
    assert.equal((await completeDiscoveryWithin(config, before, Number.POSITIVE_INFINITY))?.services.size, 4);
    assert.equal((await completeDiscoveryWithin(config, before, 0))?.services.size, 4);
    const after = await snapshotOf(bodyOf(40_000, 'new'));
    // Running: no answer within no wait, though the last complete list exists.
    assert.equal(await completeDiscoveryWithin(config, after, 0), undefined);
    assert.equal((await completeDiscoveryWithin(config, after, Number.POSITIVE_INFINITY))?.services.size, 40_000 + 4_000);
    assert.equal(await completeDiscoveryWithin(config, undefined, Number.POSITIVE_INFINITY), undefined);
  });
});

describe('a discovery that fails for another reason than a released snapshot', () => {
  /** `snapshot` whose discovery walk yields until `armed()` and then throws `error`; `walks` counts the walks started. */
  const failing = (snapshot: Snapshot, armed: () => boolean, error: Error) => {
    const counter = { walks: 0 };
    const broken: Snapshot = {
      ...walkedOnly(snapshot),
      *heartbeatPushers() {
        counter.walks += 1;
        while (!armed()) yield;
        throw error;
      },
    };
    return { broken, counter };
  };
  const isFailure = (bug: Error) => (error: unknown) => error instanceof ExporterError && error.code === 'DISCOVERY_FAILED' && error.cause === bug;

  it('throws in its first slice, and keeps the failure: a later call neither walks again nor answers a list', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\n`);
    assert.equal((await discoveredWithin(config, await snapshotOf(bodyOf(3, 'old')), Number.POSITIVE_INFINITY)).services.size, 4);
    const bug = new TypeError('a bug in discovery');
    const { broken, counter } = failing(await snapshotOf(bodyOf(3, 'new')), () => true, bug);
    assert.throws(() => discoveredIn(config, broken), isFailure(bug));
    assert.throws(() => discoveredIn(config, broken), isFailure(bug));
    await assert.rejects(discoveredWithin(config, broken, Number.POSITIVE_INFINITY), isFailure(bug));
    await assert.rejects(completeDiscoveryWithin(config, broken, 0), isFailure(bug));
    assert.equal(counter.walks, 1);
  });

  it('throws to every call after it when it fails in a later slice', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\n`);
    const listed = await discoveredWithin(config, await snapshotOf(bodyOf(3, 'old')), Number.POSITIVE_INFINITY);
    const bug = new RangeError('a bug in a later slice');
    let armed = false;
    const { broken, counter } = failing(await snapshotOf(bodyOf(3, 'new')), () => armed, bug);
    // The first slice ends unfinished (it yields until armed): the last list answers meanwhile.
    assert.equal(discoveredIn(config, broken), listed);
    armed = true;
    await assert.rejects(discoveredWithin(config, broken, Number.POSITIVE_INFINITY), isFailure(bug));
    assert.throws(() => discoveredIn(config, broken), isFailure(bug));
    await assert.rejects(completeDiscoveryWithin(config, broken, 0), isFailure(bug));
    assert.equal(counter.walks, 1);
  });

  it('keeps answering the last list when the error is the snapshot released by a newer read', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\n`);
    const listed = await discoveredWithin(config, await snapshotOf(bodyOf(3, 'old')), Number.POSITIVE_INFINITY);
    const released = new ExporterError('SNAPSHOT_RELEASED', 'internal error: a Pushgateway snapshot was read after a newer read reused its memory');
    assert.equal(discoveredIn(config, failing(await snapshotOf(bodyOf(3, 'a')), () => true, released).broken), listed);
    let armed = false;
    const later = failing(await snapshotOf(bodyOf(3, 'b')), () => armed, released).broken;
    assert.equal(discoveredIn(config, later), listed);
    armed = true;
    assert.equal(await discoveredWithin(config, later, Number.POSITIVE_INFINITY), listed);
    assert.equal(discoveredIn(config, later), listed);
  });

  it('leaves /probes, the status page and /metrics to the configured services, with the failure logged at error', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\nservices:\n  - name: kept\n`);
    const bug = new TypeError('a bug in discovery');
    const { broken } = failing(await snapshotOf(bodyOf(3, 'x')), () => true, bug);
    const lines: string[] = [];
    const logger = createLogger('info', (line) => lines.push(line), () => 0);
    assert.equal((await discoveredOrNone(config, broken, Number.POSITIVE_INFINITY, logger)).services.size, 0);
    assert.deepEqual(await discoveryMetrics(config, broken, logger), []);
    assert.equal(lines.length, 2);
    for (const line of lines) {
      const fields = JSON.parse(line) as Record<string, unknown>;
      assert.equal(fields.level, 'error');
      assert.equal(fields.msg, 'discovery failed');
      assert.equal(fields.code, 'DISCOVERY_FAILED');
      assert.match(String(fields.error), /a bug in discovery/);
    }
  });
});
