import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExporterError } from '../../lib/core/errors.ts';
import { scanExposition, type ExpositionSink } from '../../lib/core/exposition/exposition-scanner.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';
import { bestCpuOf } from '../support/event-loop-turns.ts';

/** What a read keeps of a body: every group with its samples, as plain data. */
function groupsOf(snapshot: IndexedSnapshot): [string, [string, number, Record<string, string>][]][] {
  return [...snapshot.groups.entries()]
    .map(([key, group]): [string, [string, number, Record<string, string>][]] => [key, group.samples.map((s) => [s.name, s.value, { ...s.labels }])])
    .sort(([a], [b]) => (a < b ? -1 : 1));
}

const OWN = '# HELP pushgateway_build_info A metric with a constant \'1\' value.\n# TYPE pushgateway_build_info gauge\npushgateway_build_info{version="1.5.1"} 1\n';
const tolerant = { strict: false } as const;

describe('snapshot › invalid lines in a Pushgateway body (docs/operations.md#failure-modes)', () => {
  it('leaves them out and counts them; valid lines around them index as before', () => {
    const body = `${OWN}# TYPE a.b gauge\na.b{instance="",job="t"} 1\n# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds{instance="svc",job="heartbeat"} 100\n1ab{instance="svc",job="heartbeat"} 7\n`;
    const snapshot = indexSnapshot(body, FIXED_HASH_SEED, tolerant);
    assert.equal(snapshot.invalidLines, 3);
    assert.equal(snapshot.firstInvalidLine, 'line 4: invalid metric name in # TYPE');
    assert.deepEqual(groupsOf(snapshot), [[groupKey('heartbeat', 'svc'), [['loop_heartbeat_timestamp_seconds', 100, { instance: 'svc', job: 'heartbeat' }]]]]);
    assert.throws(() => indexSnapshot(body, FIXED_HASH_SEED), /line 4: invalid metric name in # TYPE/, 'strict by default, for tests and tools');
  });

  it('fails on a body that is not an exposition, with the reason of its first bad line', () => {
    assert.throws(() => indexSnapshot('<html><body>502 Bad Gateway</body></html>\n', FIXED_HASH_SEED, tolerant), /^ExpositionError: line 1: expected a metric name$|line 1: expected a metric name/);
    // A few valid-looking lines do not make a page Pushgateway's: it always has pushgateway_build_info.
    assert.throws(() => indexSnapshot('Bad Gateway\nretry 1\n', FIXED_HASH_SEED, tolerant), /line 1: invalid value "Gateway" for Bad/);
    assert.doesNotThrow(() => indexSnapshot(`${OWN}Bad Gateway\nretry 1\n`, FIXED_HASH_SEED, tolerant));
    // No bad line: a body without Pushgateway's own metrics is read as before.
    assert.equal(indexSnapshot('loop_heartbeat_timestamp_seconds{instance="svc",job="heartbeat"} 1\n', FIXED_HASH_SEED, tolerant).invalidLines, 0);
  });

  it('fails on a body cut short mid-line, even when the cut leaves a valid line', () => {
    for (const body of [`${OWN}# TYPE okname7`, `${OWN}loop_heartbeat_timestamp_seconds{instance="svc",job="heartbeat"} 1`, 'x{a="b']) {
      assert.throws(() => indexSnapshot(body, FIXED_HASH_SEED, tolerant), (error: unknown) => error instanceof ExporterError && error.code === 'EXPOSITION_INVALID', body);
    }
    assert.throws(() => indexSnapshot(`${OWN}# TYPE okname7`, FIXED_HASH_SEED, tolerant), /body cut short in the middle of a line \("# TYPE okname7"\)/);
    assert.throws(() => indexSnapshot('x{a="b', FIXED_HASH_SEED, tolerant), /line 1: unterminated value for label a/, 'no valid line at all: the first bad line is the reason');
  });

  it('fails on an empty body', () => {
    assert.throws(() => indexSnapshot('', FIXED_HASH_SEED, tolerant), /empty body, but Pushgateway always sends its own metrics/);
  });

  it('never lets an invalid line change what the valid lines index to (property)', () => {
    const valid = fc.tuple(fc.constantFrom('heartbeat', 'loops'), fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 99 }))
      .map(([job, instance, value]) => `loop_heartbeat_timestamp_seconds{instance="${instance}",job="${job}",n="${value}"} ${value}`);
    // Lines Pushgateway may write from protobuf pushes, and broken fragments of valid ones.
    const invalid = fc.oneof(
      fc.constantFrom('a.b{instance="a",job="heartbeat"} 5', '1ab{instance="b",job="heartbeat"} 5', '# TYPE a-b gauge', '# TYPE ab', 'ab', '{instance="a",job="heartbeat"} 5', 'x{job="heartbeat",job="loops"} 1'),
      fc.tuple(valid, fc.string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('"', '{', '}', '\\', '.', ' ', 'x', '=') })).map(([line, tail]) => `${line}${tail}`),
    ).filter((line) => {
      try {
        indexSnapshot(`${line}\n`, FIXED_HASH_SEED);
        return false;
      } catch {
        return true;
      }
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(valid.map((line) => ({ line, ok: true })), invalid.map((line) => ({ line, ok: false }))), { maxLength: 30 }), (lines) => {
        const body = `${OWN}${lines.map((l) => `${l.line}\n`).join('')}`;
        const clean = `${OWN}${lines.filter((l) => l.ok).map((l) => `${l.line}\n`).join('')}`;
        const snapshot = indexSnapshot(body, FIXED_HASH_SEED, tolerant);
        assert.equal(snapshot.invalidLines, lines.filter((l) => !l.ok).length);
        assert.deepEqual(groupsOf(snapshot), groupsOf(indexSnapshot(clean, FIXED_HASH_SEED)));
      }),
      { numRuns: 200 },
    );
  });

  it('yields at least every 1024 invalid lines: a body of tiny invalid lines is more work per byte than valid ones', () => {
    const body = Buffer.from('x\n'.repeat(20_000));
    let invalid = 0;
    const sink: ExpositionSink = { sample: () => undefined, metadata: () => undefined, skipped: () => undefined, invalid: () => { invalid += 1; } };
    let yields = 0;
    for (const _ of scanExposition(body, sink, FIXED_HASH_SEED.base)) yields += 1;
    assert.equal(invalid, 20_000);
    // 40,000 bytes would be one yield by bytes (every 32 KiB).
    assert.ok(yields >= 20_000 / 1024 - 1, `${yields} yields`);
  });
});

