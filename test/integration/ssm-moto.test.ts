import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { motoRuntimes } from '../support/moto-runtimes.ts';
import { sampleValue } from '../support/processes.ts';
import { stateOf } from '../support/probe-state.ts';

// The SSM success paths against moto_server, which speaks the real SSM API: a SecureString is stored
// encrypted and handed out decrypted only on WithDecryption, and an ARN names the same parameter as
// its name. test/support/fake-ssm.ts stays for what moto cannot do: throttling, internal errors,
// AccessDenied, and recording the signed request on the wire (config-ssm.test.ts).

const probe = (target: string, token?: string): HttpRequest =>
  ({ method: 'GET', path: '/probe', query: new URLSearchParams({ target }), headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
const yamlFor = (services: readonly string[], extra = '') =>
  `pushgateway_url: "http://127.0.0.1:1"\nconfig_ttl_seconds: 30\nservices:\n${services.map((s) => `  - {name: ${s}${extra}}\n`).join('')}`;

describe('SSM Parameter Store through moto_server (real @aws-sdk/client-ssm, real SSM API)', () => {
  const ssm = motoRuntimes();
  const { logs } = ssm;
  let n = 0;
  /** A fresh parameter path per test: moto keeps what earlier tests put. */
  const fresh = (what: string): string => `/t${(n += 1)}/${what}`;
  const runtime = (env: Record<string, string>): Runtime => ssm.runtime({ LOG_LEVEL: 'debug', ...env });

  for (const type of ['String', 'SecureString'] as const) {
    for (const by of ['name', 'ARN'] as const) {
      it(`loads the config from a ${type} parameter named by ${by}`, async () => {
        const name = fresh('config');
        await ssm.moto.put(name, yamlFor(['billing']), type);
        const made = runtime({ CONFIG_SSM_PARAMETER: by === 'name' ? name : ssm.moto.arn(name) });
        const response = await handleRequest(probe('billing'), made);
        assert.equal(response.status, 200, response.body);
        assert.equal(sampleValue(response.body, 'probe_config_last_reload_successful'), 1);
        assert.equal(stateOf(response.body), 'unreachable', 'the config loaded; its Pushgateway is unreachable');
        assert.equal((await handleRequest(probe('other'), made)).status, 404);
      });

      it(`takes bearer tokens from a ${type} AUTH_TOKEN_SSM_PARAMETER named by ${by}, and picks up a rotation`, async () => {
        const config = fresh('config');
        const tokens = fresh('tokens');
        await ssm.moto.put(config, yamlFor(['billing']));
        await ssm.moto.put(tokens, 'old-token, new-token', type);
        const made = runtime({ CONFIG_SSM_PARAMETER: config, AUTH_TOKEN_SSM_PARAMETER: by === 'name' ? tokens : ssm.moto.arn(tokens) });
        assert.equal((await handleRequest(probe('billing', 'old-token'), made)).status, 200);
        assert.equal((await handleRequest(probe('billing', 'new-token'), made)).status, 200);
        assert.equal((await handleRequest(probe('billing', 'other'), made)).status, 401);
        assert.equal((await handleRequest(probe('billing'), made)).status, 401);
        await ssm.moto.put(tokens, 'new-token', type);
        ssm.advance(60_000);
        assert.equal((await handleRequest(probe('billing', 'old-token'), made)).status, 401);
        assert.equal((await handleRequest(probe('billing', 'new-token'), made)).status, 200);
        assert.ok(!logs.join('\n').includes('new-token'), 'tokens never logged');
      });
    }
  }

  it('reuses the config for config_ttl_seconds, then picks up a changed parameter (paused without a deploy)', async () => {
    const name = fresh('config');
    await ssm.moto.put(name, yamlFor(['billing']), 'SecureString');
    const made = runtime({ CONFIG_SSM_PARAMETER: ssm.moto.arn(name) });
    assert.equal(stateOf((await handleRequest(probe('billing'), made)).body), 'unreachable');
    await ssm.moto.put(name, yamlFor(['billing'], ', paused: true'), 'SecureString');
    ssm.advance(29_000);
    assert.equal(stateOf((await handleRequest(probe('billing'), made)).body), 'unreachable', 'within config_ttl_seconds');
    ssm.advance(1_000);
    const paused = await handleRequest(probe('billing'), made);
    assert.equal(stateOf(paused.body), 'paused');
    assert.equal(sampleValue(paused.body, 'probe_success'), 1);
  });

  it('answers 503 with moto\'s own ParameterNotFound before any config loaded, and keeps the last good one when the parameter goes', async () => {
    const missing = await handleRequest(probe('billing'), runtime({ CONFIG_SSM_PARAMETER: fresh('never-put') }));
    assert.equal(missing.status, 503);
    assert.match(missing.body, /^no config loaded: cannot read SSM parameter \/t\d+\/never-put: ParameterNotFound: .*\n$/);

    const name = fresh('config');
    await ssm.moto.put(name, yamlFor(['billing']));
    const made = runtime({ CONFIG_SSM_PARAMETER: name });
    assert.equal(sampleValue((await handleRequest(probe('billing'), made)).body, 'probe_config_last_reload_successful'), 1);
    await ssm.moto.remove(name);
    ssm.advance(60_000);
    const kept = await handleRequest(probe('billing'), made);
    assert.equal(kept.status, 200);
    assert.equal(sampleValue(kept.body, 'probe_config_last_reload_successful'), 0);
    assert.ok(logs.some((line) => line.includes('"config load failed"') && line.includes('ParameterNotFound')), logs.join('\n'));
  });
});
