import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeLabelValue } from '../../lib/core/exposition/exposition-renderer.ts';
import { HASH_PRIME } from '../../lib/core/snapshot/byte-hash.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { runToEnd } from '../../lib/core/sliced-work.ts';
import { hostileBody, manyLabelsPush, BODY_SHAPES } from '../support/hostile-bodies.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { power } from '../support/hash-periods.ts';
import { assertLinearPerByte, linesBody } from '../support/linear-time.ts';
import { bestCpuOf, cpuMs, watchTurns } from '../support/event-loop-turns.ts';

/** Lines of a body `bytes` long (about), each made by `line(index)`. */
const SIZE = 512 * 1024;

/** Hostile shapes, their parameters drawn by fast-check: every one a valid body of about SIZE bytes. */
const hostileShape = fc.oneof(
  fc.record({ escapes: fc.integer({ min: 1000, max: 8000 }), text: fc.integer({ min: 0, max: 30_000 }), escape: fc.constantFrom('\\\\', '\\n', '\\\\\\n') }).map(({ escapes, text, escape }) => ({
    name: `${escapes} escapes "${escape}" then ${text} bytes of text per value`,
    body: linesBody(SIZE, (i) => `m{job="heartbeat",instance="e${i}",note="${escape.repeat(escapes)}${'x'.repeat(text)}"} 1`),
  })),
  fc.integer({ min: 1000, max: 8000 }).map((labels) => ({
    name: `${labels} labels per line`,
    body: linesBody(SIZE, (i) => `wide{${Array.from({ length: labels }, (_, k) => `l${k}="${k % 10}"`).join(',')},job="heartbeat",instance="w${i}"} 1`),
  })),
  fc.integer({ min: 0, max: 3 }).map((extra) => ({
    name: `tiny groups with ${extra} extra byte(s)`,
    body: linesBody(SIZE, (i) => `a{job="${i.toString(36)}${'z'.repeat(extra)}"}1`),
  })),
  fc.constant({ name: 'a family change before every sample', body: linesBody(SIZE, (i) => `#HELP f${i}\nf${i}{job="${i}"}1`) }),
  fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }), { minLength: 1, maxLength: 8 }).map((values) => ({
    name: 'non-Latin-1 label values',
    body: linesBody(SIZE, (i) => `m{job="heartbeat",instance="${escapeLabelValue(`${values[i % values.length]}${i}`)}",v="${escapeLabelValue(values[(i + 1) % values.length] ?? '')}"} ${i}`),
  })),
  fc.integer({ min: 50_000, max: 400_000 }).map((length) => ({
    name: `tokens of ${length} bytes (metric name, label value, blanks)`,
    body: linesBody(SIZE, (i) => [`${'n'.repeat(length)}{job="j",instance="${i}"} 1`, `m{job="j",instance="${i}",v="${'v'.repeat(length)}"} 1`, `m{job="j",instance="${i}"}${' '.repeat(length)}1`][i % 3] ?? ''),
  })),
);

/** The characters of a label name after its first. */
const LABEL_CHARACTERS = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz'];

describe('exposition scanning and indexing take time linear in the body, whatever its shape', () => {
  it('spends at most a few times as long per byte on a hostile body as on a Pushgateway-shaped one of the same size (CPU time, best of 3, side by side)', () => {
    const plain = hostileBody('plain', SIZE);
    fc.assert(
      fc.property(hostileShape, ({ name, body }) => {
        assertLinearPerByte({ [name]: body }, plain, (text) => indexSnapshot(text, FIXED_HASH_SEED), 3);
      }),
      { numRuns: 12 },
    );
  });

  it('finds a duplicate among 30,000 labels of one line quickly: as fast per byte as a plain body, within a few times', () => {
    const line = manyLabelsPush().replace('} 1', ',l0="again"} 1');
    const plain = hostileBody('plain', line.length);
    const [plainMs, hostileMs] = bestCpuOf(3, () => indexSnapshot(plain, FIXED_HASH_SEED), () => assert.throws(() => indexSnapshot(line, FIXED_HASH_SEED), /line 1: duplicate label l0 in wide/));
    assert.ok(hostileMs / line.length < (8 * plainMs) / plain.length, `${hostileMs.toFixed(1)} ms vs ${plainMs.toFixed(1)} ms for a plain body of the same size`);
  });

  it('keeps the duplicate-label set linear on names that differ only in their last bytes, spaced to crowd its slots should a name\'s last digit escape the seeded base', () => {
    // Six-byte names `abcXYZ`, sorted as a Pushgateway writes them, with X picked so that two names'
    // last digits differ by a multiple of the set's size divided by 2^16: with a hash whose last digit
    // is added after its last multiplication by the base (a change tried and reverted on 2026-12-02),
    // every name landed in one run of slots while slots were the hash's low bits, 97 times a plain
    // body's time per byte. Slots by tabulation no longer follow the hash's bits that way; such a hash
    // is caught by hash-seed.test.ts, and this line stays a bound.
    const names = 32_000;
    const slots = 2 ** Math.ceil(Math.log2((2 * names * 'abcXYZ="1",'.length) / 5 + 2));
    const period = slots / 65_536;
    const spaced = LABEL_CHARACTERS.filter((x) => x.charCodeAt(0) % period === 48 % period);
    const crowded = spaced.flatMap((x) => LABEL_CHARACTERS.flatMap((y) => LABEL_CHARACTERS.map((z) => `abc${x}${y}${z}`))).sort().slice(0, names);
    assert.equal(crowded.length, names);
    const line = `m{job="j",${crowded.map((name) => `${name}="1"`).join(',')}} 1\n`;
    assertLinearPerByte({ 'names differing in their last bytes': line }, hostileBody('plain', line.length), (text) => indexSnapshot(text, FIXED_HASH_SEED), 3);
  });

  it('keeps the duplicate-label set linear on short names that are dense keys (a000…azzz), even on a base that lines such keys up in one run of slots under a slot linear in the key', () => {
    // A base with 256 · base ≡ −1 mod the prime (13,369,343 under the prime before 2026-12-03): under a
    // slot of (key · base mod the prime) & mask, with a table of 2^17 slots, consecutive keys step through the
    // slots by about one, and a line of 32,000 names probed some 16,000 slots a name (1.7 s; a review,
    // 2026-12-02). The polynomial hash of the bytes lined them up on this base too (252 slots a name,
    // 459 for names l0…lzzz). Slots by tabulation do not depend on the base that way.
    const dense = LABEL_CHARACTERS.flatMap((x) => LABEL_CHARACTERS.flatMap((y) => LABEL_CHARACTERS.map((z) => `a${x}${y}${z}`))).slice(0, 32_000);
    const line = `m{job="j",${dense.map((name) => `${name}="1"`).join(',')}} 1\n`;
    const seed = { base: HASH_PRIME - power(256, HASH_PRIME - 2), pairBase: FIXED_HASH_SEED.pairBase };
    assert.equal((256 * seed.base) % HASH_PRIME, HASH_PRIME - 1);
    assertLinearPerByte({ 'dense short names on a chosen base': line }, hostileBody('plain', line.length), (text) => indexSnapshot(text, seed), 3);
  });
});

