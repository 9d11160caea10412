import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { discoveredServices } from '../../lib/core/discovery/discovered-services.ts';
import { runToEnd } from '../../lib/core/sliced-work.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { mergeSnapshots } from '../../lib/core/snapshot/merged-snapshot.ts';
import { heartbeatPushersOf, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { discoveredWithin } from '../../lib/runtime/discovery.ts';
import { bestTurnShare } from '../support/event-loop-turns.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

// Discovery over several Pushgateways (docs/high-availability.md#how-gateways-are-merged): the merged
// view names exactly the pushers one snapshot holding its winning groups would, without a walk of
// its groups.

const HEARTBEAT = 'loop_heartbeat_timestamp_seconds';
const URL_LINE = 'pushgateway_url: [http://127.0.0.1:9091, http://127.0.0.1:9092]\n';
const config = parseConfig(`${URL_LINE}discover_services: true\n`);
const all = () => true;

/** The merged view without Snapshot.heartbeatPushers: discovery walks its (winning) groups. */
const walkedOnly = (snapshot: Snapshot): Snapshot => ({
  groups: snapshot.groups, samplesOfService: (name, metric) => snapshot.samplesOfService(name, metric), families: snapshot.families, sampleCount: snapshot.sampleCount,
});

const distinct = (snapshot: Snapshot) =>
  [...new Set(runToEnd(heartbeatPushersOf(snapshot, HEARTBEAT, 'heartbeat')).map((pusher) => JSON.stringify([pusher.name, pusher.job])))].sort();

describe('the merged view names its pushers', () => {
  it('as a walk of its winning groups does (property-based)', () => {
    const value = fc.constantFrom('heartbeat', 'workers', 'a', 'b', 'c');
    const line = fc.record({
      metric: fc.constantFrom(HEARTBEAT, HEARTBEAT, 'other_metric'), job: value, instance: value, service: fc.option(value, { nil: undefined }),
      pushTime: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    });
    fc.assert(fc.property(fc.array(fc.array(line, { maxLength: 12 }), { minLength: 2, maxLength: 3 }), (gateways) => {
      // Pushgateway always sends its own metrics: a body is never empty.
      const parts = gateways.map((lines) => indexSnapshot('pushgateway_build_info 1\n' + lines.map(({ metric, job, instance, service, pushTime }) => {
        const group = `instance="${instance}",job="${job}"`;
        return `${metric}{${group}${service === undefined ? '' : `,service="${service}"`}} 1\n${pushTime === undefined ? '' : `push_time_seconds{${group}} ${pushTime}\n`}`;
      }).join(''), FIXED_HASH_SEED, { strict: false }));
      const merged = mergeSnapshots(parts);
      assert.deepEqual(distinct(merged), distinct(walkedOnly(merged)));
    }), { numRuns: 300 });
  });

  it('discovers a service pushed to one Pushgateway only, and once a service pushed to both', () => {
    const a = indexSnapshot(`${HEARTBEAT}{instance="both",job="heartbeat"} 1\n${HEARTBEAT}{instance="r1",job="w",service="labelled"} 1\n`, FIXED_HASH_SEED);
    const b = indexSnapshot(`${HEARTBEAT}{instance="both",job="heartbeat"} 2\n${HEARTBEAT}{instance="second-only",job="heartbeat"} 1\n${HEARTBEAT}{instance="r1",job="w",service="labelled"} 1\n`, FIXED_HASH_SEED);
    const discovery = discoveredServices(config, mergeSnapshots([a, b]), all);
    assert.deepEqual([...discovery.services.keys()], ['both', 'labelled', 'second-only']);
  });

  it('leaves out a name whose newest copy of its group no longer holds the heartbeat', () => {
    const a = indexSnapshot(`${HEARTBEAT}{instance="gone",job="heartbeat"} 1\npush_time_seconds{instance="gone",job="heartbeat"} 10\n`, FIXED_HASH_SEED);
    const b = indexSnapshot(`other_metric{instance="gone",job="heartbeat"} 1\npush_time_seconds{instance="gone",job="heartbeat"} 20\n`, FIXED_HASH_SEED);
    assert.deepEqual([...discoveredServices(config, mergeSnapshots([a, b]), all).services.keys()], []);
    // The older copy without it loses: the name stays.
    const c = indexSnapshot(`other_metric{instance="gone",job="heartbeat"} 1\npush_time_seconds{instance="gone",job="heartbeat"} 5\n`, FIXED_HASH_SEED);
    assert.deepEqual([...discoveredServices(config, mergeSnapshots([a, c]), all).services.keys()], ['gone']);
  });
});

describe('discovery over two Pushgateways of 30k groups each holds the event loop only briefly', () => {
  it('longest turn a small part of the discovery (CPU time, best of 3)', async (t) => {
    const body = (from: number) => {
      const lines: string[] = [];
      for (let i = from; i < from + 30_000; i++) lines.push(`${HEARTBEAT}{instance="svc-${i}",job="heartbeat"} 1`, `push_time_seconds{instance="svc-${i}",job="heartbeat"} ${i % 3}`);
      return `${lines.join('\n')}\n`;
    };
    // Half the groups on both, a quarter on each only.
    const parts = [indexSnapshot(body(0), FIXED_HASH_SEED), indexSnapshot(body(15_000), FIXED_HASH_SEED)];
    const wide = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 100000\n`);
    const { best, shares } = await bestTurnShare(3, async () => {
      const discovery = await discoveredWithin(wide, mergeSnapshots(parts), Number.POSITIVE_INFINITY);
      assert.equal(discovery.services.size, 45_000);
    });
    t.diagnostic(`longest turn: ${shares}`);
    // The bound of the indexing test (snapshot-bounds.test.ts): run at once, discovery is one turn (1.0).
    assert.ok(best <= 0.25, `longest turn: ${shares}`);
  });
});
