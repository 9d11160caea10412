import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { motoRuntimes } from '../support/moto-runtimes.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const TOKENS = '/exporter/tokens';

const metrics = (authorization?: string): HttpRequest =>
  ({ method: 'GET', path: '/metrics', query: new URLSearchParams(), headers: authorization === undefined ? {} : { authorization } });

describe('bearer tokens from AUTH_TOKEN_SSM_PARAMETER (real @aws-sdk/client-ssm, moto_server)', () => {
  const ssm = motoRuntimes();
  const { logs } = ssm;
  const runtime = (): Runtime => ssm.runtime(
    { CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: 'http://127.0.0.1:1', AUTH_TOKEN_SSM_PARAMETER: TOKENS, LOG_LEVEL: 'info' },
    PROJECT_ROOT,
  );

  for (const value of [' ', ',', ' , ', '\n', ',\n,']) {
    it(`keeps every protected route closed, and logs why, when the parameter holds ${JSON.stringify(value)}`, async () => {
      await ssm.moto.put(TOKENS, value, 'SecureString');
      const made = runtime();
      for (const authorization of [undefined, 'Bearer ', `Bearer ${value}`, 'Bearer x']) {
        const response = await handleRequest(metrics(authorization), made);
        assert.equal(response.status, 503, JSON.stringify(authorization));
        assert.equal(response.body, 'bearer tokens not loaded yet; see the exporter logs\n');
      }
      const failures = logs.filter((line) => line.includes('"msg":"bearer tokens load failed"'));
      assert.equal(failures.length, 1, logs.join('\n'));
      assert.match(failures[0] ?? '', /"error":"SSM parameter \/exporter\/tokens holds no token \(only commas or white space\): put one or more tokens separated by commas in it"/);
      assert.equal((await handleRequest({ ...metrics(), path: '/-/healthy' }, made)).status, 200);
    });
  }

  it('takes a token with spaces whole, and a line break between tokens as a mistake, not two tokens', async () => {
    await ssm.moto.put(TOKENS, ' correct horse battery staple ,\tother-token\n', 'SecureString');
    const made = runtime();
    assert.equal((await handleRequest(metrics('Bearer correct horse battery staple'), made)).status, 200);
    assert.equal((await handleRequest(metrics('Bearer other-token'), made)).status, 200);
    assert.equal((await handleRequest(metrics('Bearer horse'), made)).status, 401);

    await ssm.moto.put(TOKENS, 'new-t0ken\nnewer-t0ken', 'SecureString');
    const split = runtime();
    for (const token of ['new-t0ken', 'newer-t0ken', 'new-t0ken\nnewer-t0ken']) {
      assert.equal((await handleRequest(metrics(`Bearer ${token}`), split)).status, 503, token);
    }
    assert.ok(logs.some((line) => line.includes('SSM parameter /exporter/tokens: token 1 holds a character other than printable ASCII (a line break or tab?): separate tokens with commas')), logs.join('\n'));
    assert.ok(!logs.join('\n').includes('t0ken') && !logs.join('\n').includes('horse'), 'tokens never logged');
  });

  it('keeps the last good tokens in force (never opens) when the parameter is later emptied', async () => {
    await ssm.moto.put(TOKENS, 'good-token', 'SecureString');
    const made = runtime();
    assert.equal((await handleRequest(metrics('Bearer good-token'), made)).status, 200);
    await ssm.moto.put(TOKENS, ' , ', 'SecureString');
    ssm.advance(61_000);
    assert.equal((await handleRequest(metrics(), made)).status, 401);
    assert.equal((await handleRequest(metrics('Bearer good-token'), made)).status, 200);
    assert.ok(logs.some((line) => line.includes('"msg":"bearer tokens load failed"') && line.includes('holds no token')), logs.join('\n'));
  });
});