/** A full garbage collection, for measuring what stays (the test process has no --expose-gc). */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
})();

/**
 * Bytes held per body byte, body included, with every table built (those a read leaves for later
 * too). The worst shapes, a HELP line before every sample (an index entry for each metadata line
 * and each sample) and tiny groups, measured 2.78 and 2.54 on 2026-12-02 (fifteenth session), the
 * Pushgateway-shaped body 2.05, each in a process of its own. The bound leaves room for the
 * measurement's own noise (heap after two full collections), not for a second copy of the body
 * (one more byte).
 */
const MAX_HELD_PER_BODY_BYTE = 3.25;
/**
 * A body of nothing but short HELP lines (`#HELP a`, 8 bytes a line) has the most index entries
 * per byte, 16 bytes each: 3.36 measured (3.40 before the family tables were left for later). No
 * Pushgateway writes one (it writes a family's HELP only with its samples), but the bound is the
 * exporter's, whatever answers at the configured address.
 */
const MAX_HELD_PER_METADATA_BODY_BYTE = 3.75;

/** Bytes held per body byte by the snapshot of `text`, with every table built. */
function heldPerBodyByte(text: string): number {
  collectGarbage();
  const before = process.memoryUsage();
  const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
  runToEnd(snapshot.indexLater());
  collectGarbage();
  const after = process.memoryUsage();
  assert.ok(snapshot.sampleCount > 0 || snapshot.families.get('a') !== undefined);
  return (after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers)) / Buffer.byteLength(text);
}

describe('a snapshot holds memory linear in the body', () => {
  for (const shape of BODY_SHAPES) {
    it(`holds at most ${MAX_HELD_PER_BODY_BYTE} bytes (body included) per body byte for a ${shape} body`, () => {
      const held = heldPerBodyByte(hostileBody(shape, 2 * 1024 * 1024));
      assert.ok(held <= MAX_HELD_PER_BODY_BYTE, `${held.toFixed(2)} bytes per body byte`);
    });
  }

  it(`holds at most ${MAX_HELD_PER_METADATA_BODY_BYTE} bytes per body byte for a body of nothing but short HELP lines`, () => {
    // Through a Buffer: `repeat` makes a string V8 flattens when it is first read, inside the measurement.
    const held = heldPerBodyByte(Buffer.from('#HELP a\n'.repeat((2 * 1024 * 1024) / 8)).toString('latin1'));
    assert.ok(held <= MAX_HELD_PER_METADATA_BODY_BYTE, `${held.toFixed(2)} bytes per body byte`);
  });
});

describe('indexing yields to the event loop', () => {
  for (const shape of ['tiny-groups', 'family-per-sample', 'many-labels'] as const) {
    it(`never holds the event loop for more than a small part of the build on a ${shape} body (CPU time, best of 5)`, async (t) => {
      const body = Buffer.from(hostileBody(shape, 4 * 1024 * 1024));
      const slot = new SnapshotSlot();
      const shares: string[] = [];
      let best = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 5; attempt++) {
        slot.begin(body.length);
        slot.append(body);
        const turns = watchTurns();
        await sleep(5);
        const started = cpuMs();
        const snapshot = await buildSnapshot(slot);
        const buildMs = cpuMs() - started;
        const longestMs = turns.stop();
        assert.ok(snapshot.sampleCount > 0);
        // A collection can still land in one turn now and then: the best of five shows what the build itself does.
        best = Math.min(best, longestMs / buildMs);
        shares.push(`${longestMs.toFixed(1)} ms of ${buildMs.toFixed(0)} ms CPU`);
      }
      t.diagnostic(`longest turn: ${shares.join(', ')}`);
      assert.ok(best <= 0.25, `longest turn: ${shares.join(', ')}`);
    });
  }
});
