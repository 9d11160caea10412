import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lookupHeartbeat } from '../../lib/core/probe/heartbeat-lookup.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { mergeSnapshots } from '../../lib/core/snapshot/merged-snapshot.ts';
import { groupKey, samplesNamed, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { serviceConfig } from '../support/service-config.ts';

// docs/high-availability.md#how-gateways-are-merged: K snapshots merged as a view look up exactly
// as one snapshot holding, for each group, the group of the part whose push_time_seconds is newest.

const HEARTBEAT = 'loop_heartbeat_timestamp_seconds';
const JOBS = ['heartbeat', 'batch'] as const;
const INSTANCES = ['svc1', 'svc2', 'host-a', 'host-b'] as const;
const SERVICES = ['svc1', 'svc2', 'svc3'] as const;

/** One group as pushed to one Pushgateway: its heartbeat, its service label, and when it was pushed there. */
interface Copy { readonly gateway: number; readonly pushTime: number; readonly heartbeat: number; readonly service: string }
interface Group { readonly job: string; readonly instance: string; readonly copies: readonly Copy[] }

function body(groups: readonly { job: string; instance: string; copy: Copy }[]): string {
  return groups.map(({ job, instance, copy }) =>
    `${HEARTBEAT}{instance="${instance}",job="${job}",service="${copy.service}"} ${copy.heartbeat}\n` +
    `push_time_seconds{instance="${instance}",job="${job}"} ${copy.pushTime}\n`).join('');
}

const copy = (gateways: number) => fc.record({
  gateway: fc.integer({ min: 0, max: gateways - 1 }),
  // Few distinct times, so ties (the first Pushgateway wins) happen too.
  pushTime: fc.integer({ min: 1, max: 4 }),
  heartbeat: fc.integer({ min: 1000, max: 1100 }),
  service: fc.constantFrom(...SERVICES),
});

const layout = fc.integer({ min: 2, max: 4 }).chain((gateways) => fc.record({
  gateways: fc.constant(gateways),
  groups: fc.uniqueArray(
    fc.record({ job: fc.constantFrom(...JOBS), instance: fc.constantFrom(...INSTANCES), copies: fc.uniqueArray(copy(gateways), { minLength: 1, maxLength: gateways, selector: (c) => c.gateway }) }),
    { selector: (group) => groupKey(group.job, group.instance), maxLength: 8 },
  ),
}));

/** The reference: one snapshot holding each group's winning copy (newest push time, then the first Pushgateway). */
function combined(groups: readonly Group[]): Snapshot {
  return indexSnapshot(body(groups.map((group) => {
    const sorted = [...group.copies].sort((x, y) => y.pushTime - x.pushTime || x.gateway - y.gateway);
    return { job: group.job, instance: group.instance, copy: sorted[0] as Copy };
  })), FIXED_HASH_SEED);
}

function parts(gateways: number, groups: readonly Group[]): Snapshot[] {
  return Array.from({ length: gateways }, (_, gateway) => indexSnapshot(body(groups.flatMap((group) =>
    group.copies.filter((c) => c.gateway === gateway).map((c) => ({ job: group.job, instance: group.instance, copy: c })))), FIXED_HASH_SEED));
}

const heartbeats = (snapshot: Snapshot, key: string) => {
  const group = snapshot.groups.get(key);
  return group === undefined ? undefined : { pushTime: group.pushTimeSeconds, values: samplesNamed(group, [HEARTBEAT]).map((s) => s.value) };
};

describe('mergeSnapshots', () => {
  it('looks up every group, service and heartbeat as one snapshot with the newest push of each group would', () => {
    fc.assert(fc.property(layout, ({ gateways, groups: drawn }) => {
      // Heartbeats distinct across copies: between two groups with the same one, which the lookup names first is unspecified.
      const groups = drawn.map((group, index) => ({ ...group, copies: group.copies.map((c) => ({ ...c, heartbeat: c.heartbeat * 100 + index * 10 + c.gateway })) }));
      const merged = mergeSnapshots(parts(gateways, groups));
      const reference = combined(groups);
      for (const job of JOBS) {
        for (const instance of INSTANCES) {
          const key = groupKey(job, instance);
          assert.deepEqual(heartbeats(merged, key), heartbeats(reference, key), key);
        }
      }
      assert.deepEqual([...merged.groups.keys()].sort(), [...reference.groups.keys()].sort());
      for (const name of [...SERVICES, ...INSTANCES]) {
        const values = (snapshot: Snapshot) => snapshot.samplesOfService(name, HEARTBEAT).map((s) => `${s.job}/${s.instance}=${s.value}`).sort();
        assert.deepEqual(values(merged), values(reference), `service ${name}`);
        for (const replicas of [undefined, 2]) {
          const service = serviceConfig({ name, replicas });
          const lookup = (snapshot: Snapshot) => {
            const found = lookupHeartbeat(snapshot, service, name);
            return { primary: found.primary?.timestampSeconds, via: found.primary?.via, perInstance: found.perInstance.map((h) => `${h.group.instance}=${h.timestampSeconds}`) };
          };
          assert.deepEqual(lookup(merged), lookup(reference), `lookup of ${name}, replicas ${replicas}`);
        }
      }
    }), { numRuns: 300 });
  });

  it('merges families (the first part\'s metadata of a name) and counts samples and invalid lines over the parts', () => {
    const first = indexSnapshot('# HELP m First.\n# TYPE m gauge\nm{instance="a",job="j"} 1\n', FIXED_HASH_SEED);
    const second = indexSnapshot('# HELP m Second.\n# TYPE m counter\nm{instance="b",job="j"} 2\n# TYPE n gauge\nn{instance="b",job="j"} 3\n', FIXED_HASH_SEED);
    const merged = mergeSnapshots([first, second]);
    assert.equal(merged.families.get('m')?.help, 'First.');
    assert.equal(merged.families.get('n')?.type, 'gauge');
    assert.equal(merged.sampleCount, first.sampleCount + second.sampleCount);
    assert.equal(merged.groups.size, 2);
    assert.equal(merged.invalidLines, undefined);
  });
});
