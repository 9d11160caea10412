import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FieldReader, Problems } from '../../lib/core/config/field-rules.ts';
import { MAX_PUSHGATEWAYS, shardOf } from '../../lib/core/config/pushgateway-urls.ts';
import { validated, validationProblems, withGateway } from '../support/config-problems.ts';

// The list of Pushgateways and a shard of it at every edge, each problem word for word
// (docs/high-availability.md). Written for the mutation run (docs/testing.md#mutation-score).

const A = 'http://a:9091';
const B = 'http://b:9091';
const urlsOf = (count: number): string[] => Array.from({ length: count }, (_, index) => `http://gateway-${index}:9091`);
/** A shard no list read names: checked only when the list itself is right. */
const ELSEWHERE = { defaults: { pushgateways: ['http://elsewhere:9091'] } };

describe('pushgateway_url as a list', () => {
  it('reads up to 10 Pushgateways, and names an 11th', () => {
    assert.equal(MAX_PUSHGATEWAYS, 10);
    assert.deepEqual(validated({ pushgateway_url: urlsOf(10) }).pushgatewayUrls, urlsOf(10));
    assert.deepEqual(validationProblems({ pushgateway_url: urlsOf(11) }), ['pushgateway_url: names 11 Pushgateways; at most 10 are read']);
    assert.deepEqual(validationProblems({}, { pushgatewayUrl: urlsOf(11).join(',') }), ['PUSHGATEWAY_URL (environment): names 11 Pushgateways; at most 10 are read']);
  });

  it('names an empty item as such, and a first empty item of PUSHGATEWAY_URL', () => {
    assert.deepEqual(validationProblems({ pushgateway_url: [A, ''] }), ['pushgateway_url[1]: must be a non-empty string, got ""']);
    assert.deepEqual(validationProblems({ pushgateway_url: 5 }), ['pushgateway_url: must be a non-empty string, got 5']);
    assert.deepEqual(validationProblems({}, { pushgatewayUrl: `,${A}` }), ['PUSHGATEWAY_URL (environment): item 1 of the comma-separated list is empty']);
  });

  it('names a duplicate without showing a URL with credentials', () => {
    assert.deepEqual(validationProblems({ pushgateway_url: ['http://u:p@a:9091', 'http://u:p@a:9091/'] }), [
      'pushgateway_url[1]: duplicate Pushgateway URL a URL with "@" (not shown: it may hold credentials) (item 1 names it already)',
    ]);
  });

  it('names the item that differs from an earlier one only in its credentials, by both paths', () => {
    const twice = (path: string, earlier: string): string => `${path}: differs from ${earlier} only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once`;
    assert.deepEqual(validationProblems({ pushgateway_url: ['http://u:p@a:9091', A] }), [twice('pushgateway_url[1]', 'pushgateway_url[0]')]);
    assert.deepEqual(validationProblems({ pushgateway_url: [B, A, 'http://u:p@a:9091'] }), [twice('pushgateway_url[2]', 'pushgateway_url[1]')]);
  });

  it('leaves every shard unchecked once an item of the list is wrong, whatever is wrong with it', () => {
    const cases: [unknown, string][] = [
      [[5, A], 'pushgateway_url[0]: must be a non-empty string, got 5'],
      [['ftp://x', A], 'pushgateway_url[0]: must be an http:// or https:// URL, got "ftp://x"'],
      [[A, A], `pushgateway_url[1]: duplicate Pushgateway URL "${A}" (item 1 names it already)`],
      [['http://u:p@a:9091', A], 'pushgateway_url[1]: differs from pushgateway_url[0] only in its credentials: that is one Pushgateway read twice, and answers name Pushgateways without credentials; name each Pushgateway once'],
    ];
    for (const [list, problem] of cases) assert.deepEqual(validationProblems({ pushgateway_url: list, ...ELSEWHERE }), [problem], JSON.stringify(list));
    assert.deepEqual(validationProblems({ pushgateway_url: 5, ...ELSEWHERE }), ['pushgateway_url: must be a non-empty string, got 5']);
  });
});

describe('shardOf', () => {
  /** What `shardOf` gives for `pushgateways: value` against the list `urls`, and the problems. */
  function shardAgainst(urls: readonly string[] | undefined, value: unknown): { value: readonly string[] | undefined; problems: string[] } {
    const problems = new Problems();
    return { value: shardOf(new FieldReader({ pushgateways: value }, 'defaults.', problems), urls), problems: problems.list };
  }
  const shard = (value: unknown): ReturnType<typeof shardAgainst> => shardAgainst([A, B], value);

  it('drops every trailing slash before comparing', () => {
    assert.deepEqual(shard([`${A}//`, `${B}/`]), { value: [A, B], problems: [] });
  });

  it('names an item that is not a non-empty string, or not one of the list, or given twice, and gives no shard then', () => {
    assert.deepEqual(shard([A, 5, '']), { value: undefined, problems: ['defaults.pushgateways[1]: must be a non-empty string, got 5', 'defaults.pushgateways[2]: must be a non-empty string, got ""'] });
    assert.deepEqual(shard([A, 'http://c:9091']), { value: undefined, problems: ['defaults.pushgateways[1]: "http://c:9091" is not one of the Pushgateways read (pushgateway_url, or PUSHGATEWAY_URL when set)'] });
    assert.deepEqual(shard([A, `${A}/`]), { value: undefined, problems: [`defaults.pushgateways[1]: names "${A}" twice`] });
    assert.deepEqual(shard(['http://u:p@c:9091']).problems, ['defaults.pushgateways[0]: a URL with "@" (not shown: it may hold credentials) is not one of the Pushgateways read (pushgateway_url, or PUSHGATEWAY_URL when set)']);
  });

  it('checks the items\' type but not their membership while the list is wrong', () => {
    assert.deepEqual(shardAgainst(undefined, ['http://c:9091', 5]), { value: undefined, problems: ['defaults.pushgateways[1]: must be a non-empty string, got 5'] });
  });

  it('reaches a service through validateConfig with its path', () => {
    const gateway = 'http://gateway:9091';
    assert.deepEqual(validationProblems(withGateway({ services: [{ name: 'a', pushgateways: [gateway, gateway] }] })), [`services[0].pushgateways[1]: names "${gateway}" twice`]);
  });
});
