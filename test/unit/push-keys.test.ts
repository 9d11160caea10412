import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, describe, it } from 'node:test';
import { readExporterSecrets, type ExporterEnvironment } from '../../lib/runtime/environment-settings.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

// PUSH_TOKEN and PUSH_TOKEN_SSM_PARAMETER (docs/check-ins.md#security-model): read as the scrape
// tokens are, and deciding whether /ping exists. Nothing here reaches a Pushgateway.

const require = createRequire(import.meta.url);
const deployment = require('../../scripts/serverless-deployment-settings.cjs') as { deploymentSettings: (env: Record<string, string>) => { warnings: string[] } };
const iam = require('../../scripts/serverless-iam.cjs') as { statementsFor: (env: Record<string, string>) => { Resource: unknown[] }[] };

const BASE: ExporterEnvironment = { CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'debug' };
const ping = (path: string, authorization?: string): HttpRequest =>
  ({ method: 'GET', path, query: new URLSearchParams(), headers: authorization === undefined ? {} : { authorization } });

describe('push keys from the environment', () => {
  it('reads PUSH_TOKEN as AUTH_TOKEN is read: commas, trimming; absent when neither variable is set', () => {
    const read = readExporterSecrets({ PUSH_TOKEN: ' k1 , k 2 ' });
    assert.ok('secrets' in read);
    assert.deepEqual(read.secrets.pushKeys, { tokens: ['k1', 'k 2'], parameter: undefined });
    const none = readExporterSecrets({ PUSH_TOKEN: '', PUSH_TOKEN_SSM_PARAMETER: '' });
    assert.ok('secrets' in none);
    assert.equal(none.secrets.pushKeys, undefined);
  });

  it('refuses a PUSH_TOKEN set but holding no key, and a blank parameter name, naming the variable, never a value', () => {
    assert.deepEqual(readExporterSecrets({ PUSH_TOKEN: ' , ' }), { problem: 'PUSH_TOKEN holds no token (only commas or white space): give one or more keys separated by commas, or leave it empty' });
    assert.deepEqual(readExporterSecrets({ PUSH_TOKEN_SSM_PARAMETER: '  ' }), { problem: 'PUSH_TOKEN_SSM_PARAMETER holds only white space: name the SSM parameter holding the push keys, or leave it empty' });
    const both = readExporterSecrets({ AUTH_TOKEN: ',', PUSH_TOKEN: 'bad\ttoken' });
    assert.ok('problem' in both && both.problem.includes('AUTH_TOKEN') && both.problem.includes('PUSH_TOKEN') && !both.problem.includes('bad'));
  });

  it('warns at package time about a plain PUSH_TOKEN; lets the role read PUSH_TOKEN_SSM_PARAMETER', () => {
    const { warnings } = deployment.deploymentSettings({ PUSH_TOKEN: 'secret-key' });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^PUSH_TOKEN lands in plain text .*PUSH_TOKEN_SSM_PARAMETER/);
    assert.ok(!warnings[0]?.includes('secret-key'));
    const [statement] = iam.statementsFor({ PUSH_TOKEN_SSM_PARAMETER: '/pgx/push-keys' });
    assert.deepEqual(statement?.Resource, [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pgx/push-keys' }]);
  });
});

describe('/ping follows the push keys', () => {
  const runtimes: Runtime[] = [];
  const logs: string[] = [];
  const runtimeWith = (env: ExporterEnvironment, ssm?: (name: string) => Promise<string>): Runtime => {
    const made = runtimeFromEnvironment({ ...BASE, ...env }, {
      cwd: PROJECT_ROOT, writeLog: (line) => logs.push(line), ...(ssm === undefined ? {} : { ssm: { read: ssm } }),
    });
    runtimes.push(made);
    return made;
  };
  after(async () => Promise.all(runtimes.map((runtime) => runtime.close())));

  it('is no route without a key, and the scrape token guards it then as it guards any unknown path', async () => {
    assert.equal((await handleRequest(ping('/ping/k/service1'), runtimeWith({}))).status, 404);
    assert.equal((await handleRequest(ping('/ping/k/service1'), runtimeWith({ AUTH_TOKEN: 'scrape' }))).status, 401);
  });

  it('is not gated by the scrape token when a push key is set, and the scrape token is no push key', async () => {
    const runtime = runtimeWith({ AUTH_TOKEN: 'scrape', PUSH_TOKEN: 'push' });
    // Wrong key, no scrape token: the check-in's own 401.
    assert.equal((await handleRequest(ping('/ping/wrong/service1'), runtime)).body, 'missing or wrong push key\n');
    assert.equal((await handleRequest(ping('/ping/scrape/service1'), runtime)).status, 401);
    assert.equal((await handleRequest(ping('/ping/service1', 'Bearer scrape'), runtime)).status, 401);
    // The push key opens no scrape route.
    assert.equal((await handleRequest(ping('/metrics', 'Bearer push'), runtime)).status, 401);
  });

  it('fails closed while keys from SSM have not loaded: 503, never open', async () => {
    const runtime = runtimeWith({ PUSH_TOKEN_SSM_PARAMETER: '/pgx/push-keys' }, () => Promise.reject(new Error('AccessDenied')));
    const answer = await handleRequest(ping('/ping/anything/service1'), runtime);
    assert.deepEqual([answer.status, answer.body], [503, 'push keys not loaded yet; see the exporter logs\n']);
  });

  it('accepts a key from SSM, and a refused service gets 404 only past the key', async () => {
    const runtime = runtimeWith({ PUSH_TOKEN_SSM_PARAMETER: '/pgx/push-keys' }, async () => 'from-ssm');
    assert.equal((await handleRequest(ping('/ping/from-ssm/nope'), runtime)).status, 404);
    assert.equal((await handleRequest(ping('/ping/other/nope'), runtime)).status, 401);
    assert.ok(!logs.join('\n').includes('from-ssm'));
  });
});
