import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { MAX_PUSHGATEWAYS } from '../../lib/core/config/pushgateway-urls.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { parseCli } from '../../lib/cli/parse-cli.ts';

// docs/high-availability.md and docs/configuration.md: pushgateway_url as a list, PUSHGATEWAY_URL
// as a comma-separated list, and shards (pushgateways:) naming configured Pushgateways.

function problemsOf(text: string, overrides = {}): readonly string[] {
  try {
    parseConfig(text, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('config was accepted');
}

const LIST = 'pushgateway_url:\n  - http://pg-a:9091/\n  - http://pg-b:9091\n';

describe('several Pushgateways in the config', () => {
  it('reads pushgateway_url as one URL or a list, trailing slashes dropped', () => {
    assert.deepEqual(parseConfig('pushgateway_url: http://pg:9091/\n').pushgatewayUrls, ['http://pg:9091']);
    assert.deepEqual(parseConfig(LIST).pushgatewayUrls, ['http://pg-a:9091', 'http://pg-b:9091']);
  });

  it('reads PUSHGATEWAY_URL as a comma-separated list, spaces trimmed, over the config\'s own', () => {
    assert.deepEqual(parseConfig(LIST, { pushgatewayUrl: ' http://x:1 , http://y:2/' }).pushgatewayUrls, ['http://x:1', 'http://y:2']);
  });

  it('names the item at fault in one line, never echoing credentials', () => {
    assert.deepEqual(problemsOf(LIST, { pushgatewayUrl: 'http://x:1,,http://y:2' }), ['PUSHGATEWAY_URL (environment): item 2 of the comma-separated list is empty']);
    assert.deepEqual(problemsOf('pushgateway_url: [http://a:1, "http://a:1/"]\n'), ['pushgateway_url[1]: duplicate Pushgateway URL "http://a:1" (item 1 names it already)']);
    assert.deepEqual(problemsOf('pushgateway_url: []\n'), ['pushgateway_url: must name at least one Pushgateway URL']);
    assert.deepEqual(problemsOf('pushgateway_url: [http://a:1, 7]\n'), ['pushgateway_url[1]: must be a non-empty string, got 7']);
    const many = `pushgateway_url: [${Array.from({ length: MAX_PUSHGATEWAYS + 1 }, (_, i) => `http://pg${i}:9091`).join(', ')}]\n`;
    assert.deepEqual(problemsOf(many), [`pushgateway_url: names ${MAX_PUSHGATEWAYS + 1} Pushgateways; at most ${MAX_PUSHGATEWAYS} are read`]);
    const secret = problemsOf('pushgateway_url: ["http://u:hunter2@a:1", "http://u:hunter2@a:1"]\n');
    assert.equal(secret.length, 1);
    assert.ok(!secret[0]?.includes('hunter2'), secret[0]);
    const env = problemsOf(LIST, { pushgatewayUrl: 'http://a:1, ftp://u:hunter2@b:2' });
    assert.deepEqual(env.map((problem) => problem.includes('hunter2')), [false]);
    assert.match(env[0] ?? '', /^PUSHGATEWAY_URL \(environment\) item 2: must be an http/);
  });

  it('reads a shard per service or from defaults, each URL one of those read', () => {
    const config = parseConfig(`${LIST}defaults:\n  pushgateways: [http://pg-a:9091]\nservices:\n  - name: one\n  - name: two\n    pushgateways: ["http://pg-b:9091/"]\n`);
    assert.deepEqual(config.services.get('one')?.pushgateways, ['http://pg-a:9091']);
    assert.deepEqual(config.services.get('two')?.pushgateways, ['http://pg-b:9091']);
    assert.equal(parseConfig(`${LIST}services: [{name: all}]\n`).services.get('all')?.pushgateways, undefined, 'unsharded: every Pushgateway');
  });

  it('refuses a shard naming a Pushgateway not read, by its path, also when PUSHGATEWAY_URL replaced the list', () => {
    assert.deepEqual(problemsOf(`${LIST}services:\n  - name: one\n    pushgateways: [http://pg-c:9091]\n`), [
      'services[0].pushgateways[0]: "http://pg-c:9091" is not one of the Pushgateways read (pushgateway_url, or PUSHGATEWAY_URL when set)',
    ]);
    assert.deepEqual(problemsOf(`${LIST}defaults: {pushgateways: [http://pg-a:9091]}\n`, { pushgatewayUrl: 'http://other:9091' }), [
      'defaults.pushgateways[0]: "http://pg-a:9091" is not one of the Pushgateways read (pushgateway_url, or PUSHGATEWAY_URL when set)',
    ]);
    assert.deepEqual(problemsOf(`${LIST}services: [{name: one, pushgateways: []}]\n`), ['services[0].pushgateways: must be a non-empty list of Pushgateway URLs from pushgateway_url, got a list']);
  });

  it('checks the file\'s pushgateway_url even when PUSHGATEWAY_URL overrides it', () => {
    const env = { pushgatewayUrl: 'http://127.0.0.1:9091' };
    assert.deepEqual(problemsOf('pushgateway_url: 5\nservices: []\n', env), ['pushgateway_url: must be a non-empty string, got 5']);
    assert.deepEqual(problemsOf('pushgateway_url: "ftp://nope"\nservices: []\n', env), ['pushgateway_url: must be an http:// or https:// URL, got "ftp://nope"']);
    assert.deepEqual(parseConfig('services: []\n', env).pushgatewayUrls, ['http://127.0.0.1:9091']);
  });

  it('never echoes a URL with credentials that landed under the wrong key, typed or through a YAML alias', () => {
    const problems = problemsOf(
      'pushgateway_url: &pg "http://user:s3cretpw@pg-a:9091"\nservices:\n  - name: one\n    pushgateways: "http://user:s3cretpw@pg-a:9091"\n  - name: two\n    freshness_threshold_seconds: *pg\n',
    );
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.equal(problems[0], 'services[0].pushgateways: must be a non-empty list of Pushgateway URLs from pushgateway_url, got a value with "@" (not shown: it may hold credentials)');
    assert.match(problems[1] ?? '', /^services\[1\]\.freshness_threshold_seconds: must be .*, got a value with "@" \(not shown: it may hold credentials\)$/);
    assert.ok(!problems.join('\n').includes('s3cretpw'));
  });
});

describe('push to several Pushgateways (arguments)', () => {
  const urlsOf = (args: readonly string[], env: { PUSHGATEWAY_URL?: string } = {}): unknown => {
    const command = parseCli(['push', '--service', 's', ...args], env);
    return command.kind === 'push' ? command.options.pushgatewayUrls : command;
  };

  it('takes --pushgateway repeated or as a comma list, else PUSHGATEWAY_URL\'s list', () => {
    assert.deepEqual(urlsOf(['--pushgateway', 'http://a:1', '--pushgateway', 'http://b:2,http://c:3']), ['http://a:1', 'http://b:2', 'http://c:3']);
    assert.deepEqual(urlsOf([], { PUSHGATEWAY_URL: 'http://a:1, http://b:2' }), ['http://a:1', 'http://b:2']);
  });

  it('refuses an empty item or the same Pushgateway twice in one line', () => {
    assert.deepEqual(urlsOf(['--pushgateway', 'http://a:1,']), { kind: 'usage-error', message: 'push: --pushgateway: item 2 of the comma-separated list is empty' });
    assert.deepEqual(urlsOf(['--pushgateway', 'http://a:1', '--pushgateway', 'http://a:1/']), { kind: 'usage-error', message: 'push: --pushgateway names the same Pushgateway twice' });
    assert.deepEqual(urlsOf(['--pushgateway', 'http://user:A@a:1,http://u2:B@a:1']), { kind: 'usage-error', message: 'push: --pushgateway names the same Pushgateway twice' });
  });
});
