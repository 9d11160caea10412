import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthTokens, tokenProblem, trimToken } from '../../lib/core/config/bearer-tokens.ts';
import { httpUrlProblem } from '../../lib/core/config/http-url.ts';
import { redactUrl, withoutCredentials } from '../../lib/core/config/redact-url.ts';
import { splitUrlList } from '../../lib/core/config/pushgateway-urls.ts';

// The small text rules of lib/core/config that only other rooms' tests reached: tokens
// (docs/security-model.md), URLs as answers show them, and the URL problems word for word
// (docs/configuration.md). Written for the mutation run (docs/testing.md#mutation-score).

describe('bearer tokens', () => {
  it('trims white space and line breaks at both ends, and only there', () => {
    assert.equal(trimToken(' \t a b \r\n'), 'a b');
    assert.equal(trimToken('  ab'), 'ab');
    assert.equal(trimToken('ab  '), 'ab');
  });

  it('names the source and the problem of one secret, never its value', () => {
    assert.equal(tokenProblem('', 'PUSHGATEWAY_BEARER_TOKEN'), 'PUSHGATEWAY_BEARER_TOKEN holds only white space');
    const character = 'PUSHGATEWAY_BEARER_TOKEN holds a character other than printable ASCII (a line break or tab?)';
    for (const token of ['a\tb', '\nab', 'ab\n', 'a\x1fb', 'a\x7fb', 'é']) assert.equal(tokenProblem(token, 'PUSHGATEWAY_BEARER_TOKEN'), character, JSON.stringify(token));
    for (const token of ['a', 'a b', ' !~', 'Zz09-._~+/=']) assert.equal(tokenProblem(token, 'PUSHGATEWAY_BEARER_TOKEN'), undefined, JSON.stringify(token));
  });

  it('splits at commas, trims each token and drops the empty ones', () => {
    assert.deepEqual(parseAuthTokens(' old , new ,,', 'AUTH_TOKEN'), { tokens: ['old', 'new'] });
    assert.deepEqual(parseAuthTokens('one token with spaces', 'AUTH_TOKEN'), { tokens: ['one token with spaces'] });
  });

  it('refuses a value with no token in it, and says so by its source', () => {
    for (const value of ['', ' ', ' , ,\n']) {
      assert.deepEqual(parseAuthTokens(value, 'PUSH_TOKEN'), { problem: 'PUSH_TOKEN holds no token (only commas or white space)', kind: 'empty' });
    }
  });

  it('numbers the token with an unsendable character from 1', () => {
    const problem = (index: number): string => `AUTH_TOKEN: token ${index} holds a character other than printable ASCII (a line break or tab?): separate tokens with commas`;
    assert.deepEqual(parseAuthTokens('a\nb', 'AUTH_TOKEN'), { problem: problem(1), kind: 'character' });
    assert.deepEqual(parseAuthTokens('good, b\tad', 'AUTH_TOKEN'), { problem: problem(2), kind: 'character' });
    assert.deepEqual(parseAuthTokens('good,ok\x7f', 'AUTH_TOKEN'), { problem: problem(2), kind: 'character' });
  });
});

describe('URLs as logs and answers show them', () => {
  it('redactUrl replaces a user, a password or both with "redacted" and drops one trailing slash', () => {
    assert.equal(redactUrl('http://user:secret@gateway:9091/'), 'http://redacted@gateway:9091');
    assert.equal(redactUrl('http://user@gateway:9091'), 'http://redacted@gateway:9091');
    assert.equal(redactUrl('http://:secret@gateway:9091'), 'http://redacted@gateway:9091');
    assert.equal(redactUrl('https://gateway/base/'), 'https://gateway/base');
    assert.equal(redactUrl('https://gateway/a//'), 'https://gateway/a/');
    assert.equal(redactUrl('no url at all'), '(invalid URL)');
  });

  it('withoutCredentials keeps everything but the user and password; a text that is no URL stays as it is', () => {
    assert.equal(withoutCredentials('http://user:secret@gateway:9091/base'), 'http://gateway:9091/base');
    assert.equal(withoutCredentials('http://gateway:9091'), 'http://gateway:9091/');
    assert.equal(withoutCredentials('no url at all'), 'no url at all');
  });
});

describe('httpUrlProblem, word for word', () => {
  it('takes http:// and https:// URLs, credentials percent-encoded included', () => {
    for (const url of ['http://gateway:9091', 'https://gateway/base', 'http://us%41er:p%25ss@gateway']) assert.equal(httpUrlProblem(url), undefined, url);
  });

  it('refuses another scheme or no URL, quoting the value unless it holds "@"', () => {
    assert.equal(httpUrlProblem('ftp://gateway'), 'must be an http:// or https:// URL, got "ftp://gateway"');
    assert.equal(httpUrlProblem('gateway:9091'), 'must be an http:// or https:// URL, got "gateway:9091"');
    assert.equal(httpUrlProblem('not a url'), 'must be an http:// or https:// URL, got "not a url"');
    assert.equal(httpUrlProblem('ftp://user:secret@gateway'), 'must be an http:// or https:// URL, got a value with "@" (not shown: it may hold credentials)');
  });

  it('refuses a query or a fragment', () => {
    const problem = (shown: string): string => `must not have a ?query or #fragment (paths such as /metrics are appended to it), got ${shown}`;
    const cut = ' and a ?query or #fragment (not shown: it may hold a token)';
    assert.equal(httpUrlProblem('http://gateway/?a=1'), problem(`"http://gateway/"${cut}`));
    assert.equal(httpUrlProblem('http://gateway/#top'), problem(`"http://gateway/"${cut}`));
    assert.equal(httpUrlProblem('http://gateway/?token=SECRETQ'), problem(`"http://gateway/"${cut}`));
    assert.equal(httpUrlProblem('http://user@gateway/?a'), problem(`a value with "@" (not shown: it may hold credentials)${cut}`));
    // A full-width at sign is hidden as the ASCII one is.
    assert.equal(httpUrlProblem('ftp://u:SECRET\uff20h1:9091'), 'must be an http:// or https:// URL, got a value with "@" (not shown: it may hold credentials)');
  });

  it('refuses a "%" in the user or the password that is not percent-encoding', () => {
    const problem = 'has a "%" in its user or password that is not percent-encoding: write "%" as "%25" (value not shown: it holds credentials)';
    assert.equal(httpUrlProblem('http://us%zzer:secret@gateway'), problem);
    assert.equal(httpUrlProblem('http://user:se%zzcret@gateway'), problem);
  });
});

describe('splitUrlList', () => {
  it('trims each item, and names the first empty one by its place', () => {
    assert.deepEqual(splitUrlList(' http://a , http://b ', 'PUSHGATEWAY_URL'), { urls: ['http://a', 'http://b'] });
    assert.deepEqual(splitUrlList('http://a, ,', 'PUSHGATEWAY_URL'), { problem: 'PUSHGATEWAY_URL: item 2 of the comma-separated list is empty' });
    assert.deepEqual(splitUrlList('', 'X'), { problem: 'X: item 1 of the comma-separated list is empty' });
  });
});