describe('snapshot › the cost of invalid lines', () => {
  it('indexes a body of tiny invalid lines about as fast as a valid body of the same size (side by side, CPU time, best of 5)', () => {
    const size = 2 * 1024 * 1024;
    const plainLine = 'a_items{instance="",job="t",k="v"} 1\n';
    const plain = Buffer.from(OWN + plainLine.repeat(Math.floor(size / plainLine.length)));
    // What a protobuf name made of line feeds becomes: a million one-byte lines, each invalid.
    const tiny = Buffer.from(OWN + 'x\n'.repeat(Math.floor(size / 2)));
    // CPU time, not wall time: a loaded machine can leave this process waiting for a core in the
    // middle of either side, which says nothing about the work each side does. Each side keeps its
    // best round, alternating, so a collection or a cold cache in one round does not decide it.
    const [plainMs, tinyMs] = bestCpuOf(5, () => indexSnapshot(plain, FIXED_HASH_SEED, tolerant), () => {
      assert.equal(indexSnapshot(tiny, FIXED_HASH_SEED, tolerant).invalidLines, Math.floor(size / 2));
    });
    assert.ok(tinyMs < 5 * plainMs, `${tinyMs.toFixed(0)} ms for invalid lines vs ${plainMs.toFixed(0)} ms for valid ones`);
  });
});
