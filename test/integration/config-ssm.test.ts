import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { FakeSsm } from '../support/fake-ssm.ts';
import { sampleValue, startPushgateway, type RunningProcess } from '../support/processes.ts';

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const PARAMETER = '/pushgateway-exporter/config';

const probe = (target: string): HttpRequest => ({ method: 'GET', path: '/probe', query: new URLSearchParams({ target }), headers: {} });

const yamlFor = (services: string[], ttl = 60) =>
  `pushgateway_url: "http://pushgateway:9091"\nconfig_ttl_seconds: ${ttl}\nservices:\n${services.map((s) => `  - name: ${s}\n`).join('')}`;

// The faults moto_server cannot produce (throttling, internal errors, AccessDenied) and the signed
// request on the wire, against test/support/fake-ssm.ts; the success paths run against moto in
// ssm-moto.test.ts.
describe('config from SSM Parameter Store: faults and the wire (real @aws-sdk/client-ssm, fake endpoint)', () => {
  const ssm = new FakeSsm();
  let pushgateway: RunningProcess;
  let now = Date.now();
  let logs: string[] = [];
  const runtimes: Runtime[] = [];

  function runtime(parameter = PARAMETER): Runtime {
    const made = runtimeFromEnvironment(
      { CONFIG_SSM_PARAMETER: parameter, PUSHGATEWAY_URL: pushgateway.url, LOG_LEVEL: 'debug' },
      { cwd: '/', clock: () => now, writeLog: (line) => logs.push(line) },
    );
    runtimes.push(made);
    return made;
  }

  before(async () => {
    await ssm.start();
    pushgateway = await startPushgateway();
    process.env.AWS_ENDPOINT_URL_SSM = ssm.url;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    process.env.AWS_SECRET_ACCESS_KEY = SECRET_KEY;
    process.env.AWS_SESSION_TOKEN = 'session-token-that-must-not-leak';
  });
  after(async () => {
    await Promise.all(runtimes.map((e) => e.close()));
    await pushgateway.stop();
    await ssm.stop();
  });
  beforeEach(() => {
    ssm.fault = undefined;
    ssm.parameters.clear();
    ssm.requests.length = 0;
    logs = [];
  });

  it('loads a String parameter with GetParameter over AWS JSON 1.1, signed', async () => {
    ssm.parameters.set(PARAMETER, { type: 'String', value: yamlFor(['service1']) });
    const response = await handleRequest(probe('service1'), runtime());
    assert.equal(response.status, 200);
    assert.equal(sampleValue(response.body, 'probe_config_last_reload_successful'), 1);
    assert.equal(ssm.requests.length, 1);
    const [request] = ssm.requests;
    assert.equal(request?.target, 'AmazonSSM.GetParameter');
    assert.equal(request?.contentType, 'application/x-amz-json-1.1');
    assert.match(request?.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/ssm\/aws4_request/);
    assert.deepEqual(request?.body, { Name: PARAMETER, WithDecryption: true });
  });

  for (const [fault, reason] of [
    ['throttle', /ThrottlingException: Rate exceeded/],
    ['internal', /InternalServerError: internal failure/],
    ['denied', /AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role\/exporter is not authorized/],
    ['deleted', /ParameterNotFound/],
    ['invalid YAML', /invalid config in SSM parameter \/pushgateway-exporter\/config: services\[0\]\.freshness_threshold_seconds: must be a positive number, got \\"soon\\"/],
  ] as const) {
    it(`keeps the last good config when a refresh fails (${fault}), logging the reason once`, async () => {
      ssm.parameters.set(PARAMETER, { type: 'String', value: yamlFor(['service1']) });
      const made = runtime();
      assert.equal((await handleRequest(probe('service1'), made)).status, 200);
      if (fault === 'deleted') ssm.parameters.clear();
      else if (fault === 'invalid YAML') ssm.parameters.set(PARAMETER, { type: 'String', value: `${yamlFor(['service1'])}    freshness_threshold_seconds: soon\n` });
      else ssm.fault = fault;
      now += 60_000;
      const kept = await handleRequest(probe('service1'), made);
      assert.equal(kept.status, 200);
      assert.equal(sampleValue(kept.body, 'probe_config_last_reload_successful'), 0);
      await handleRequest(probe('service1'), made);
      const failures = logs.filter((line) => line.includes('"config load failed"'));
      assert.equal(failures.length, 1, logs.join('\n'));
      assert.match(failures[0] ?? '', /"source":"ssm:\/pushgateway-exporter\/config"/);
      assert.match(failures[0] ?? '', reason);
      ssm.fault = undefined;
      ssm.parameters.set(PARAMETER, { type: 'String', value: yamlFor(['service1']) });
      now += 60_000;
      const recovered = await handleRequest(probe('service1'), made);
      assert.equal(sampleValue(recovered.body, 'probe_config_last_reload_successful'), 1);
    });
  }

  it('takes bearer tokens from AUTH_TOKEN_SSM_PARAMETER, fails closed before they load, and picks up a rotation', async () => {
    ssm.parameters.set(PARAMETER, { type: 'String', value: yamlFor(['service1']) });
    const made = runtimeFromEnvironment(
      { CONFIG_SSM_PARAMETER: PARAMETER, AUTH_TOKEN_SSM_PARAMETER: '/exporter/tokens', PUSHGATEWAY_URL: pushgateway.url, LOG_LEVEL: 'debug' },
      { cwd: '/', clock: () => now, writeLog: (line) => logs.push(line) },
    );
    runtimes.push(made);
    const withToken = (token: string): HttpRequest => ({ ...probe('service1'), headers: { authorization: `Bearer ${token}` } });
    const closed = await handleRequest(withToken('anything'), made);
    assert.equal(closed.status, 503);
    assert.equal(closed.body, 'bearer tokens not loaded yet; see the exporter logs\n');
    assert.ok(logs.some((line) => line.includes('"bearer tokens load failed"') && line.includes('ParameterNotFound')), 'the reason is logged');
    assert.equal((await handleRequest({ ...probe('x'), path: '/-/healthy' }, made)).status, 200);
    ssm.parameters.set('/exporter/tokens', { type: 'SecureString', value: 'old-token,new-token' });
    now += 5_000;
    assert.equal((await handleRequest(withToken('old-token'), made)).status, 200);
    assert.equal((await handleRequest(withToken('new-token'), made)).status, 200);
    assert.equal((await handleRequest(withToken('other'), made)).status, 401);
    ssm.parameters.set('/exporter/tokens', { type: 'SecureString', value: 'new-token' });
    now += 60_000;
    assert.equal((await handleRequest(withToken('old-token'), made)).status, 401);
    assert.equal((await handleRequest(withToken('new-token'), made)).status, 200);
    ssm.fault = 'throttle';
    now += 60_000;
    assert.equal((await handleRequest(withToken('new-token'), made)).status, 200, 'the last good tokens stay in force');
    assert.ok(!logs.join('\n').includes('new-token'), 'tokens never logged');
  });

  it('never writes credentials to the logs', async () => {
    ssm.fault = 'denied';
    await handleRequest(probe('service1'), runtime());
    ssm.fault = undefined;
    ssm.parameters.set(PARAMETER, { type: 'String', value: yamlFor(['service1']) });
    await handleRequest(probe('service1'), runtime());
    assert.ok(logs.length >= 2);
    const all = logs.join('\n');
    for (const secret of [SECRET_KEY, 'session-token-that-must-not-leak', 'AWS4-HMAC-SHA256', 'Signature=']) {
      assert.ok(!all.includes(secret), `logs contain ${secret}`);
    }
  });
});
