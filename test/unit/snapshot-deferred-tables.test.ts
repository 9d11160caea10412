import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { runSliced } from '../../lib/edges/time-slicing.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { cpuMs, watchTurns } from '../support/event-loop-turns.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { hostileBody } from '../support/hostile-bodies.ts';

// The tables a read leaves for later (IndexedSnapshot.indexLater): the `service` table and the
// family tables. Each is checked on a body that makes its build long, so the build is cut in
// many steps: a body of a service per line, a body of a family every other line.
const TABLES = [
  {
    table: 'the service table',
    body: (lines: number) => Buffer.from(`${Array.from({ length: lines }, (_, i) => `a{job="j",service="${i.toString(36)}"}1`).join('\n')}\n`),
    lookup: (snapshot: IndexedSnapshot) => snapshot.samplesOfService('a1').map((sample) => sample.service),
    found: ['a1'] as unknown,
    begun: (slot: SnapshotSlot) => slot.services.keys > 0,
  },
  {
    table: 'the family tables',
    body: (lines: number) => Buffer.from(`${Array.from({ length: lines }, (_, i) => `# TYPE f${i.toString(36)} gauge\nf${i.toString(36)}{job="j"} 1`).join('\n')}\n`),
    lookup: (snapshot: IndexedSnapshot) => snapshot.families.get('fa1')?.type,
    found: 'gauge' as unknown,
    begun: (slot: SnapshotSlot) => slot.types.keys > 0,
  },
];

for (const { table, body, lookup, found, begun } of TABLES) {
  describe(`${table}, built in the background`, () => {
    it('stops, unfinished, when the slot is refilled: the dead snapshot is never read again', async () => {
      const slot = new SnapshotSlot();
      const bytes = body(10_000);
      slot.begin(bytes.length);
      slot.append(bytes);
      const dead = await buildSnapshot(slot);
      const build = dead.indexLater();
      // Three steps: the family tables' first (of the family body), or the family tables' one and
      // the service table's first two (of the service body).
      for (let k = 0; k < 3; k++) build.next();
      assert.ok(begun(slot), 'the build has begun the table');
      slot.begin(bytes.length);
      slot.append(bytes);
      const live = await buildSnapshot(slot);
      assert.equal(build.next().done, true);
      assert.throws(() => lookup(dead), /SNAPSHOT_RELEASED|newer read/);
      assert.deepEqual(lookup(live), found);
      assert.deepEqual(lookup(indexSnapshot(bytes, FIXED_HASH_SEED)), found);
    });

    it('yields to the event loop while it builds (CPU time, best of 5)', async (t) => {
      const bytes = body(200_000);
      const shares: string[] = [];
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 5; attempt++) {
        const snapshot = indexSnapshot(bytes, FIXED_HASH_SEED);
        const turns = watchTurns();
        await sleep(5);
        const started = cpuMs();
        await runSliced(snapshot.indexLater());
        const buildMs = cpuMs() - started;
        const longest = turns.stop();
        assert.deepEqual(lookup(snapshot), found);
        best = Math.min(best, longest / buildMs);
        shares.push(`${longest.toFixed(1)} ms of ${buildMs.toFixed(0)} ms CPU`);
      }
      t.diagnostic(`longest turn: ${shares.join(', ')}`);
      assert.ok(best <= 0.25, `longest turn: ${shares.join(', ')}`);
    });
  });
}
