import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import type { ExporterEnvironment } from '../../lib/runtime/environment-settings.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest, ROUTES, type HttpRequest } from '../../lib/http/routes.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

// Only the exporter's long-standing interface (createRuntime, handleRequest), so these tests run
// unchanged against the code before the fix. No Pushgateway here: /metrics and /-/healthy answer without one, and every case below is decided
// before a probe would read it.
const BASE: ExporterEnvironment = { CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'info' };

const request = (path: string, authorization?: string): HttpRequest => ({
  method: 'GET', path, query: new URLSearchParams(path === '/probe' ? 'target=service1' : ''), headers: authorization === undefined ? {} : { authorization },
});

describe('the environment decides auth: set but holding no token is a refusal, never an open door', () => {
  const runtimes: Runtime[] = [];
  const logs: string[] = [];
  const runtimeWith = (env: ExporterEnvironment): Runtime => {
    const made = runtimeFromEnvironment({ ...BASE, ...env }, { cwd: PROJECT_ROOT, writeLog: (line) => logs.push(line) });
    runtimes.push(made);
    return made;
  };
  after(async () => Promise.all(runtimes.map((runtime) => runtime.close())));

  for (const value of [' ', ',', ' , ', ',,', '\t\n', ' ,\t, ']) {
    it(`answers 503 on every route, /-/healthy too, naming AUTH_TOKEN, when AUTH_TOKEN=${JSON.stringify(value)}`, async () => {
      const runtime = runtimeWith({ AUTH_TOKEN: value });
      for (const route of ROUTES) {
        for (const authorization of [undefined, 'Bearer ', `Bearer ${value}`, 'Bearer x']) {
          const response = await handleRequest(request(route.path, authorization), runtime);
          assert.equal(response.status, 503, `${route.path} with ${JSON.stringify(authorization)}`);
          assert.equal(response.body, 'exporter misconfigured: AUTH_TOKEN holds no token (only commas or white space): give one or more tokens separated by commas, or leave it empty\n');
        }
      }
      assert.equal((await handleRequest(request('/elsewhere'), runtime)).status, 503);
    });
  }

  it('treats exactly "" as unset (serverless.yml maps an unset variable to ""): no auth, as before', async () => {
    const runtime = runtimeWith({ AUTH_TOKEN: '', AUTH_TOKEN_SSM_PARAMETER: '', PUSHGATEWAY_BEARER_TOKEN: '', CONFIG_SSM_PARAMETER: '' });
    assert.equal(runtime.startupProblem, undefined);
    assert.equal((await handleRequest(request('/metrics'), runtime)).status, 200);
  });

  it('accepts a token with spaces only whole: "Bearer horse" no longer opens AUTH_TOKEN="correct horse battery staple"', async () => {
    const runtime = runtimeWith({ AUTH_TOKEN: 'correct horse battery staple' });
    for (const wrong of ['Bearer horse', 'Bearer correct', 'Bearer staple', 'Bearer correct horse', undefined]) {
      assert.equal((await handleRequest(request('/metrics', wrong), runtime)).status, 401, String(wrong));
    }
    assert.equal((await handleRequest(request('/metrics', 'Bearer correct horse battery staple'), runtime)).status, 200);
    assert.equal((await handleRequest(request('/metrics', 'bearer   correct horse battery staple  '), runtime)).status, 200);
  });

  const refusals: [ExporterEnvironment, RegExp][] = [
    [{ AUTH_TOKEN: 'f1rst-t0k3n\ns3cond-t0k3n' }, /^AUTH_TOKEN: token 1 holds a character other than printable ASCII \(a line break or tab\?\): separate tokens with commas$/],
    [{ AUTH_TOKEN_SSM_PARAMETER: '  ' }, /^AUTH_TOKEN_SSM_PARAMETER holds only white space: name the SSM parameter holding the bearer tokens, or leave it empty$/],
    [{ CONFIG_SSM_PARAMETER: ' ' }, /^CONFIG_SSM_PARAMETER holds only white space: name the SSM parameter holding the config, or leave it empty to read CONFIG_FILE$/],
    [{ PUSHGATEWAY_BEARER_TOKEN: ' \t ' }, /^PUSHGATEWAY_BEARER_TOKEN holds only white space: give the token, or leave it empty$/],
    [{ PUSHGATEWAY_BEARER_TOKEN: 'pg\r\nt0k3n' }, /^PUSHGATEWAY_BEARER_TOKEN holds a character other than printable ASCII/],
    [{ AUTH_TOKEN: ',', PUSHGATEWAY_BEARER_TOKEN: ' ' }, /^AUTH_TOKEN holds no token .*; PUSHGATEWAY_BEARER_TOKEN holds only white space/],
  ];
  for (const [env, line] of refusals) {
    it(`refuses every request, in one line naming the variable, with ${JSON.stringify(env)}`, async () => {
      logs.length = 0;
      const runtime = runtimeWith(env);
      assert.match(runtime.startupProblem ?? '', line);
      for (const path of ['/-/healthy', '/metrics', '/probe']) {
        const response = await handleRequest(request(path), runtime);
        assert.equal(response.status, 503, path);
        assert.equal(response.body.trimEnd().split('\n').length, 1);
      }
      assert.ok(logs.every((entry) => JSON.parse(entry).status === 503 && JSON.parse(entry).level === 'error'), logs.join('\n'));
      assert.ok(!logs.join('\n').includes('t0k3n'), 'never a value in the logs');
    });
  }

  it('never serves a protected route without a token for any non-empty AUTH_TOKEN (property, hostile values)', async () => {
    const value = fc.array(
      fc.oneof(fc.constantFrom(' ', ',', '\t', '\n', 'é', '\u0000', '\u2028', 'tok', 'a b'), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })),
      { minLength: 1, maxLength: 8 },
    ).map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(value, fc.constantFrom(undefined, 'Bearer ', 'Bearer , ', 'Basic x'), async (authToken, authorization) => {
        const runtime = runtimeFromEnvironment({ ...BASE, LOG_LEVEL: 'error', AUTH_TOKEN: authToken }, { cwd: PROJECT_ROOT });
        try {
          assert.ok(runtime.auth.enabled || runtime.startupProblem !== undefined, JSON.stringify(authToken));
          const response = await handleRequest(request('/metrics', authorization), runtime);
          assert.ok(response.status === 401 || response.status === 503, `${response.status} for AUTH_TOKEN=${JSON.stringify(authToken)}`);
          // Fixed lines only: the value never reaches an answer.
          assert.match(response.body, /^(missing or wrong bearer token: send Authorization: Bearer <token>|exporter misconfigured: AUTH_TOKEN( holds no token \(only commas or white space\): give one or more tokens separated by commas, or leave it empty|: token \d+ holds a character other than printable ASCII \(a line break or tab\?\): separate tokens with commas))\n$/);
        } finally {
          await runtime.close();
        }
      }),
      { numRuns: 300 },
    );
  });
});
