import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { runPackaging } from '../support/packaging-lock.ts';

// `npm run package` with check-in keys in SSM (PUSH_TOKEN_SSM_PARAMETER), with and without
// REAP_SCHEDULE: the probe's role may read exactly the named parameters, the reaper's never the
// push keys, and the function URL (every path, /ping included) goes to the probe function
// (docs/check-ins.md#security-model, docs/security-model.md#least-privilege-on-aws).

interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown; Condition?: { StringEquals: Record<string, unknown> } }
type Template = { Resources: Record<string, Resource> };

/** Every variable `npm run package` reads, cleared from the shell's environment. */
const PACKAGE_VARIABLES = [
  'AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'ALLOW_PUBLIC_FUNCTION_URL', 'CONFIG_SSM_PARAMETER', 'CONFIG_SSM_KMS_KEY_ARN', 'PUSHGATEWAY_URL',
  'PUSHGATEWAY_BEARER_TOKEN', 'PUSH_TOKEN', 'PUSH_TOKEN_SSM_PARAMETER', 'REAP_SCHEDULE',
];

const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/0b5f8a1e-1d2c-4f6a-9e3b-7c8d9e0f1a2b';
const arn = (name: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}` });

async function packageFor(dir: TempDir, name: string, extra: Record<string, string>): Promise<{ template: Template; warnings: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !PACKAGE_VARIABLES.includes(key)) env[key] = value;
  const out = join(dir.path, name);
  const { stderr } = await runPackaging('npm', ['run', 'package', '--silent', '--', '--package', out], {
    cwd: PROJECT_ROOT, env: { ...env, HOME: dir.path, npm_config_update_notifier: 'false', AUTH_TOKEN: 'scrape-token', ...extra }, timeout: 240_000,
  });
  return { template: JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template, warnings: stderr };
}

const ofType = (template: Template, type: string): [string, Resource][] => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

function statementsOf(role: Resource | undefined): Statement[] {
  return (role?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined)?.flatMap((p) => p.PolicyDocument.Statement) ?? [];
}

const functionNamed = (template: Template, handler: string): [string, Resource] | undefined =>
  ofType(template, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties.Handler === handler);

describe('npm run package with PUSH_TOKEN_SSM_PARAMETER', () => {
  let dir: TempDir;
  let plain: Awaited<ReturnType<typeof packageFor>>;
  let reaping: Awaited<ReturnType<typeof packageFor>>;

  before(async () => {
    dir = await tempDir('pgx-package-check-ins-');
    plain = await packageFor(dir, 'plain', { PUSH_TOKEN_SSM_PARAMETER: '/pgx/push-keys' });
    reaping = await packageFor(dir, 'reaping', {
      REAP_SCHEDULE: 'rate(5 minutes)', PUSH_TOKEN_SSM_PARAMETER: '/pgx/push-keys', CONFIG_SSM_PARAMETER: '/pgx/config', CONFIG_SSM_KMS_KEY_ARN: KMS_KEY,
    });
  });
  after(async () => dir?.remove());

  it('without REAP_SCHEDULE: one function, no schedule, no reaper role; the probe may read the push keys parameter and nothing else of SSM or KMS', () => {
    assert.deepEqual(ofType(plain.template, 'AWS::Lambda::Function').map(([, fn]) => fn.Properties.Handler), ['dist/probe.handler']);
    assert.deepEqual(ofType(plain.template, 'AWS::Events::Rule'), []);
    assert.equal(plain.template.Resources.ReaperRole, undefined);
    const statements = statementsOf(plain.template.Resources.IamRoleLambdaExecution);
    const ssm = statements.filter((s) => s.Action.some((action) => action.startsWith('ssm:')));
    assert.deepEqual(ssm, [{ Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [arn('/pgx/push-keys')] }]);
    // No kms:Decrypt without a customer key: under aws/ssm, SSM decrypts for whoever may read the parameter.
    assert.ok(!JSON.stringify(statements).includes('kms:'), JSON.stringify(statements));
    // A key in SSM: no warning about a plain PUSH_TOKEN in the template.
    assert.doesNotMatch(plain.warnings, /PUSH_TOKEN /);
  });

  it('the function URL sends every path (/ping too) to the probe function, which reads its keys from the parameter, none in the template', () => {
    for (const { template } of [plain, reaping]) {
      const urls = ofType(template, 'AWS::Lambda::Url');
      assert.equal(urls.length, 1);
      const [probeId, probe] = functionNamed(template, 'dist/probe.handler') ?? [];
      assert.deepEqual(urls[0]?.[1].Properties.TargetFunctionArn, { 'Fn::GetAtt': [probeId, 'Arn'] });
      const variables = (probe?.Properties.Environment as { Variables: Record<string, string> }).Variables;
      assert.deepEqual([variables.PUSH_TOKEN_SSM_PARAMETER, variables.PUSH_TOKEN], ['/pgx/push-keys', '']);
    }
  });

  it('with REAP_SCHEDULE: the reaper on its schedule, on a role that may read the config only, never the push keys; kms:Decrypt on the customer key for the named parameters only', () => {
    const [, reaper] = functionNamed(reaping.template, 'dist/reaper.handler') ?? [];
    assert.ok(reaper !== undefined);
    assert.deepEqual(ofType(reaping.template, 'AWS::Events::Rule').map(([, rule]) => rule.Properties.ScheduleExpression), ['rate(5 minutes)']);
    const reaperVariables = (reaper.Properties.Environment as { Variables: Record<string, string> }).Variables;
    assert.deepEqual([reaperVariables.PUSH_TOKEN_SSM_PARAMETER, reaperVariables.PUSH_TOKEN], ['', '']);

    const reaperStatements = statementsOf(reaping.template.Resources.ReaperRole);
    assert.ok(!JSON.stringify(reaperStatements).includes('push-keys'), JSON.stringify(reaperStatements));
    assert.deepEqual(reaperStatements.find((s) => s.Action.includes('ssm:GetParameter'))?.Resource, [arn('/pgx/config')]);

    const probeStatements = statementsOf(reaping.template.Resources.IamRoleLambdaExecution);
    assert.deepEqual(probeStatements.find((s) => s.Action.includes('ssm:GetParameter'))?.Resource, [arn('/pgx/config'), arn('/pgx/push-keys')]);
    const decrypt = probeStatements.filter((s) => s.Action.includes('kms:Decrypt'));
    assert.equal(decrypt.length, 1);
    // The framework writes a one-element list as its element.
    assert.deepEqual([decrypt[0]?.Resource].flat(), [KMS_KEY]);
    assert.deepEqual(decrypt[0]?.Condition?.StringEquals['kms:EncryptionContext:PARAMETER_ARN'], [arn('/pgx/config'), arn('/pgx/push-keys')]);
    for (const statement of [...probeStatements, ...reaperStatements]) {
      assert.ok(!JSON.stringify(statement.Resource).includes('"*"'), `no Resource "*": ${JSON.stringify(statement)}`);
      assert.ok(statement.Action.every((action) => !action.endsWith('*')), `no wildcard action: ${JSON.stringify(statement)}`);
    }
  });
});
