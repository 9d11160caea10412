import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { editDistance, nearestName } from '../../lib/core/config/nearest-name.ts';

describe('editDistance', () => {
  it('counts insertions, deletions, replacements and swaps of neighbours', () => {
    const cases: [string, string, number][] = [
      ['', '', 0], ['', 'abc', 3], ['abc', '', 3], ['kitten', 'sitting', 3], ['form', 'from', 1],
      ['scrape_intervall_seconds', 'scrape_interval_seconds', 1], ['freshness_treshold_seconds', 'freshness_threshold_seconds', 1],
      ['ca', 'abc', 3], ['jobs', 'job', 1], ['job', 'job', 0],
    ];
    for (const [a, b, distance] of cases) assert.equal(editDistance(a, b), distance, `${a} → ${b}`);
  });

  it('is zero only for equal texts, symmetric, and between the length difference and the longer length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
      const distance = editDistance(a, b);
      assert.equal(distance === 0, a === b);
      assert.equal(distance, editDistance(b, a));
      assert.ok(distance >= Math.abs(a.length - b.length) && distance <= Math.max(a.length, b.length));
    }), { numRuns: 1000 });
  });
});

describe('nearestName', () => {
  const TOP = ['pushgateway_url', 'scrape_interval_seconds', 'timeout_seconds', 'max_stale_seconds', 'max_clock_skew_seconds', 'max_body_bytes', 'defaults', 'services'];

  it('names the key a typo, another case, dashes or a missing unit suffix stand for', () => {
    assert.equal(nearestName('scrape_intervall_seconds', TOP), 'scrape_interval_seconds');
    assert.equal(nearestName('scrape-interval-seconds', TOP), 'scrape_interval_seconds');
    assert.equal(nearestName('Pushgateway_URL', TOP), 'pushgateway_url');
    assert.equal(nearestName('default', TOP), 'defaults');
    assert.equal(nearestName('timeout', TOP), 'timeout_seconds');
    assert.equal(nearestName('scrape_interval', TOP), 'scrape_interval_seconds');
    assert.equal(nearestName('pushgateway', TOP), 'pushgateway_url');
  });

  it('names nothing when no key is close, or a prefix fits several', () => {
    for (const word of ['colour', 'max', 'x', 'ab', 'services_list_of_everything', 'a'.repeat(10_000)]) {
      assert.equal(nearestName(word, TOP), undefined, word.slice(0, 40));
    }
    assert.equal(nearestName('to', ['from', 'to', 'reason']), 'to');
    assert.equal(nearestName('at', ['from', 'to', 'reason']), undefined);
  });

  it('only ever names a candidate', () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (word) => {
      const near = nearestName(word, TOP);
      assert.ok(near === undefined || TOP.includes(near));
    }), { numRuns: 1000 });
  });
});
