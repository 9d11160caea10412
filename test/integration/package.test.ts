import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';

const run = promisify(execFile);

interface Resource { Type: string; Properties: Record<string, unknown> }
interface Statement { Effect: string; Action: string[]; Resource: unknown[]; Condition?: unknown }

/** Variables the package reads from the shell: none leaks in from the test's own environment. */
const PACKAGE_VARIABLES = ['AUTH_TOKEN', 'AUTH_TOKEN_SSM_PARAMETER', 'ALLOW_PUBLIC_FUNCTION_URL', 'CONFIG_SSM_PARAMETER', 'PUSHGATEWAY_URL', 'PUSHGATEWAY_BEARER_TOKEN'];

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
    const { stdout, stderr } = await run(command, args, { cwd: PROJECT_ROOT, env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function packageFor(dir: TempDir, name: string, extra: Record<string, string>) {
  const out = join(dir.path, name);
  await run('npm', ['run', 'package', '--silent', '--', '--package', out], { cwd: PROJECT_ROOT, env: offlineEnv(dir.path, extra), timeout: 240_000 });
  const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as { Resources: Record<string, Resource> };
  const { stdout } = await run('unzip', ['-Z1', join(out, 'pushgateway-exporter.zip')]);
  const statements = (
    (template.Resources.IamRoleLambdaExecution?.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[])[0]?.PolicyDocument.Statement ?? []
  );
  return { out, template, entries: stdout.trim().split('\n'), statements };
}

const ofType = (resources: Record<string, Resource>, type: string) => Object.values(resources).filter((r) => r.Type === type);

describe('npm run package (stage prod, offline, no AWS credentials)', () => {
  let dir: TempDir;
  let ssm: Awaited<ReturnType<typeof packageFor>>;
  let file: Awaited<ReturnType<typeof packageFor>>;
  let open: Awaited<ReturnType<typeof packageFor>>;

  before(async () => {
    dir = await tempDir('pgx-package-');
    ssm = await packageFor(dir, 'ssm', {
      CONFIG_SSM_PARAMETER: '/pushgateway-exporter/config', AUTH_TOKEN_SSM_PARAMETER: 'pushgateway-exporter/tokens', PUSHGATEWAY_URL: 'https://pushgateway.example.com',
    });
    file = await packageFor(dir, 'file', { AUTH_TOKEN: 'correct horse battery staple' });
    open = await packageFor(dir, 'public', { ALLOW_PUBLIC_FUNCTION_URL: 'true' });
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

  it('grants ssm:GetParameter on the configured parameter only, and kms:Decrypt only via SSM', () => {
    const get = ssm.statements.find((s) => s.Action.includes('ssm:GetParameter'));
    assert.deepEqual(get?.Action, ['ssm:GetParameter']);
    assert.deepEqual(get?.Resource, [
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pushgateway-exporter/config' },
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/pushgateway-exporter/tokens' },
    ]);
    const decrypt = ssm.statements.find((s) => s.Action.includes('kms:Decrypt'));
    assert.deepEqual(decrypt?.Condition, { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } });
    for (const statement of [...ssm.statements, ...file.statements]) {
      assert.ok(!JSON.stringify(statement.Resource).includes('"*"'), `no Resource "*": ${JSON.stringify(statement)}`);
      assert.ok(statement.Action.every((action) => !action.endsWith('*')), `no wildcard action: ${JSON.stringify(statement)}`);
    }
    assert.ok(!file.statements.some((s) => JSON.stringify(s).includes('ssm:') || JSON.stringify(s).includes('kms:')), 'file config: no SSM or KMS access');
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
