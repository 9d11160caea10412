import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTH_TOKEN_TTL_SECONDS } from '../../lib/edges/auth-tokens.ts';
import { createRuntime } from '../../lib/runtime/runtime.ts';

// The runtime's config and its SSM tokens are reloaded every TTL; a reload whose text did not
// change keeps the value in force (the same object, not parsed again) and logs only at debug
// (lib/edges/cache/reloading-value.ts, docs/operations.md#logs-and-self-metrics).

const START_MS = 1_700_000_000_000;
const TTL_SECONDS = 10;
const configText = (...names: string[]) =>
  `pushgateway_url: http://pushgateway.test:9091\nconfig_ttl_seconds: ${TTL_SECONDS}\nservices: [${names.map((name) => `{name: ${name}}`).join(', ')}]\n`;

/** A runtime over a fake SSM holding `texts` (by parameter name), its clock moved by `at`, its log lines kept. */
function fakeRuntime(texts: Map<string, string>) {
  let nowMs = START_MS;
  const lines: { level: string; msg: string; unchanged?: boolean }[] = [];
  const runtime = createRuntime({
    kind: 'settings',
    settings: {
      logging: { level: 'debug' }, configSource: { kind: 'ssm', parameter: '/exporter/config' }, configOverrides: {},
      authTokens: [], authTokenParameter: '/exporter/tokens', refreshAhead: false,
    },
  }, {
    clock: () => nowMs,
    monotonicMs: () => nowMs - START_MS,
    writeLog: (line) => lines.push(JSON.parse(line) as (typeof lines)[number]),
    ssm: { read: async (name) => texts.get(name) ?? '' },
    pushgateway: { fetchMetrics: async () => ({ bytes: 0, bodyBytes: 0 }), close: async () => undefined },
  });
  const loaded = (msg: string) => lines.filter((line) => line.msg === msg).map((line) => `${line.level}${line.unchanged === true ? ' unchanged' : ''}`);
  return { runtime, loaded, at: (ms: number) => { nowMs = START_MS + ms; } };
}

describe('the runtime\'s reloads', () => {
  it('keeps the config object in force while its text is the same, and makes a new one when it changes', async () => {
    const texts = new Map([['/exporter/config', configText('a')], ['/exporter/tokens', 'token-one']]);
    const fake = fakeRuntime(texts);
    const first = (await fake.runtime.config.read()).value;
    assert.equal(first?.services.size, 1);
    fake.at(TTL_SECONDS * 1000);
    assert.equal((await fake.runtime.config.read()).value, first, 'the same text: the same object');
    texts.set('/exporter/config', configText('a', 'b'));
    fake.at(2 * TTL_SECONDS * 1000);
    const changed = (await fake.runtime.config.read()).value;
    assert.notEqual(changed, first);
    assert.equal(changed?.services.size, 2);
    assert.deepEqual(fake.loaded('config loaded'), ['info', 'debug unchanged', 'info']);
  });

  it('logs an SSM token reload that read the same tokens at debug, and one that read new tokens at info', async () => {
    const texts = new Map([['/exporter/config', configText('a')], ['/exporter/tokens', 'token-one']]);
    const fake = fakeRuntime(texts);
    assert.deepEqual((await fake.runtime.auth.read()).tokens, ['token-one']);
    fake.at(AUTH_TOKEN_TTL_SECONDS * 1000);
    assert.deepEqual((await fake.runtime.auth.read()).tokens, ['token-one']);
    texts.set('/exporter/tokens', 'token-one,token-two');
    fake.at(2 * AUTH_TOKEN_TTL_SECONDS * 1000);
    assert.deepEqual((await fake.runtime.auth.read()).tokens, ['token-one', 'token-two']);
    assert.deepEqual(fake.loaded('bearer tokens loaded'), ['info', 'debug unchanged', 'info']);
  });
});
