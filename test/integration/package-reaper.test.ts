import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { runPackaging } from '../support/packaging-lock.ts';

// The reaper function is packaged only with REAP_SCHEDULE (scripts/serverless-reaper.cjs), with a
// least-privilege role of its own (docs/security-model.md). Apart from test/integration/package.test.ts.

const run = promisify(execFile);

interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown[]; Condition?: unknown }

const PACKAGE_VARIABLES = ['AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'ALLOW_PUBLIC_FUNCTION_URL', 'CONFIG_SSM_PARAMETER', 'PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN', 'REAP_SCHEDULE'];

function offlineEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !PACKAGE_VARIABLES.includes(key)) env[key] = value;
  return { ...env, HOME: home, npm_config_update_notifier: 'false', ...extra };
}

async function packageFor(dir: TempDir, name: string, extra: Record<string, string>) {
  const out = join(dir.path, name);
  await runPackaging('npm', ['run', 'package', '--silent', '--', '--package', out], { cwd: PROJECT_ROOT, env: offlineEnv(dir.path, extra), timeout: 240_000 });
  const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, Resource> };
  const { stdout } = await run('unzip', ['-Z1', join(out, 'pushgateway-exporter.zip')]);
  return { template, entries: stdout.trim().split('\n') };
}

const functions = (resources: Record<string, Resource>) => Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');

describe('npm run package with and without REAP_SCHEDULE', () => {
  let dir: TempDir;
  let plain: Awaited<ReturnType<typeof packageFor>>;
  let reaping: Awaited<ReturnType<typeof packageFor>>;

  before(async () => {
    dir = await tempDir('pgx-package-reaper-');
    plain = await packageFor(dir, 'plain', { AUTH_TOKEN: 'token' });
    reaping = await packageFor(dir, 'reaping', {
      REAP_SCHEDULE: 'rate(5 minutes)', CONFIG_SSM_PARAMETER: '/pushgateway-exporter/config', AUTH_TOKEN_SSM_PARAMETER: '/pushgateway-exporter/tokens',
    });
  });
  after(async () => dir?.remove());

  it('unset: one function, no schedule, no reaper in the zip', () => {
    assert.deepEqual(functions(plain.template.Resources).map((fn) => fn.Properties.Handler), ['dist/probe.handler']);
    assert.equal(Object.values(plain.template.Resources).filter((r) => r.Type === 'AWS::Events::Rule').length, 0);
    assert.ok(!plain.entries.includes('dist/reaper.mjs'));
    assert.equal(plain.template.Resources.ReaperRole, undefined);
  });

  it('set: the reaper on that schedule, without the bearer tokens, on a role that may read the config parameter and write its logs only', () => {
    const reaper = functions(reaping.template.Resources).find((fn) => fn.Properties.Handler === 'dist/reaper.handler');
    assert.ok(reaper !== undefined);
    assert.ok(reaping.entries.includes('dist/reaper.mjs'));
    assert.deepEqual(reaper.Properties.Role, { 'Fn::GetAtt': ['ReaperRole', 'Arn'] });
    const variables = (reaper.Properties.Environment as { Variables: Record<string, string> }).Variables;
    assert.equal(variables.AUTH_TOKEN_SSM_PARAMETER, '');
    assert.equal(variables.CONFIG_SSM_PARAMETER, '/pushgateway-exporter/config');
    const rules = Object.values(reaping.template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    assert.deepEqual(rules.map((rule) => rule.Properties.ScheduleExpression), ['rate(5 minutes)']);
    // The probe keeps its own role; the reaper's is separate.
    const probe = functions(reaping.template.Resources).find((fn) => fn.Properties.Handler === 'dist/probe.handler');
    assert.notDeepEqual(probe?.Properties.Role, reaper.Properties.Role);

    const role = reaping.template.Resources.ReaperRole as Resource;
    const statements = (role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]?.PolicyDocument.Statement ?? [];
    // No kms:Decrypt: under the AWS managed aws/ssm key SSM decrypts for whoever may read the parameter.
    assert.deepEqual(statements.map((s) => s.Action).flat().sort(), ['logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameter']);
    // One sweep at a time; the probe keeps the default reservation of 10.
    assert.equal(reaper.Properties.ReservedConcurrentExecutions, 1);
    // A failed sweep is not retried: the next schedule is the retry.
    const retries = Object.values(reaping.template.Resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
    assert.deepEqual(retries.map((r) => r.Properties.MaximumRetryAttempts), [0]);
    assert.equal(probe?.Properties.ReservedConcurrentExecutions, 10);
    const get = statements.find((s) => s.Action.includes('ssm:GetParameter'));
    assert.deepEqual(get?.Resource, [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pushgateway-exporter/config' }]);
    assert.ok(!JSON.stringify(statements).includes('tokens'), 'no access to the token parameter');
    const logs = statements.find((s) => s.Action.includes('logs:PutLogEvents'));
    assert.match(JSON.stringify(logs?.Resource), /log-group:\/aws\/lambda\/pushgateway-exporter-prod-reaper:\*/);
    for (const statement of statements) {
      assert.ok(!JSON.stringify(statement.Resource).includes('"*"'), `no Resource "*": ${JSON.stringify(statement)}`);
      assert.ok(statement.Action.every((action) => !action.endsWith('*')), `no wildcard action: ${JSON.stringify(statement)}`);
    }
  });

  it('refuses a REAP_SCHEDULE that is not a schedule expression, in one line, before building', async () => {
    for (const schedule of ['every 5 minutes', 'rate(5 minute)', 'rate(1 minutes)', 'cron(*/5 * * * *)']) {
      const out = join(dir.path, 'refused');
      const result = await runPackaging('npm', ['run', 'package', '--silent', '--', '--package', out], { cwd: PROJECT_ROOT, env: offlineEnv(dir.path, { AUTH_TOKEN: 'token', REAP_SCHEDULE: schedule }), timeout: 120_000 })
        .then(() => ({ code: 0, stderr: '' }), (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? '' }));
      assert.notEqual(result.code, 0, schedule);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^refusing to package: REAP_SCHEDULE ".*" is not a schedule expression: /);
      await assert.rejects(stat(out), 'nothing packaged');
    }
  });
});
