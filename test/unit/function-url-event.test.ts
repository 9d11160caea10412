import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readFunctionUrlEvent } from '../../lib/http/function-url-event.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const FIXTURE = JSON.parse(readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'events', 'function-url-probe.json'), 'utf8')) as Record<string, unknown>;

/** The fixture with some fields removed or replaced by values of any type, at any depth. */
const partialEvent = fc.tuple(
  fc.subarray(['rawPath', 'rawQueryString', 'headers', 'requestContext', 'requestContext.http', 'requestContext.http.method']),
  fc.dictionary(fc.constantFrom('rawPath', 'rawQueryString', 'headers', 'requestContext', 'requestContext.http', 'requestContext.http.method', 'headers.authorization', 'headers.x-prometheus-scrape-timeout-seconds'), fc.anything()),
).map(([removed, replaced]) => {
  const event = structuredClone(FIXTURE) as Record<string, unknown>;
  const at = (path: string): [Record<string, unknown> | undefined, string] => {
    const keys = path.split('.');
    let node: unknown = event;
    for (const key of keys.slice(0, -1)) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    return [typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined, keys.at(-1) ?? ''];
  };
  for (const path of removed) { const [node, key] = at(path); if (node) delete node[key]; }
  for (const [path, value] of Object.entries(replaced)) { const [node, key] = at(path); if (node) node[key] = value; }
  return event;
});

describe('readFunctionUrlEvent', () => {
  it('reads a function URL event: the raw path, the query, lower-cased headers, the context', () => {
    const read = readFunctionUrlEvent(FIXTURE, { getRemainingTimeInMillis: () => 1234, awsRequestId: 'req-1' });
    assert.ok('request' in read);
    assert.equal(read.request.method, 'GET');
    assert.equal(read.request.path, '/probe');
    assert.equal(read.request.query.get('target'), 'service1');
    assert.equal(read.request.headers['x-prometheus-scrape-timeout-seconds'], '4.5');
    assert.equal(read.request.remainingTimeMs, 1234);
    assert.equal(read.request.requestId, 'req-1');
  });

  it('keeps odd paths exactly as sent, for the route table to match or 404', () => {
    for (const rawPath of ['//probe', '/probe/', '/./probe', '/%70robe', '/probe;x']) {
      const read = readFunctionUrlEvent({ ...FIXTURE, rawPath });
      assert.ok('request' in read);
      assert.equal(read.request.path, rawPath);
    }
  });

  it('joins a header given twice in different cases, so two Authorization headers never pass as one', () => {
    const read = readFunctionUrlEvent({ ...FIXTURE, headers: { Authorization: 'Bearer a', authorization: 'Bearer b' } });
    assert.ok('request' in read);
    assert.equal(read.request.headers.authorization, 'Bearer a, Bearer b');
  });

  it('takes no headers, or null, as none; ignores a broken context', () => {
    for (const headers of [undefined, null]) {
      const read = readFunctionUrlEvent({ ...FIXTURE, headers }, { getRemainingTimeInMillis: () => { throw new Error('x'); } });
      assert.ok('request' in read);
      assert.equal(read.request.remainingTimeMs, undefined);
    }
    const nan = readFunctionUrlEvent(FIXTURE, { getRemainingTimeInMillis: () => Number.NaN });
    assert.ok('request' in nan && nan.request.remainingTimeMs === undefined);
  });

  const invalid: [unknown, string][] = [
    [undefined, 'invalid event: a function URL event (payload format 2.0) is an object, got undefined'],
    ['{"rawPath":"/"}', 'invalid event: a function URL event (payload format 2.0) is an object, got string'],
    [[], 'invalid event: a function URL event (payload format 2.0) is an object, got array'],
    [{ rawPath: '/probe' }, 'invalid event: no requestContext.http.method (not a function URL event, payload format 2.0)'],
    [{ ...FIXTURE, requestContext: { http: null } }, 'invalid event: no requestContext.http.method (not a function URL event, payload format 2.0)'],
    [{ ...FIXTURE, rawPath: undefined }, 'invalid event: rawPath must be a string starting with "/", got undefined'],
    [{ ...FIXTURE, rawPath: 42 }, 'invalid event: rawPath must be a string starting with "/", got number'],
    [{ ...FIXTURE, rawPath: 'probe' }, 'invalid event: rawPath must be a string starting with "/", got "probe"'],
    [{ ...FIXTURE, rawQueryString: ['a'] }, 'invalid event: rawQueryString must be a string, got array'],
    [{ ...FIXTURE, headers: 'authorization: x' }, 'invalid event: headers must be an object, got string'],
    [{ ...FIXTURE, headers: { authorization: ['Bearer a'] } }, 'invalid event: header "authorization" must be a string, got array'],
    [{ ...FIXTURE, headers: { 'x\u2028y': 1 } }, 'invalid event: header "x\\u2028y" must be a string, got number'],
  ];
  for (const [event, problem] of invalid) {
    it(`says what is wrong with ${JSON.stringify(event)?.slice(0, 60)}`, () => {
      assert.deepEqual(readFunctionUrlEvent(event), { problem });
    });
  }

  it('never throws: any partial event gives a request or one short line (property)', () => {
    fc.assert(
      fc.property(fc.oneof(partialEvent, fc.anything()), fc.anything(), (event, context) => {
        const read = readFunctionUrlEvent(event, context);
        if ('problem' in read) {
          assert.match(read.problem, /^invalid event: [^\n\r\u2028\u2029]+$/);
          assert.ok(read.problem.length < 200, read.problem);
        } else {
          assert.equal(typeof read.request.method, 'string');
          assert.ok(read.request.path.startsWith('/'));
          // The four headers the routes read, each a string or absent; no other name becomes a key.
          assert.deepEqual(Object.keys(read.request.headers).sort(), ['authorization', 'host', 'x-forwarded-proto', 'x-prometheus-scrape-timeout-seconds']);
          for (const value of Object.values(read.request.headers)) assert.ok(value === undefined || typeof value === 'string');
        }
      }),
      { numRuns: 3000 },
    );
  });
});
