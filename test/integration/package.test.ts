import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { runPackaging } from '../support/packaging-lock.ts';

const run = promisify(execFile);

interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown[]; Condition?: unknown }

/** Variables the package reads from the shell: none leaks in from the test's own environment. */
const PACKAGE_VARIABLES = [
  'AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'ALLOW_PUBLIC_FUNCTION_URL', 'CONFIG_SSM_PARAMETER', 'PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN', 'LOG_LEVEL',
  'RESERVED_CONCURRENCY', 'ALARM_TOPIC_ARN', 'ALARM_URL_4XX_THRESHOLD', 'CONFIG_SSM_KMS_KEY_ARN',
];
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ops-alerts';
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The environment of a machine with no AWS account: no credentials, no profile, an empty home. */
function offlineEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !PACKAGE_VARIABLES.includes(key)) env[key] = value;
  // An empty home makes npm check for its own updates and say so on stderr.
  return { ...env, HOME: home, npm_config_update_notifier: 'false', ...extra };
}

const NO_TOKEN_LINE = 'refusing to package a public function URL with no bearer token: set AUTH_TOKEN (comma-separated tokens) or AUTH_TOKEN_SSM_PARAMETER (an SSM parameter holding them), or ALLOW_PUBLIC_FUNCTION_URL=true to publish it without auth on purpose';

