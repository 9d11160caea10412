import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { hostileBody } from '../support/hostile-bodies.ts';
import { assertLinearPerByte, linesBody } from '../support/linear-time.ts';

// The read only notes `# HELP` and `# TYPE` lines; the tables by family name are built after it,
// on the first lookup of a family or in the background in slices (docs/performance.md).
// Whichever comes first, the answers are the same, and they are the newest HELP and TYPE of each name.

const NAMES = ['m', 'm_total', 'mm', 'n', 'a:b', 'absent'];
const bodyLine = fc.oneof(
  fc.record({ kind: fc.constant('HELP'), name: fc.constantFrom(...NAMES.slice(0, 5)), text: fc.constantFrom('counter', 'x y', 'é \\\\ \\n', '') }),
  fc.record({ kind: fc.constant('TYPE'), name: fc.constantFrom(...NAMES.slice(0, 5)), text: fc.constantFrom('counter', 'gauge', 'untyped') }),
  fc.record({ kind: fc.constant('sample'), name: fc.constantFrom(...NAMES.slice(0, 5)), text: fc.constantFrom('i1', 'i2') }),
);
type BodyLine = typeof bodyLine extends fc.Arbitrary<infer T> ? T : never;

const textOf = (lines: readonly BodyLine[]) =>
  `${lines.map(({ kind, name, text }) => (kind === 'sample' ? `${name}{instance="${text}",job="j"} 1` : `# ${kind} ${name}${text === '' ? '' : ` ${text}`}`)).join('\n')}\n`;

/** What `families` answers, for every name a body can hold. */
const familyAnswers = (snapshot: IndexedSnapshot) => ({
  each: NAMES.map((name) => snapshot.families.get(name) ?? null),
  all: snapshot.allFamilies(),
  samples: snapshot.groups.get(groupKey('j', 'i1'))?.samples.map((sample) => sample.family) ?? [],
});

/** The newest HELP and TYPE text of each name, read off the lines themselves (TYPE text trimmed, as the format reads it). */
function expectedFamilies(lines: readonly BodyLine[]): (object | null)[] {
  return NAMES.map((name) => {
    const help = lines.findLast((line) => line.kind === 'HELP' && line.name === name);
    const type = lines.findLast((line) => line.kind === 'TYPE' && line.name === name);
    if (help === undefined && type === undefined) return null;
    return { name, help: help === undefined ? undefined : help.text.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : '\\')), type: type?.text };
  });
}

describe('the family tables, built after the read', () => {
  it('answer the same whether built by the lookup, in the background first, or part-way in the background: the newest HELP and TYPE of each name', async () => {
    let partwayLookups = 0;
    await fc.assert(
      // Repeated, the lines make bodies of up to some 2,100 HELP and TYPE lines: builds of several steps.
      fc.asyncProperty(fc.array(bodyLine, { minLength: 1, maxLength: 200, size: 'max' }), fc.integer({ min: 1, max: 16 }), async (once, times) => {
        const lines = Array.from({ length: times }, () => once).flat();
        const body = textOf(lines);
        const byLookup = familyAnswers(indexSnapshot(body, FIXED_HASH_SEED));
        assert.deepEqual(byLookup.each.map((family) => (family === null ? null : { ...family })), expectedFamilies(lines));
        const background = indexSnapshot(body, FIXED_HASH_SEED);
        let backgroundSteps = 0;
        for (const _ of background.indexLater()) backgroundSteps++;
        assert.deepEqual(familyAnswers(background), byLookup);
        // A lookup after every number of background steps: these bodies have no `service` label, so
        // the last step is the service table's and the ones before it the family tables'.
        for (let steps = 1; steps < backgroundSteps; steps++) {
          const partway = indexSnapshot(body, FIXED_HASH_SEED);
          const build = partway.indexLater();
          for (let k = 0; k < steps; k++) build.next();
          if (steps < backgroundSteps - 1) partwayLookups++;
          assert.deepEqual(familyAnswers(partway), byLookup);
          while (build.next().done !== true);
          assert.deepEqual(familyAnswers(partway), byLookup);
        }
      }),
      {
        numRuns: 60,
        // Always, besides the random bodies: the longest body, 1,600 HELP and 1,600 TYPE lines, several steps of each table.
        examples: [[Array.from({ length: 200 }, (_, i): BodyLine => ({ kind: i % 2 === 0 ? 'HELP' : 'TYPE', name: NAMES[i % 5] ?? 'm', text: 'counter' })), 16]],
      },
    );
    // The example alone gives 12: each table of 1,600 lines yields after every 256 keyed, 6 times, and each of those 12 yields leaves the build part-way.
    assert.ok(partwayLookups >= 12, `only ${partwayLookups} lookups came while the background build was part-way`);
  });

  it('are built from the noted lines again on every read of a kept slot, never from an older read\'s', () => {
    const slot = new SnapshotSlot();
    const first = indexSnapshot('# HELP a First.\n# TYPE a gauge\na{job="j"} 1\n', FIXED_HASH_SEED, { slot });
    assert.equal(first.families.get('a')?.help, 'First.');
    const second = indexSnapshot('# TYPE b counter\nb{job="j"} 1\n', FIXED_HASH_SEED, { slot });
    assert.equal(second.families.get('a'), undefined);
    assert.deepEqual({ ...second.families.get('b') }, { name: 'b', help: undefined, type: 'counter' });
    assert.throws(() => first.families.get('a'), /newer read/);
  });

  it('take time linear in the body, the build included, on family-heavy hostile shapes (CPU time, best of 5, side by side with a Pushgateway-shaped body)', () => {
    const size = 512 * 1024;
    const shapes = {
      'a family every other line': hostileBody('family-per-sample', size),
      'one family\'s HELP and TYPE, over and over': linesBody(size, (i) => (i % 2 === 0 ? '# HELP f again' : '# TYPE f gauge')),
      'names alike in their first bytes': linesBody(size, (i) => `# TYPE ${'f'.repeat(200)}${i % 50} gauge`),
    };
    assertLinearPerByte(shapes, hostileBody('plain', size), (text) => indexSnapshot(text, FIXED_HASH_SEED).families.get('f1'), 5);
  });
});
