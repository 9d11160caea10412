import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../../lib/cli/parse-cli.ts';

describe('pushgateway-exporter push with PUSHGATEWAY_BEARER_TOKEN', () => {
  const push = (token: string | undefined) =>
    parseCli(['push', '--service', 'billing'], { PUSHGATEWAY_URL: 'http://pushgateway:9091', PUSHGATEWAY_BEARER_TOKEN: token });

  it('sends the token trimmed, and none when it is unset or empty', () => {
    for (const [token, expected] of [[' pg-token\n', 'pg-token'], ['', undefined], [undefined, undefined]] as const) {
      const command = push(token);
      assert.equal(command.kind, 'push');
      assert.equal(command.kind === 'push' ? command.options.bearerToken : 'not a push', expected);
    }
  });

  it('is a usage error naming the variable, not a "Bearer " with nothing after it, when it holds only white space', () => {
    assert.deepEqual(push(' \t'), { kind: 'usage-error', message: 'push: PUSHGATEWAY_BEARER_TOKEN holds only white space: give the token, or leave it empty' });
  });
});
