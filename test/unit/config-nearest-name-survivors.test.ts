import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistance, nearestName } from '../../lib/core/config/nearest-name.ts';

// The "did you mean" rule at each of its edges: the typo budget per length, the longest word
// compared, dashes, ties and the prefix rule (docs/configuration.md). Written for the mutation run
// (docs/testing.md#mutation-score).

describe('editDistance', () => {
  it('counts a swap after a replacement as one more edit, not as free', () => {
    assert.equal(editDistance('cab', 'xba'), 2);
    assert.equal(editDistance('xcab', 'yxba'), 3);
  });
});

describe('nearestName', () => {
  it('forgives no edit in names of up to 2 characters', () => {
    assert.equal(nearestName('ab', ['ac']), undefined);
    assert.equal(nearestName('a', ['b']), undefined);
  });

  it('forgives one edit in names of 3 to 5 characters, and not two', () => {
    assert.equal(nearestName('jbo', ['job']), 'job');
    assert.equal(nearestName('abcdx', ['abcde']), 'abcde');
    assert.equal(nearestName('abxyz', ['abcde']), undefined);
    assert.equal(nearestName('abcxy', ['abcde']), undefined);
  });

  it('forgives one edit in four characters of the longer name, at most three', () => {
    assert.equal(nearestName('pxuxed', ['paused']), undefined, '6 characters: one edit');
    assert.equal(nearestName('abcdefg', ['abcdefxy']), 'abcdefxy', 'the longer name (8 characters) sets the budget: two edits');
    assert.equal(nearestName('xxxdefghijkl', ['abcdefghijkl']), 'abcdefghijkl', '12 characters: three edits');
    assert.equal(nearestName('xxxxefghijklmnopqrstuvwx', ['abcdefghijklmnopqrstuvwx']), undefined, 'never more than three');
  });

  it('reads every dash as an underscore', () => {
    assert.equal(nearestName('a-b-c-d-e', ['a_b_c_d_e']), 'a_b_c_d_e');
  });

  it('takes the closest name, and the first of two as close', () => {
    assert.equal(nearestName('timeout_secs', ['timeout_seconds', 'timeout_secx']), 'timeout_secx');
    assert.equal(nearestName('jobz', ['jobs', 'job']), 'jobs');
    assert.equal(nearestName('jobz', ['job', 'jobs']), 'job');
  });

  it('compares words of up to 100 characters, the prefix rule included, and no longer one', () => {
    const long = 'a'.repeat(100);
    assert.equal(nearestName(long, [`${long}_seconds`]), `${long}_seconds`);
    assert.equal(nearestName(`${long}a`, [`${long}a_seconds`]), undefined);
  });

  it('names a longer key by a whole prefix of 3 characters or more, never of 2', () => {
    assert.equal(nearestName('abc', ['abc_defghijk']), 'abc_defghijk');
    assert.equal(nearestName('ab', ['ab_cdefghijk']), undefined);
  });
});
