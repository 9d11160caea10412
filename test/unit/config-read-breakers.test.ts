import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { CliCommand } from '../../lib/cli/cli-command.ts';
import { parseCli } from '../../lib/cli/parse-cli.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError, PushgatewayError } from '../../lib/core/errors.ts';
import { PushgatewayReader } from '../../lib/edges/pushgateway/pushgateway-reader.ts';

/** Values check-config used to accept although every read with them fails (attack finding 6). */
function problemsOf(yaml: string, overrides: { pushgatewayUrl?: string } = {}): readonly string[] {
  try {
    parseConfig(yaml, overrides);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const SERVICES = 'services: [{name: a}]\n';
const withUrl = (url: string): string => `pushgateway_url: ${JSON.stringify(url)}\n${SERVICES}`;

describe('config › values that would break every read', () => {
  it('refuses a "%" in the URL credentials that is not percent-encoding, without echoing them', () => {
    const problems = problemsOf(withUrl('http://user:50%off@127.0.0.1:19091'));
    assert.equal(problems.length, 1);
    assert.match(problems[0] as string, /^pushgateway_url: has a "%" in its user or password that is not percent-encoding: write "%" as "%25"/);
    assert.ok(!(problems[0] as string).includes('50%off'), 'the password is never shown');
    // Proper percent-encoding is fine.
    assert.deepEqual(problemsOf(withUrl('http://user:50%25off@127.0.0.1:19091')), []);
  });

  for (const url of ['http://127.0.0.1:19091#x', 'http://127.0.0.1:19091/#x', 'http://127.0.0.1:19091/?a=b', 'http://127.0.0.1:19091?', 'http://127.0.0.1:19091/#']) {
    it(`refuses a query or fragment: ${url}`, () => {
      assert.deepEqual(problemsOf(withUrl(url)), [
        `pushgateway_url: must not have a ?query or #fragment (paths such as /metrics are appended to it), got ${JSON.stringify(url.replace(/[?#].*$/, ''))} and a ?query or #fragment (not shown: it may hold a token)`,
      ]);
      assert.equal(problemsOf(withUrl('http://127.0.0.1:9091'), { pushgatewayUrl: url }).length, 1, 'PUSHGATEWAY_URL too');
    });
  }

  it('refuses the same URLs in the CLI\'s --pushgateway and PUSHGATEWAY_URL', () => {
    const error = (argv: string[], env: Record<string, string>): string => {
      const command = parseCli(argv, env);
      assert.equal(command.kind, 'usage-error', JSON.stringify(command));
      return (command as Extract<CliCommand, { kind: 'usage-error' }>).message;
    };
    assert.match(error(['push', '--service', 's', '--pushgateway', 'http://pg:9091/#x'], {}), /--pushgateway must not have a \?query or #fragment/);
    assert.match(error(['push', '--service', 's'], { PUSHGATEWAY_URL: 'http://pg:9091/?a=b' }), /PUSHGATEWAY_URL must not have a \?query or #fragment/);
    assert.match(error(['push', '--service', 's'], { PUSHGATEWAY_URL: 'http://u:1%zz@pg:9091' }), /PUSHGATEWAY_URL has a "%" in its user or password/);
  });

  it('refuses max_body_bytes below 64 KiB (an empty Pushgateway sends ~10.5 KB) and timeout_seconds below 0.1 s', () => {
    assert.deepEqual(problemsOf(`pushgateway_url: "http://pg:9091"\nmax_body_bytes: 1024\ntimeout_seconds: 0.001\n${SERVICES}`), [
      'timeout_seconds: must be between 0.1 and 300 seconds, got 0.001',
      'max_body_bytes: must be a whole number between 65536 and 268435456 bytes (256 MiB, the largest body the read path supports), got 1024',
    ]);
    const edges = parseConfig(`pushgateway_url: "http://pg:9091"\nmax_body_bytes: 65536\ntimeout_seconds: 0.1\n${SERVICES}`);
    assert.deepEqual([edges.maxBodyBytes, edges.timeoutSeconds], [65536, 0.1]);
  });
});

describe('PushgatewayReader › a URL the config check would refuse', () => {
  it('fails the read with a PushgatewayError naming the fix, never a bare "URI malformed"', async () => {
    const server = createServer((_req, res) => res.end('x 1\n'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const client = new PushgatewayReader();
    try {
      const read = client.fetchMetrics(`http://user:50%off@127.0.0.1:${port}`, { timeoutMs: 1000, maxBodyBytes: 65536 }, () => undefined);
      await assert.rejects(read, (error: unknown) => {
        assert.ok(error instanceof PushgatewayError, `a PushgatewayError, got ${String(error)}`);
        assert.equal(error.code, 'PUSHGATEWAY_UNREACHABLE');
        assert.match(error.message, /has a "%" in its user or password that is not percent-encoding: write "%" as "%25"/);
        assert.ok(!error.message.includes('50%off'));
        return true;
      });
    } finally {
      await client.close();
      server.close();
    }
  });
});
