import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readRawHeaders, RequestHeaderSet, type RequestHeaders } from '../../lib/http/request-headers.ts';

// The headers the routes read (docs/security-model.md#what-a-caller-can-and-cannot-do): four names
// in any case, a repeated one joined with ", ", every other name skipped.

const READ = ['host', 'authorization', 'x-forwarded-proto', 'x-prometheus-scrape-timeout-seconds'] as const;

/** What the routes should see: each read name's values, in the order sent, joined by ", ". */
function model(raw: readonly string[]): Record<string, string | undefined> {
  const seen: Record<string, string[]> = {};
  for (let at = 0; at + 1 < raw.length; at += 2) {
    const name = raw[at]!.toLowerCase();
    if ((READ as readonly string[]).includes(name)) (seen[name] ??= []).push(raw[at + 1]!);
  }
  return Object.fromEntries(READ.map((name) => [name, seen[name]?.join(', ')]));
}

const asRecord = (headers: RequestHeaders): Record<string, string | undefined> => Object.fromEntries(READ.map((name) => [name, headers[name]]));

describe('readRawHeaders', () => {
  it('reads the four names in any case, joins a repeated one with ", " and skips the rest', () => {
    const headers = readRawHeaders([
      'Authorization', 'Bearer a', 'HOST', 'exporter:9116', 'User-Agent', 'Prometheus/2.53', 'authorization', 'Bearer b',
      'X-Prometheus-Scrape-Timeout-Seconds', '10', 'x-forwarded-proto', 'https', 'Accept', 'text/plain',
    ]);
    assert.deepEqual(asRecord(headers), { host: 'exporter:9116', authorization: 'Bearer a, Bearer b', 'x-forwarded-proto': 'https', 'x-prometheus-scrape-timeout-seconds': '10' });
  });

  it('gives undefined for a header not sent, and makes no key of any other name', () => {
    const headers = readRawHeaders(['constructor', 'x', '__proto__', 'y', 'toString', 'z', 'user-agent', 'curl', 'hosts', 'h', 'hos', 'h']);
    assert.deepEqual(asRecord(headers), { host: undefined, authorization: undefined, 'x-forwarded-proto': undefined, 'x-prometheus-scrape-timeout-seconds': undefined });
    assert.deepEqual(Object.keys(headers).sort(), [...READ].sort());
    assert.equal(Object.getPrototypeOf(headers), RequestHeaderSet.prototype);
  });

  it('ignores a name left without its value (an odd-length list)', () => {
    assert.equal(readRawHeaders(['Host', 'a', 'Authorization']).authorization, undefined);
    // A name already given keeps its value alone: nothing is joined to it.
    assert.equal(readRawHeaders(['Authorization', 'a', 'Authorization']).authorization, 'a');
  });

  it('agrees with reading every header and keeping the four (property-based)', () => {
    // Names near the read ones (same length, another case, one letter off) as well as arbitrary ones.
    const near = fc.constantFrom(...READ).chain((name) => fc.oneof(
      fc.constant(name),
      fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((upper) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')),
      fc.nat({ max: name.length - 1 }).map((i) => `${name.slice(0, i)}_${name.slice(i + 1)}`),
    ));
    const name = fc.oneof(near, fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 36 }));
    fc.assert(fc.property(fc.array(fc.tuple(name, fc.string({ maxLength: 20 })), { maxLength: 30 }), (pairs) => {
      const raw = pairs.flat();
      const headers = readRawHeaders(raw);
      assert.deepEqual(asRecord(headers), model(raw));
      assert.deepEqual(Object.keys(headers).sort(), [...READ].sort());
    }), { numRuns: 500 });
  });
});
