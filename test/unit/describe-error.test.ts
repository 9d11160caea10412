import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { describeError } from '../../lib/core/errors.ts';

// describeError (lib/core/errors.ts): an error as one line a terminal, a log or an answer can hold.

describe('describeError', () => {
  it('folds line breaks to one space and writes every other control character as an escape', () => {
    assert.equal(describeError(new Error('a\r\n  b\nc')), 'a b c');
    assert.equal(describeError(new Error('line\u001b[31mred\u0000\u0007\u007f\u009b\tend')), 'line\\u001b[31mred\\u0000\\u0007\\u007f\\u009b\tend');
    assert.equal(describeError(new Error('x\u2028y\u2029z')), 'x\\u2028y\\u2029z');
    assert.equal(describeError('plain'), 'plain');
  });

  it('gives one line free of control characters but tab, whatever the message (property-based)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (message) => {
        assert.doesNotMatch(describeError(new Error(message)), /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
      { numRuns: 1000 },
    );
  });
});
