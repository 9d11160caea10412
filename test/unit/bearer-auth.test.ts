import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isAuthorized, parseAuthTokens } from '../../lib/bearer-auth.ts';

describe('parseAuthTokens', () => {
  it('splits on commas and white space so tokens can be rotated', () => {
    assert.deepEqual(parseAuthTokens(' old-token, new-token\nthird '), ['old-token', 'new-token', 'third']);
    assert.deepEqual(parseAuthTokens(''), []);
    assert.deepEqual(parseAuthTokens(undefined), []);
  });
});

describe('isAuthorized', () => {
  const tokens = ['old-token', 'new-token'];
  const table: [string | undefined, boolean][] = [
    ['Bearer old-token', true],
    ['Bearer new-token', true],
    ['bearer new-token', true],
    ['Bearer  new-token ', true],
    ['Bearer wrong', false],
    ['Bearer old-token2', false],
    ['Bearer old-toke', false],
    ['Basic b2xkLXRva2Vu', false],
    ['old-token', false],
    ['Bearer ', false],
    ['Bearer old-token new-token', false],
    ['', false],
    [undefined, false],
  ];
  for (const [header, expected] of table) {
    it(`${expected ? 'accepts' : 'rejects'} ${JSON.stringify(header)}`, () => {
      assert.equal(isAuthorized(header, tokens), expected);
    });
  }

  it('rejects everything when no token is configured', () => {
    assert.equal(isAuthorized('Bearer ', []), false);
    assert.equal(isAuthorized('Bearer x', []), false);
  });
});