/** Runs a command expected to fail; its exit code and output. */
async function refused(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await runPackaging(command, args, { cwd: PROJECT_ROOT, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function packageFor(dir: TempDir, name: string, extra: Record<string, string>) {
  const out = join(dir.path, name);
  const output = await runPackaging('npm', ['run', 'package', '--silent', '--', '--package', out], { cwd: PROJECT_ROOT, env: offlineEnv(dir.path, extra), timeout: 240_000 });
  const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
  const { stdout } = await run('unzip', ['-Z1', join(out, 'pushgateway-exporter.zip')]);
  const statements = (
    (template.Resources.IamRoleLambdaExecution?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]?.PolicyDocument.Statement ?? []
  );
  return { out, template, entries: stdout.trim().split('\n'), statements, output: `${output.stdout}${output.stderr}` };
}

const ofType = (resources: Record<string, Resource>, type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('npm run package (stage prod, offline, no AWS credentials)', () => {
  let dir: TempDir;
  let ssm: Awaited<ReturnType<typeof packageFor>>;
  let file: Awaited<ReturnType<typeof packageFor>>;
  let open: Awaited<ReturnType<typeof packageFor>>;
  let tuned: Awaited<ReturnType<typeof packageFor>>;

  before(async () => {
    dir = await tempDir('pgx-package-');
    ssm = await packageFor(dir, 'ssm', {
      CONFIG_SSM_PARAMETER: '/pushgateway-exporter/config', AUTH_TOKEN_SSM_PARAMETER: 'pushgateway-exporter/tokens', PUSHGATEWAY_URL: 'https://pushgateway.example.com',
    });
    file = await packageFor(dir, 'file', { AUTH_TOKEN: 'correct horse battery staple' });
    open = await packageFor(dir, 'public', { ALLOW_PUBLIC_FUNCTION_URL: 'true', RESERVED_CONCURRENCY: '25' });
    tuned = await packageFor(dir, 'tuned', {
      CONFIG_SSM_PARAMETER: '/pushgateway-exporter/config', AUTH_TOKEN_SSM_PARAMETER: 'pushgateway-exporter/tokens', CONFIG_SSM_KMS_KEY_ARN: KEY,
      ALARM_TOPIC_ARN: TOPIC, ALARM_URL_4XX_THRESHOLD: '7', RESERVED_CONCURRENCY: 'none',
    });
  });
  after(async () => dir?.remove());

  it('declares an arm64 nodejs24.x function (nodejs22.x leaves support on 2027-04-30), 128 MB, with a timeout covering the probe timeout', () => {
    const [fn] = ofType(ssm.template.Resources, 'AWS::Lambda::Function');
    assert.equal(fn?.Properties.Runtime, 'nodejs24.x');
    assert.deepEqual(fn?.Properties.Architectures, ['arm64']);
    assert.equal(fn?.Properties.MemorySize, 128);
    assert.ok(Number(fn?.Properties.Timeout) > 5, 'longer than the default timeout_seconds');
    assert.equal(fn?.Properties.Handler, 'dist/probe.handler');
    const variables = (fn?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    assert.equal(variables.CONFIG_SSM_PARAMETER, '/pushgateway-exporter/config');
    assert.equal(variables.PUSHGATEWAY_URL, 'https://pushgateway.example.com');
    assert.equal(variables.CONFIG_FILE, 'config.yml');
    assert.equal(variables.AUTH_TOKEN_SSM_PARAMETER, 'pushgateway-exporter/tokens');
    assert.equal(variables.AUTH_TOKEN, '', 'no token in the template when it comes from SSM');
  });

  it('logs as JSON with the platform lines (START, END, REPORT) dropped: a healthy probe costs no log bytes', () => {
    const [fn] = ofType(file.template.Resources, 'AWS::Lambda::Function');
    assert.deepEqual(fn?.Properties.LoggingConfig, { LogFormat: 'JSON', ApplicationLogLevel: 'DEBUG', SystemLogLevel: 'WARN' });
  });

  it('refuses, in one line naming AUTH_TOKEN, AUTH_TOKEN_SSM_PARAMETER and ALLOW_PUBLIC_FUNCTION_URL, a public URL with no token', async () => {
    for (const extra of [{}, { AUTH_TOKEN: '', AUTH_TOKEN_SSM_PARAMETER: '' }, { ALLOW_PUBLIC_FUNCTION_URL: 'false' }] as Record<string, string>[]) {
      const out = join(dir.path, 'refused');
      const result = await refused('npm', ['run', 'package', '--', '--package', out], offlineEnv(dir.path, extra));
      assert.notEqual(result.code, 0, JSON.stringify(extra));
      assert.equal(result.stderr, `${NO_TOKEN_LINE}\n`, 'what the user sees: one line (stdout holds only npm\'s script banner)');
      assert.ok(!result.stdout.includes('> node scripts/build.mjs'), `refused before building:\n${result.stdout}`);
      await assert.rejects(stat(out), 'nothing packaged');
    }
  });

  it('refuses AUTH_TOKEN set but holding no token: that function would answer 503 to every request', async () => {
    for (const extra of [{ AUTH_TOKEN: ' , ' }, { AUTH_TOKEN: ' ', ALLOW_PUBLIC_FUNCTION_URL: 'true' }] as Record<string, string>[]) {
      const result = await refused('npm', ['run', 'package', '--silent'], offlineEnv(dir.path, extra));
      assert.notEqual(result.code, 0);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, /^refusing to package: AUTH_TOKEN holds no token \(only commas or white space\), so the function would answer 503 to every request; set AUTH_TOKEN .* or AUTH_TOKEN_SSM_PARAMETER .*ALLOW_PUBLIC_FUNCTION_URL=true/);
    }
  });

  it('refuses in serverless itself too, so `serverless package` and `serverless deploy` (which packages) cannot skip the check', async () => {
    const result = await refused(join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', 'prod', '--package', join(dir.path, 'direct')], offlineEnv(dir.path, {}));
    assert.notEqual(result.code, 0);
    assert.match(`${result.stdout}${result.stderr}`, new RegExp(`^${NO_TOKEN_LINE.replace(/[()]/g, '\\$&')}$`, 'm'));
  });

  it('packages with AUTH_TOKEN, with AUTH_TOKEN_SSM_PARAMETER, and with ALLOW_PUBLIC_FUNCTION_URL=true', () => {
    const variablesOf = (packaged: typeof ssm) =>
      (ofType(packaged.template.Resources, 'AWS::Lambda::Function')[0]?.Properties.Environment as { Variables: Record<string, string> }).Variables;
    assert.equal(variablesOf(file).AUTH_TOKEN, 'correct horse battery staple');
    assert.equal(variablesOf(ssm).AUTH_TOKEN_SSM_PARAMETER, 'pushgateway-exporter/tokens');
    assert.equal(variablesOf(open).AUTH_TOKEN, '');
    assert.equal(variablesOf(open).AUTH_TOKEN_SSM_PARAMETER, '');
    for (const packaged of [file, ssm, open]) assert.equal(ofType(packaged.template.Resources, 'AWS::Lambda::Url')[0]?.Properties.AuthType, 'NONE');
  });

  it('adds a function URL with auth NONE, log retention, and no API Gateway', () => {
    const urls = ofType(ssm.template.Resources, 'AWS::Lambda::Url');
    assert.equal(urls.length, 1);
    assert.equal(urls[0]?.Properties.AuthType, 'NONE');
    const [logGroup] = ofType(ssm.template.Resources, 'AWS::Logs::LogGroup');
    assert.ok(Number(logGroup?.Properties.RetentionInDays) > 0);
    assert.equal(ofType(ssm.template.Resources, 'AWS::ApiGatewayV2::Api').length, 0);
  });

  it('grants ssm:GetParameter on the configured parameters only, and no kms:Decrypt under the AWS managed key aws/ssm', () => {
    const parameters = [
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pushgateway-exporter/config' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pushgateway-exporter/tokens' },
    ];
    for (const packaged of [ssm, tuned]) {
      const get = packaged.statements.find((s) => s.Action.includes('ssm:GetParameter'));
      assert.deepEqual(get?.Action, ['ssm:GetParameter']);
      assert.deepEqual(get?.Resource, parameters);
    }
    assert.ok(!ssm.statements.some((s) => JSON.stringify(s).includes('kms:')), 'aws/ssm\'s key policy already lets SSM decrypt for the account');
    // With CONFIG_SSM_KMS_KEY_ARN: that key only, asked by SSM, for those parameters only.
    const decrypt = tuned.statements.find((s) => s.Action.includes('kms:Decrypt'));
    assert.deepEqual(decrypt?.Action, ['kms:Decrypt']);
    assert.deepEqual([decrypt?.Resource].flat(), [KEY]);
    assert.deepEqual(decrypt?.Condition, { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' }, 'kms:EncryptionContext:PARAMETER_ARN': parameters } });
    for (const statement of [...ssm.statements, ...file.statements, ...tuned.statements]) {
      assert.ok(!JSON.stringify(statement.Resource).includes('"*"'), `no Resource "*": ${JSON.stringify(statement)}`);
      assert.ok(statement.Action.every((action) => !action.endsWith('*')), `no wildcard action: ${JSON.stringify(statement)}`);
    }
    assert.ok(!file.statements.some((s) => JSON.stringify(s).includes('ssm:') || JSON.stringify(s).includes('kms:')), 'file config: no SSM or KMS access');
  });

  it('reserves 10 concurrent executions by default, RESERVED_CONCURRENCY=N as many, none no reservation', () => {
    const reservation = (packaged: typeof ssm) => ofType(packaged.template.Resources, 'AWS::Lambda::Function')[0]?.Properties.ReservedConcurrentExecutions;
    assert.equal(reservation(ssm), 10);
    assert.equal(reservation(file), 10);
    assert.equal(reservation(open), 25);
    assert.equal(reservation(tuned), undefined);
  });

  it('adds no alarm without ALARM_TOPIC_ARN; with it, alarms on Errors, Throttles and Url4xxCount (ALARM_URL_4XX_THRESHOLD) that notify the topic', () => {
    for (const packaged of [ssm, file, open]) assert.deepEqual(ofType(packaged.template.Resources, 'AWS::CloudWatch::Alarm'), []);
    const alarms = ofType(tuned.template.Resources, 'AWS::CloudWatch::Alarm');
    assert.deepEqual(alarms.map((alarm) => [alarm.Properties.MetricName, alarm.Properties.Threshold]), [['Errors', 1], ['Throttles', 1], ['Url4xxCount', 7]]);
    const [fnId] = Object.entries(tuned.template.Resources).find(([, resource]) => resource.Type === 'AWS::Lambda::Function') ?? [];
    for (const alarm of alarms) {
      assert.equal(alarm.Properties.Namespace, 'AWS/Lambda');
      assert.deepEqual(alarm.Properties.Dimensions, [{ Name: 'FunctionName', Value: { Ref: fnId } }]);
      assert.deepEqual([alarm.Properties.AlarmActions, alarm.Properties.OKActions], [[TOPIC], [TOPIC]]);
      assert.match(String(alarm.Properties.AlarmName), /^pushgateway-exporter-prod-/);
    }
  });

  it('retains no function versions, and the URL\'s lambda:InvokeFunction permission keeps its InvokedViaFunctionUrl condition', () => {
    for (const packaged of [ssm, tuned]) {
      assert.deepEqual(ofType(packaged.template.Resources, 'AWS::Lambda::Version'), []);
      assert.ok(!Object.keys(packaged.template.Outputs ?? {}).some((name) => name.endsWith('QualifiedArn')), 'no version output');
      const permissions = ofType(packaged.template.Resources, 'AWS::Lambda::Permission');
      const invoke = permissions.find((permission) => permission.Properties.Action === 'lambda:InvokeFunction');
      assert.equal(invoke?.Properties.InvokedViaFunctionUrl, true, JSON.stringify(permissions));
      const invokeUrl = permissions.find((permission) => permission.Properties.Action === 'lambda:InvokeFunctionUrl');
      assert.equal(invokeUrl?.Properties.FunctionUrlAuthType, 'NONE');
      assert.equal(permissions.length, 2);
    }
  });

  it('warns in one line, naming the variable, when a secret lands in the template in plain text', () => {
    assert.match(file.output, /AUTH_TOKEN lands in plain text in the CloudFormation template and the function's configuration.*AUTH_TOKEN_SSM_PARAMETER/);
    assert.ok(!file.output.includes('correct horse'), 'never the value');
    for (const packaged of [ssm, open, tuned]) assert.ok(!packaged.output.includes('plain text'), packaged.output);
  });

  it('refuses a bad package-time setting in one line naming the variable, before building', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ RESERVED_CONCURRENCY: 'ten' }, /^refusing to package: RESERVED_CONCURRENCY must be a whole number .*got "ten"\n$/],
      [{ ALARM_TOPIC_ARN: 'ops-alerts' }, /^refusing to package: ALARM_TOPIC_ARN must be an SNS topic ARN .*\n$/],
      [{ ALARM_URL_4XX_THRESHOLD: '0' }, /^refusing to package: ALARM_URL_4XX_THRESHOLD .*\n$/],
      [{ CONFIG_SSM_KMS_KEY_ARN: 'alias/aws/ssm' }, /^refusing to package: CONFIG_SSM_KMS_KEY_ARN must be the key ARN .*\n$/],
    ];
    for (const [extra, expected] of cases) {
      const out = join(dir.path, 'refused-setting');
      const result = await refused('npm', ['run', 'package', '--', '--package', out], offlineEnv(dir.path, { AUTH_TOKEN_SSM_PARAMETER: '/t', ...extra }));
      assert.notEqual(result.code, 0, JSON.stringify(extra));
      assert.match(result.stderr, expected);
      assert.ok(!result.stdout.includes('> node scripts/build.mjs'), `refused before building:\n${result.stdout}`);
      await assert.rejects(stat(out), 'nothing packaged');
    }
    // `serverless package` (and `deploy`) refuse too.
    const direct = await refused(join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless'), ['package', '--stage', 'prod', '--package', join(dir.path, 'direct-setting')], offlineEnv(dir.path, { AUTH_TOKEN_SSM_PARAMETER: '/t', RESERVED_CONCURRENCY: '0' }));
    assert.notEqual(direct.code, 0);
    assert.match(`${direct.stdout}${direct.stderr}`, /^refusing to package: RESERVED_CONCURRENCY must be a whole number .*got "0"$/m);
  });

  it('zips the esbuild bundle and config.yml, with no node_modules', async () => {
    assert.ok(ssm.entries.includes('dist/probe.mjs'));
    assert.ok(ssm.entries.includes('config.yml'));
    assert.ok(ssm.entries.every((entry) => !entry.includes('node_modules')), ssm.entries.join('\n'));
    assert.ok(ssm.entries.every((entry) => entry === 'config.yml' || entry.startsWith('dist/')), ssm.entries.join('\n'));
    const zip = await stat(join(ssm.out, 'pushgateway-exporter.zip'));
    assert.ok(zip.size < 1_000_000, `zip is ${zip.size} bytes`);
  });

  it('keeps the AWS SDK out of everything the YAML path loads at start', async () => {
    // Follow the static imports of dist/probe.mjs; dynamic import() targets are not loaded at start.
    const loaded = new Map<string, string>();
    const pending = ['dist/probe.mjs'];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (loaded.has(file)) continue;
      const content = await readFile(join(PROJECT_ROOT, file), 'utf8');
      loaded.set(file, content);
      for (const match of content.matchAll(/(?:^|[;\s}])(?:import|export)\s*(?:[^;'"()]*?from\s*)?["'](\.\/chunks\/[^"']+)["']/g)) {
        pending.push(join('dist', match[1] ?? ''));
      }
    }
    for (const [file, content] of loaded) assert.ok(!content.includes('AmazonSSM'), `SDK code in ${file}, loaded at start`);
    const sdkChunks = ssm.entries.filter((entry) => entry.startsWith('dist/chunks/') && !loaded.has(entry));
    const contents = await Promise.all(sdkChunks.map((chunk) => readFile(join(PROJECT_ROOT, chunk), 'utf8')));
    assert.ok(contents.some((content) => content.includes('AmazonSSM')), 'SDK chunk missing from the package');
    assert.ok(ssm.entries.every((entry) => !entry.startsWith('dist/server/')), 'the standalone server is not packaged');
  });
});
