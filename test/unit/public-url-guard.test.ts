import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';

const require = createRequire(import.meta.url);
const { publicUrlProblem } = require('../../scripts/serverless-public-url-guard.cjs') as {
  publicUrlProblem: (env: Record<string, string | undefined>) => string | undefined;
};

const NO_TOKEN = 'refusing to package a public function URL with no bearer token: set AUTH_TOKEN (comma-separated tokens) or AUTH_TOKEN_SSM_PARAMETER (an SSM parameter holding them), or ALLOW_PUBLIC_FUNCTION_URL=true to publish it without auth on purpose';

describe('publicUrlProblem (serverless package/deploy guard)', () => {
  it('refuses a function URL with no token source, in one line naming the three variables', () => {
    for (const env of [{}, { AUTH_TOKEN: '' }, { AUTH_TOKEN: '', AUTH_TOKEN_SSM_PARAMETER: '' }, { ALLOW_PUBLIC_FUNCTION_URL: 'false' }, { ALLOW_PUBLIC_FUNCTION_URL: '' }]) {
      assert.equal(publicUrlProblem(env), NO_TOKEN, JSON.stringify(env));
    }
  });

  it('refuses AUTH_TOKEN holding no token even with ALLOW_PUBLIC_FUNCTION_URL=true: that function would answer 503 to everything', () => {
    for (const env of [{ AUTH_TOKEN: ' , ' }, { AUTH_TOKEN: ' ', ALLOW_PUBLIC_FUNCTION_URL: 'true' }, { AUTH_TOKEN: ',', AUTH_TOKEN_SSM_PARAMETER: '/t' }]) {
      const problem = publicUrlProblem(env) ?? '';
      assert.match(problem, /^refusing to package: AUTH_TOKEN holds no token \(only commas or white space\), so the function would answer 503 to every request; /);
      for (const name of ['AUTH_TOKEN_SSM_PARAMETER', 'ALLOW_PUBLIC_FUNCTION_URL=true']) assert.ok(problem.includes(name), name);
    }
  });

  it('allows a token, a token parameter, or a public URL asked for on purpose', () => {
    for (const env of [{ AUTH_TOKEN: 'secret' }, { AUTH_TOKEN: 'correct horse battery staple' }, { AUTH_TOKEN_SSM_PARAMETER: '/exporter/tokens' }, { ALLOW_PUBLIC_FUNCTION_URL: 'true' }]) {
      assert.equal(publicUrlProblem(env), undefined, JSON.stringify(env));
    }
  });

  it('refuses what the function itself would refuse, and a flag that is neither true nor false', () => {
    assert.equal(publicUrlProblem({ ALLOW_PUBLIC_FUNCTION_URL: 'yes' }), 'refusing to package: ALLOW_PUBLIC_FUNCTION_URL must be true or false, got "yes"');
    assert.match(publicUrlProblem({ AUTH_TOKEN_SSM_PARAMETER: ' ' }) ?? '', /^refusing to package: the function would answer 503 to every request: AUTH_TOKEN_SSM_PARAMETER holds only white space/);
    assert.match(publicUrlProblem({ AUTH_TOKEN: 'a', PUSHGATEWAY_BEARER_TOKEN: ' ' }) ?? '', /PUSHGATEWAY_BEARER_TOKEN holds only white space/);
    assert.match(publicUrlProblem({ AUTH_TOKEN: 'a\nb' }) ?? '', /AUTH_TOKEN: token 1 holds a character other than printable ASCII/);
  });

  it('never lets a non-empty AUTH_TOKEN without a token through, and never shows a value (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(' ', ',', '\t', '\n', 'k', 'é', '\u0000'), minLength: 1, maxLength: 12 }), fc.constantFrom(undefined, '', 'true', 'false'), (token, allow) => {
        const problem = publicUrlProblem({ AUTH_TOKEN: token, ALLOW_PUBLIC_FUNCTION_URL: allow });
        const hasToken = token.split(',').some((part) => /^[\x20-\x7e]+$/.test(part.trim()));
        const clean = token.split(',').every((part) => part.trim() === '' || /^[\x20-\x7e]+$/.test(part.trim()));
        assert.equal(problem === undefined, hasToken && clean, JSON.stringify({ token, problem }));
        if (problem !== undefined) assert.ok(!problem.includes('kk') && !problem.includes('é'), problem);
      }),
      { numRuns: 1000 },
    );
  });

  it('run as `npm run package` runs it first: one line on stderr for its own refusals and for a bad stack setting, nothing when all is well', () => {
    const script = require.resolve('../../scripts/serverless-public-url-guard.cjs');
    const guard = (env: Record<string, string>) => spawnSync(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
    const refusals: [Record<string, string>, RegExp][] = [
      [{}, /^refusing to package a public function URL with no bearer token: /],
      [{ AUTH_TOKEN_SSM_PARAMETER: '/t', RESERVED_CONCURRENCY: 'ten' }, /^refusing to package: RESERVED_CONCURRENCY must be a whole number /],
      [{ AUTH_TOKEN_SSM_PARAMETER: '/t', ALARM_TOPIC_ARN: 'ops' }, /^refusing to package: ALARM_TOPIC_ARN must be an SNS topic ARN /],
    ];
    for (const [env, expected] of refusals) {
      const result = guard(env);
      assert.equal(result.status, 1, JSON.stringify(env));
      assert.match(result.stderr, expected);
      assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
    }
    const fine = guard({ AUTH_TOKEN_SSM_PARAMETER: '/t', RESERVED_CONCURRENCY: 'none', ALARM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:ops' });
    assert.deepEqual([fine.status, fine.stderr], [0, '']);
  });
});
