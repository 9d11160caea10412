import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LINE_BYTES } from '../../lib/core/exposition/exposition-scanner.ts';
import { advance, afterBody, indexSlot, indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import type { IndexedSnapshot } from '../../lib/core/snapshot/indexed-snapshot.ts';
import { runToEnd } from '../../lib/core/sliced-work.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const BODY = [
  '# HELP loop_heartbeat_timestamp_seconds Last heartbeat.',
  '# TYPE loop_heartbeat_timestamp_seconds gauge',
  ...Array.from({ length: 300 }, (_, i) => `loop_heartbeat_timestamp_seconds{instance="svc${i}",job="heartbeat",service="svc${i}"} ${1_700_000_000 + i}\r`),
  'loop_errors_total{instance="svc1",job="heartbeat",service="svc1"} not-a-number',
  `too_long{job="x"} ${'9'.repeat(MAX_LINE_BYTES)}`,
  '# TYPE pushgateway_build_info gauge',
  'pushgateway_build_info{version="1.6.2"} 1',
  'loop_errors_total{instance="svc2",job="heartbeat",service="svc2"} 3',
  '',
].join('\n');

/** What a snapshot answers, in a form two snapshots can be compared by. */
function answers(snapshot: IndexedSnapshot): unknown {
  return {
    groups: snapshot.allGroups().map((group) => [group.job, group.instance, group.samples]),
    families: snapshot.allFamilies(),
    service: snapshot.samplesOfService('svc2'),
    counts: [snapshot.groupCount, snapshot.sampleCount, snapshot.skippedLines, snapshot.invalidLines, snapshot.firstInvalidLine],
  };
}

/** Indexes `body` as a read does, fed in chunks of `sizes` (cycled), advancing after every chunk. */
function streamed(body: Buffer, sizes: readonly number[], slot = new SnapshotSlot()): { snapshot: IndexedSnapshot; beforeEnd: number } {
  slot.begin(16);
  const work = indexSlot(slot, false, FIXED_HASH_SEED);
  for (let at = 0, k = 0; at < body.length; k++) {
    const size = sizes[k % sizes.length] as number;
    slot.append(body.subarray(at, at + size));
    at += size;
    advance(work, () => 0, Number.POSITIVE_INFINITY);
  }
  const beforeEnd = slot.groups.entries;
  slot.end();
  return { snapshot: runToEnd(afterBody(work)), beforeEnd };
}

describe('a body indexed while it streams in', () => {
  const body = Buffer.from(BODY, 'utf8');
  const whole = answers(indexSnapshot(body, FIXED_HASH_SEED, { strict: false }));

  for (const sizes of [[1], [7, 1, 3], [4096], [65_536, 13], [body.length]]) {
    it(`answers exactly as the whole body does, in chunks of ${sizes.join(', ')} bytes (lines, CR LF and a 1 MiB line split across chunks)`, () => {
      assert.deepEqual(answers(streamed(body, sizes).snapshot), whole);
    });
  }

  it('indexes lines before the last chunk arrives', () => {
    const { beforeEnd, snapshot } = streamed(body, [4096]);
    assert.ok(beforeEnd >= 300, `only ${beforeEnd} lines indexed before the end`);
    assert.equal(snapshot.groupCount, 300);
  });

  it('takes the last line without a line feed once the body is complete, and still fails a body cut short', () => {
    const cut = Buffer.from('pushgateway_build_info{version="1"} 1\nbad line\na{job="j"} 1', 'utf8');
    assert.throws(() => streamed(cut, [5]), /cut short/);
    const slot = new SnapshotSlot();
    slot.begin();
    const work = indexSlot(slot, true, FIXED_HASH_SEED);
    slot.append(Buffer.from('a{job="j"} 1\nb{job="k"} 2'));
    advance(work, () => 0, Number.POSITIVE_INFINITY);
    assert.equal(slot.groups.keys, 1, 'the unfinished last line waits for the rest of the body');
    slot.end();
    assert.equal(runToEnd(afterBody(work)).groupCount, 2);
  });

  it('reuses a slot: the tables grown by one streamed body are sized afresh for the next', () => {
    const slot = new SnapshotSlot();
    assert.deepEqual(answers(streamed(body, [999], slot).snapshot), whole);
    const small = Buffer.from('pushgateway_build_info{version="1"} 1\na{job="j",instance="i"} 1\n');
    const { snapshot } = streamed(small, [3], slot);
    assert.deepEqual(answers(snapshot), answers(indexSnapshot(small, FIXED_HASH_SEED, { strict: false })));
  });

  it('indexes a whole text into a slot the caller keeps, as into a new one, and the slot\'s last snapshot goes stale', () => {
    const slot = new SnapshotSlot();
    const other = Buffer.from(BODY.replace(/svc/g, 'job'), 'utf8');
    const first = indexSnapshot(Buffer.from(BODY), FIXED_HASH_SEED, { strict: false, slot });
    const firstAnswers = answers(first);
    const second = indexSnapshot(other, FIXED_HASH_SEED, { strict: false, slot });
    assert.equal(second.slot, slot);
    assert.deepEqual(answers(second), answers(indexSnapshot(other, FIXED_HASH_SEED, { strict: false })));
    assert.notDeepEqual(answers(second), firstAnswers);
    assert.throws(() => first.allGroups(), /reused its memory/);
  });

  it('stops within its budget and goes on where it stopped', () => {
    const slot = new SnapshotSlot();
    slot.begin();
    const work = indexSlot(slot, false, FIXED_HASH_SEED);
    const big = Buffer.from(`pushgateway_build_info{version="1"} 1\n${Array.from({ length: 3000 }, (_, i) => `a{job="j",instance="${i}"} 1\n`).join('')}`);
    slot.append(big);
    let clock = 0;
    advance(work, () => clock++, 1);
    const first = slot.groups.entries;
    assert.ok(first > 0 && first < 3000, `one step of the clock is one quantum of work (${first} lines)`);
    slot.end();
    assert.deepEqual(answers(runToEnd(afterBody(work))), answers(indexSnapshot(big, FIXED_HASH_SEED, { strict: false })));
  });
});
