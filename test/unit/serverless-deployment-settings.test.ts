import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

// The package-time settings of the production stack (docs/aws-deployment.md): each default, each
// opt-out, and a one-line refusal naming the variable for each bad value.

const require = createRequire(import.meta.url);

interface Settings { reservedConcurrency: number | undefined; alarmTopicArn: string | undefined; url4xxThreshold: number; kmsKeyArn: string | undefined }
type Env = Record<string, string | undefined>;
interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown[]; Condition?: Record<string, Record<string, unknown>> }

const deployment = require('../../scripts/serverless-deployment-settings.cjs') as {
  deploymentSettings: (env: Env) => { settings: Settings; warnings: string[] } | { problem: string };
  deploymentProblem: (env: Env) => string | undefined;
  applyDeploymentSettings: (template: { Resources: Record<string, Resource> }, settings: Settings, namePrefix: string) => { Resources: Record<string, Resource> };
};
const iam = require('../../scripts/serverless-iam.cjs') as { statementsFor: (env: Env) => Statement[] };

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function settingsOf(env: Env): { settings: Settings; warnings: string[] } {
  const read = deployment.deploymentSettings(env);
  if ('problem' in read) throw new Error(read.problem);
  return read;
}

const template = (): { Resources: Record<string, Resource> } => ({
  Resources: {
    ProbeLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 128 } },
    ProbeLambdaFunctionUrl: { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] } } },
    ProbeLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: {} },
  },
});
/** The template with the scheduled reaper beside the probe: no URL, one sweep at a time. */
const withReaper = (): { Resources: Record<string, Resource> } => {
  const both = template();
  both.Resources.ReaperLambdaFunction = { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512, ReservedConcurrentExecutions: 1 } };
  return both;
};

