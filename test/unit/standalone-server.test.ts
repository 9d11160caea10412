import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePort } from '../../lib/runtime/environment-settings.ts';
import { isLoopback, splitRequestTarget } from '../../lib/http/standalone-server.ts';

describe('splitRequestTarget', () => {
  const table: [string, { path: string; query: string }][] = [
    ['/probe?target=a', { path: '/probe', query: 'target=a' }],
    ['//probe', { path: '//probe', query: '' }],
    ['//probe?target=a', { path: '//probe', query: 'target=a' }],
    ['/probe/', { path: '/probe/', query: '' }],
    ['/./probe', { path: '/./probe', query: '' }],
    ['/x/../probe', { path: '/x/../probe', query: '' }],
    ['/%70robe', { path: '/%70robe', query: '' }],
    ['/probe;x', { path: '/probe;x', query: '' }],
    ['/?format=json', { path: '/', query: 'format=json' }],
    ['http://exporter:9116/probe?target=a', { path: '/probe', query: 'target=a' }],
    ['http://exporter:9116//probe', { path: '//probe', query: '' }],
    ['http://exporter:9116', { path: '/', query: '' }],
    ['http://exporter:9116?format=json', { path: '/', query: 'format=json' }],
    ['*', { path: '*', query: '' }],
  ];
  for (const [target, expected] of table) {
    it(`reads ${JSON.stringify(target)} as sent`, () => assert.deepEqual(splitRequestTarget(target), expected));
  }
});

describe('parsePort', () => {
  it('takes digits only, so " " or "0x50" is an error rather than a random or surprising port', () => {
    assert.equal(parsePort(undefined, 9116), 9116);
    assert.equal(parsePort('', 9116), 9116);
    assert.equal(parsePort('8080', 9116), 8080);
    assert.equal(parsePort('0', 9116), 0);
    for (const value of [' ', ' 80', '0x50', '1e3', '80.0', '-1', '65536', 'http']) {
      assert.equal(parsePort(value, 9116), `PORT must be a port number (0-65535), got ${JSON.stringify(value)}`, value);
    }
  });
});

describe('isLoopback', () => {
  it('knows the loopback listen addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.equal(isLoopback(host), true, host);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '']) assert.equal(isLoopback(host), false, host);
  });
});
