import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isPlainQuery, parseQuery, type QueryParameters } from '../../lib/http/query-parameters.ts';

// parseQuery must read every query as URLSearchParams does: the routes' answers (400 for a
// repeated or empty target, the target itself, debug, format) depend on nothing else.

const RUNS = 3000;
/** Names the routes read, names that differ from them only by decoding, and some others. */
const NAMES = ['target', 'debug', 'format', 'Target', 'target ', ' target', 'tar get', 'tar+get', 'tar%67et', 'a', 'b', '', '?target', '=', '&'];
/** Pieces a query is made of, weighted towards what separates, escapes and decodes. */
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('target', 'debug', 'format', 'true', '1', 'svc42', 'a', 'b', '') },
  { weight: 6, arbitrary: fc.constantFrom('&', '=', '?', '+', '%', ';', '#', ' ', '/', ',') },
  { weight: 3, arbitrary: fc.constantFrom('%20', '%2B', '%26', '%3D', '%3F', '%67', '%zz', '%4', '%%', '%C3%A9', '%C3', '%FF', '%E2%82', '%ED%A0%80', '%00', '%7e', '%7E') },
  { weight: 2, arbitrary: fc.constantFrom('é', 'ü', '🙂', '\uD800', '\uDC00', '\u0000', '\u007f', '\u0080', '\u00ff', '\n', '\t') },
  { weight: 2, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const query = fc.array(piece, { maxLength: 24 }).map((pieces) => pieces.join(''));

/** Every name URLSearchParams finds in `text`, and the fixed ones. */
function namesOf(text: string): string[] {
  return [...new Set([...NAMES, ...new URLSearchParams(text).keys()])];
}

function assertReadsAsUrlSearchParams(text: string, parsed: QueryParameters = parseQuery(text)): void {
  const reference = new URLSearchParams(text);
  for (const name of namesOf(text)) {
    assert.deepEqual(parsed.getAll(name), reference.getAll(name), `getAll(${JSON.stringify(name)}) of ${JSON.stringify(text)}`);
    assert.equal(parsed.get(name), reference.get(name), `get(${JSON.stringify(name)}) of ${JSON.stringify(text)}`);
  }
}

describe('parseQuery', () => {
  it('gives what URLSearchParams gives for arbitrary queries, split here or handed over', () => {
    let plain = 0;
    let handedOver = 0;
    fc.assert(
      fc.property(query, (text) => {
        const parsed = parseQuery(text);
        if (isPlainQuery(parsed)) plain += 1;
        else handedOver += 1;
        assertReadsAsUrlSearchParams(text, parsed);
      }),
      { numRuns: RUNS },
    );
    // Both ways are exercised, each many times.
    assert.ok(plain > RUNS / 10, `${plain} queries split here`);
    assert.ok(handedOver > RUNS / 10, `${handedOver} queries handed to URLSearchParams`);
  });

  it('reads the queries the routes care about as URLSearchParams does', () => {
    const table = [
      '', '?', '??', '&', '&&', '=', '==', 'target', 'target=', 'target==a', 'target=a=b', 'target=svc42', 'target=svc42&debug=true',
      'debug=1&target=svc42', 'target=a&target=b', 'target=a&target=', 'target=&target=a', '?target=a', '??target=a', 'x?target=a',
      'target=a&&debug=true&', '&target=a', 'debug&target=a', 'target&debug=true', 'target=a;debug=true', 'target=a#frag', 'target=%61', 'target=a+b', 'target=a%2Bb',
      'target=%zz', 'target=%', 'target=%C3', 'target=%C3%A9', 'targ%65t=a', 'target=é', 'target=\uD800', 'format=json', 'format=JSON',
      `target=${'a'.repeat(100_000)}`, `${'&'.repeat(10_000)}target=a`, `target=${'%'.repeat(1000)}`, `${'x=1&'.repeat(5000)}target=a`,
    ];
    for (const text of table) assertReadsAsUrlSearchParams(text);
  });

  it('splits a plain query itself and hands one that needs decoding to URLSearchParams', () => {
    for (const text of ['target=svc42', 'target=svc42&debug=true', 'target=a;b', '?target=a', '']) assert.equal(isPlainQuery(parseQuery(text)), true, text);
    for (const text of ['target=a%20b', 'target=a+b', 'target=é', 'target=\uD800']) assert.equal(isPlainQuery(parseQuery(text)), false, text);
  });
});