describe('deploymentSettings (RESERVED_CONCURRENCY, ALARM_TOPIC_ARN, ALARM_URL_4XX_THRESHOLD, CONFIG_SSM_KMS_KEY_ARN)', () => {
  it('defaults: a reservation of 10, no alarms (no topic), a 4xx threshold of 50, the AWS managed SSM key, no warning', () => {
    for (const env of [{}, { RESERVED_CONCURRENCY: '', ALARM_TOPIC_ARN: '', ALARM_URL_4XX_THRESHOLD: '', CONFIG_SSM_KMS_KEY_ARN: '' }, { RESERVED_CONCURRENCY: ' ' }]) {
      assert.deepEqual(settingsOf(env), { settings: { reservedConcurrency: 10, alarmTopicArn: undefined, url4xxThreshold: 50, kmsKeyArn: undefined }, warnings: [] }, JSON.stringify(env));
    }
  });

  it('takes a reservation, none for no reservation, a topic, a threshold and a key', () => {
    assert.equal(settingsOf({ RESERVED_CONCURRENCY: '25' }).settings.reservedConcurrency, 25);
    for (const none of ['none', 'NONE', ' none ']) assert.equal(settingsOf({ RESERVED_CONCURRENCY: none }).settings.reservedConcurrency, undefined);
    const read = settingsOf({ ALARM_TOPIC_ARN: TOPIC, ALARM_URL_4XX_THRESHOLD: '7', CONFIG_SSM_KMS_KEY_ARN: KEY, CONFIG_SSM_PARAMETER: '/pgx/config' });
    assert.deepEqual(read, { settings: { reservedConcurrency: 10, alarmTopicArn: TOPIC, url4xxThreshold: 7, kmsKeyArn: KEY }, warnings: [] });
    assert.equal(settingsOf({ ALARM_TOPIC_ARN: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops' }).settings.alarmTopicArn, 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops');
  });

  it('refuses a bad value in one line naming the variable, before anything is packaged', () => {
    const cases: [Env, RegExp][] = [
      [{ RESERVED_CONCURRENCY: 'ten' }, /^refusing to package: RESERVED_CONCURRENCY must be a whole number .* or none for no reservation, got "ten"$/],
      [{ RESERVED_CONCURRENCY: '0' }, /^refusing to package: RESERVED_CONCURRENCY .*got "0"$/],
      [{ RESERVED_CONCURRENCY: '-1' }, /RESERVED_CONCURRENCY/],
      [{ RESERVED_CONCURRENCY: '2.5' }, /RESERVED_CONCURRENCY/],
      [{ RESERVED_CONCURRENCY: '10000000' }, /RESERVED_CONCURRENCY/],
      [{ ALARM_TOPIC_ARN: 'ops-alerts' }, /^refusing to package: ALARM_TOPIC_ARN must be an SNS topic ARN .*got "ops-alerts"$/],
      [{ ALARM_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:queue' }, /ALARM_TOPIC_ARN/],
      [{ ALARM_URL_4XX_THRESHOLD: '0' }, /^refusing to package: ALARM_URL_4XX_THRESHOLD must be a whole number .*got "0"$/],
      [{ ALARM_URL_4XX_THRESHOLD: 'many' }, /ALARM_URL_4XX_THRESHOLD/],
      [{ CONFIG_SSM_KMS_KEY_ARN: 'alias/aws/ssm' }, /^refusing to package: CONFIG_SSM_KMS_KEY_ARN must be the key ARN .*leave it unset for the AWS managed key aws\/ssm; got "alias\/aws\/ssm"$/],
      [{ CONFIG_SSM_KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:alias/team' }, /CONFIG_SSM_KMS_KEY_ARN/],
      [{ CONFIG_SSM_KMS_KEY_ARN: '1234abcd-12ab-34cd-56ef-1234567890ab' }, /CONFIG_SSM_KMS_KEY_ARN/],
    ];
    for (const [env, expected] of cases) {
      const problem = deployment.deploymentProblem(env) ?? '';
      assert.match(problem, expected, JSON.stringify(env));
      assert.ok(!problem.includes('\n'), 'one line');
    }
    const long = deployment.deploymentProblem({ RESERVED_CONCURRENCY: 'x'.repeat(500) }) ?? '';
    assert.ok(long.length > 0 && long.length < 300, `the value shown is clipped: ${long}`);
  });

  it('warns in one line about a secret given in plain text, naming the variable, never its value', () => {
    const { warnings } = settingsOf({ AUTH_TOKEN: 'hunter2-token', PUSHGATEWAY_BEARER_TOKEN: 'pg-secret', PUSHGATEWAY_URL: 'https://scraper:pg-password@pushgateway.example.com' });
    assert.equal(warnings.length, 3);
    assert.match(warnings[0] ?? '', /^AUTH_TOKEN lands in plain text in the CloudFormation template .*AUTH_TOKEN_SSM_PARAMETER/);
    assert.match(warnings[1] ?? '', /^PUSHGATEWAY_BEARER_TOKEN lands in plain text .*CONFIG_SSM_PARAMETER/);
    assert.match(warnings[2] ?? '', /^PUSHGATEWAY_URL holds a user or password/);
    for (const warning of warnings) for (const secret of ['hunter2', 'pg-secret', 'pg-password', 'scraper']) assert.ok(!warning.includes(secret), warning);
    assert.deepEqual(settingsOf({ AUTH_TOKEN_SSM_PARAMETER: '/pgx/tokens', PUSHGATEWAY_URL: 'https://pushgateway.example.com' }).warnings, []);
  });

  it('warns about a setting that has no effect', () => {
    assert.match(settingsOf({ ALARM_URL_4XX_THRESHOLD: '5' }).warnings.join('\n'), /^ALARM_URL_4XX_THRESHOLD has no effect without ALARM_TOPIC_ARN/);
    assert.match(settingsOf({ CONFIG_SSM_KMS_KEY_ARN: KEY }).warnings.join('\n'), /^CONFIG_SSM_KMS_KEY_ARN has no effect without CONFIG_SSM_PARAMETER or AUTH_TOKEN_SSM_PARAMETER/);
  });
});

describe('applyDeploymentSettings (the compiled template)', () => {
  it('reserves the concurrency, or removes any reservation with none', () => {
    const reserved = deployment.applyDeploymentSettings(template(), settingsOf({}).settings, 'pgx-prod');
    assert.equal(reserved.Resources.ProbeLambdaFunction?.Properties.ReservedConcurrentExecutions, 10);
    const none = template();
    (none.Resources.ProbeLambdaFunction as Resource).Properties.ReservedConcurrentExecutions = 3;
    deployment.applyDeploymentSettings(none, settingsOf({ RESERVED_CONCURRENCY: 'none' }).settings, 'pgx-prod');
    assert.ok(!('ReservedConcurrentExecutions' in (none.Resources.ProbeLambdaFunction?.Properties ?? {})));
    assert.deepEqual(Object.keys(none.Resources), ['ProbeLambdaFunction', 'ProbeLambdaFunctionUrl', 'ProbeLogGroup'], 'no alarms without a topic');
  });

  it('a function without a URL (the reaper) keeps its own reservation and gets no 4xx alarm; none removes it too', () => {
    const { Resources } = deployment.applyDeploymentSettings(withReaper(), settingsOf({ ALARM_TOPIC_ARN: TOPIC }).settings, 'pgx-prod');
    assert.equal(Resources.ProbeLambdaFunction?.Properties.ReservedConcurrentExecutions, 10);
    assert.equal(Resources.ReaperLambdaFunction?.Properties.ReservedConcurrentExecutions, 1);
    const alarmNames = Object.values(Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm').map((alarm) => alarm.Properties.AlarmName);
    // The probe's alarms keep the names they have without the reaper.
    assert.deepEqual(alarmNames, ['pgx-prod-errors', 'pgx-prod-throttles', 'pgx-prod-url-4xx', 'pgx-prod-reaper-errors', 'pgx-prod-reaper-throttles']);
    const none = deployment.applyDeploymentSettings(withReaper(), settingsOf({ RESERVED_CONCURRENCY: 'none' }).settings, 'pgx-prod');
    assert.ok(!('ReservedConcurrentExecutions' in (none.Resources.ReaperLambdaFunction?.Properties ?? {})));
  });

  it('adds three alarms on AWS/Lambda Errors, Throttles and Url4xxCount for the function, notifying the topic', () => {
    const { Resources } = deployment.applyDeploymentSettings(template(), settingsOf({ ALARM_TOPIC_ARN: TOPIC, ALARM_URL_4XX_THRESHOLD: '7' }).settings, 'pgx-prod');
    const alarms = Object.values(Resources).filter((resource) => resource.Type === 'AWS::CloudWatch::Alarm');
    assert.deepEqual(alarms.map((alarm) => [alarm.Properties.AlarmName, alarm.Properties.MetricName, alarm.Properties.Threshold]), [
      ['pgx-prod-errors', 'Errors', 1], ['pgx-prod-throttles', 'Throttles', 1], ['pgx-prod-url-4xx', 'Url4xxCount', 7],
    ]);
    for (const alarm of alarms) {
      assert.equal(alarm.Properties.Namespace, 'AWS/Lambda');
      assert.deepEqual(alarm.Properties.Dimensions, [{ Name: 'FunctionName', Value: { Ref: 'ProbeLambdaFunction' } }]);
      assert.deepEqual([alarm.Properties.Statistic, alarm.Properties.Period, alarm.Properties.ComparisonOperator, alarm.Properties.TreatMissingData], ['Sum', 300, 'GreaterThanOrEqualToThreshold', 'notBreaching']);
      assert.deepEqual(alarm.Properties.AlarmActions, [TOPIC]);
      assert.deepEqual(alarm.Properties.OKActions, [TOPIC]);
    }
  });
});

describe('statementsFor (scripts/serverless-iam.cjs)', () => {
  const arn = (path: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${path}` });

  it('grants nothing without a parameter, a customer-managed key or not', () => {
    assert.deepEqual(iam.statementsFor({}), []);
    assert.deepEqual(iam.statementsFor({ CONFIG_SSM_KMS_KEY_ARN: KEY, CONFIG_SSM_PARAMETER: ' ' }), []);
  });

  it('grants ssm:GetParameter on the exact parameters, and no kms:Decrypt under the AWS managed key', () => {
    assert.deepEqual(iam.statementsFor({ CONFIG_SSM_PARAMETER: '/pgx/config', AUTH_TOKEN_SSM_PARAMETER: 'pgx/tokens' }), [
      { Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [arn('/pgx/config'), arn('/pgx/tokens')] },
    ]);
    const given = 'arn:aws:ssm:eu-west-1:123456789012:parameter/pgx/config';
    assert.deepEqual(iam.statementsFor({ CONFIG_SSM_PARAMETER: given })[0]?.Resource, [given]);
  });

  it('with CONFIG_SSM_KMS_KEY_ARN, kms:Decrypt on that key only, through SSM, for those parameters only', () => {
    const [, decrypt] = iam.statementsFor({ AUTH_TOKEN_SSM_PARAMETER: '/pgx/tokens', CONFIG_SSM_KMS_KEY_ARN: ` ${KEY} ` });
    assert.deepEqual(decrypt, {
      Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [KEY],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, 'kms:EncryptionContext:PARAMETER_ARN': [arn('/pgx/tokens')] } },
    });
  });
});
