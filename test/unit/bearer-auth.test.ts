import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseAuthTokens } from '../../lib/core/config/bearer-tokens.ts';
import { bearerValue, isAuthorized } from '../../lib/http/bearer-auth.ts';

const RUNS = { numRuns: 2000 };

/** Pieces of hostile token text: spaces, commas, unicode, control characters, scheme look-alikes. */
const piece = fc.oneof(
  fc.constantFrom(' ', '  ', '\t', '\n', '\r\n', ',', ', ', ' ,', 'é', '\u00a0', '\u2028', '\ufeff', '\u0000', '\u007f', '\ud800', '=', 'Bearer', 'bearer ', 'horse', 'correct'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
);
const hostile = fc.array(piece, { maxLength: 10 }).map((pieces) => pieces.join(''));
const padding = fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\ufeff'), { maxLength: 3 }).map((p) => p.join(''));

const tokensOf = (value: string, source = 'AUTH_TOKEN') => {
  const parsed = parseAuthTokens(value, source);
  return 'tokens' in parsed ? parsed.tokens : parsed.problem;
};

describe('parseAuthTokens', () => {
  it('splits on commas only and trims each token, so a token may contain spaces', () => {
    assert.deepEqual(tokensOf(' old-token, new-token ,third '), ['old-token', 'new-token', 'third']);
    assert.deepEqual(tokensOf('correct horse battery staple'), ['correct horse battery staple']);
    assert.deepEqual(tokensOf(' correct horse battery staple ,\tother\n'), ['correct horse battery staple', 'other']);
    assert.deepEqual(tokensOf('a,,b,'), ['a', 'b']);
  });

  it('calls a value with no token a problem naming the source, never "no auth"', () => {
    for (const value of [' ', ',', ' , ', ',,,', '\n', ' \t, \n', '']) {
      assert.equal(tokensOf(value), 'AUTH_TOKEN holds no token (only commas or white space)', JSON.stringify(value));
    }
    assert.equal(tokensOf(' , ', 'SSM parameter /x'), 'SSM parameter /x holds no token (only commas or white space)');
  });

  it('rejects a token with a character no HTTP client sends unchanged (a line break between tokens), without showing it', () => {
    for (const value of ['oldsecret\nnewsecret', 'asecret,bsecret\tcsecret', 'pässword', 'xsecret\u0000ysecret', 'toksecret\u2028ensecret']) {
      const problem = tokensOf(value);
      assert.equal(typeof problem, 'string', JSON.stringify(value));
      assert.match(String(problem), /^AUTH_TOKEN: token \d holds a character other than printable ASCII/);
      assert.ok(!/secret|ssword/.test(String(problem)), 'the token is never shown');
    }
  });

  it('never yields "no tokens" for a non-empty value: a token list or a problem (property, hostile strings)', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const parsed = parseAuthTokens(value, 'AUTH_TOKEN');
        if ('tokens' in parsed) {
          assert.ok(parsed.tokens.length > 0);
          for (const token of parsed.tokens) {
            assert.equal(token, token.trim());
            assert.ok(token !== '' && !token.includes(','));
          }
        } else {
          assert.match(parsed.problem, /^AUTH_TOKEN[ :]/);
        }
      }),
      RUNS,
    );
  });

  it('gives back the tokens joined with commas and any padding (property)', () => {
    const token = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_.~+/= !"#$%&()*;<>?@[]^`{|}'), minLength: 1, maxLength: 20 }).filter((t) => t.trim() !== '');
    fc.assert(
      fc.property(fc.array(fc.tuple(padding, token, padding), { minLength: 1, maxLength: 5 }), (parts) => {
        const value = parts.map(([before, t, after]) => `${before}${t}${after}`).join(',');
        assert.deepEqual(tokensOf(value), parts.map(([, t]) => t.trim()));
      }),
      RUNS,
    );
  });
});

describe('bearerValue', () => {
  it('is everything after "Bearer " trimmed, the scheme in any case', () => {
    assert.equal(bearerValue('Bearer correct horse battery staple'), 'correct horse battery staple');
    assert.equal(bearerValue('  bearer \t correct horse  '), 'correct horse');
    assert.equal(bearerValue('BEARER x'), 'x');
    assert.equal(bearerValue('Bearer \t '), undefined, 'the header is trimmed first: a bare scheme');
    assert.equal(bearerValue('Bearer'), undefined);
    assert.equal(bearerValue('Bearerx'), undefined);
    assert.equal(bearerValue('Basic eA=='), undefined);
    assert.equal(bearerValue(undefined), undefined);
  });
});

describe('isAuthorized', () => {
  const tokens = ['old-token', 'new-token', 'correct horse battery staple'];
  const table: [string | undefined, boolean][] = [
    ['Bearer old-token', true],
    ['Bearer new-token', true],
    ['bearer new-token', true],
    ['Bearer  new-token ', true],
    ['Bearer\tnew-token', true],
    ['Bearer correct horse battery staple', true],
    ['Bearer  correct horse battery staple\t', true],
    ['Bearer horse', false],
    ['Bearer correct horse', false],
    ['Bearer correct  horse battery staple', false],
    ['Bearer wrong', false],
    ['Bearer old-token2', false],
    ['Bearer old-toke', false],
    ['Basic b2xkLXRva2Vu', false],
    ['old-token', false],
    ['Bearer ', false],
    ['Bearer old-token new-token', false],
    ['Bearer old-token,new-token', false],
    ['Bearer old-token, Bearer new-token', false],
    ['Bearerold-token', false],
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
    assert.equal(isAuthorized('Bearer ', ['']), false);
  });

  it('authorizes a request iff its bearer value, trimmed, equals one configured token (property, hostile tokens and headers)', () => {
    const header = fc.oneof(
      hostile,
      fc.tuple(fc.constantFrom('Bearer ', 'bearer\t', 'BEARER  ', ' Bearer '), hostile).map(([scheme, value]) => `${scheme}${value}`),
    );
    fc.assert(
      fc.property(hostile, fc.integer({ min: 0, max: 9 }), header, padding, padding, (value, pick, otherHeader, before, after) => {
        const parsed = parseAuthTokens(value, 'AUTH_TOKEN');
        if (!('tokens' in parsed)) return;
        const configured = parsed.tokens;
        // Half the time present a configured token, padded; else any hostile header.
        const chosen = configured[pick % configured.length] ?? '';
        const presented = pick % 2 === 0 ? `Bearer ${before}${chosen}${after}` : otherHeader;
        const match = /^Bearer[ \t]+([\s\S]*)$/i.exec(presented.trim());
        const expected = match !== null && configured.includes((match[1] ?? '').trim());
        assert.equal(isAuthorized(presented, configured), expected, JSON.stringify({ presented, configured }));
        if (pick % 2 === 0) assert.equal(isAuthorized(presented, configured), true);
      }),
      RUNS,
    );
  });
});
