import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { FakeSsm } from '../support/fake-ssm.ts';
import { PROJECT_ROOT, pushHeartbeat, sampleValue, startPushgateway, type RunningProcess } from '../support/processes.ts';

type Handler = (event: LambdaFunctionURLEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const probeEvent = (target: string) =>
  ({ rawPath: '/probe', rawQueryString: `target=${target}`, headers: {}, requestContext: { http: { method: 'GET' } } }) as unknown as LambdaFunctionURLEvent;

describe('the bundled Lambda handler with CONFIG_SSM_PARAMETER', () => {
  const ssm = new FakeSsm();
  let pushgateway: RunningProcess;
  let handler: Handler;

  before(async () => {
    await ssm.start();
    pushgateway = await startPushgateway();
    ssm.parameters.set('/exporter/config', { type: 'SecureString', value: `pushgateway_url: "${pushgateway.url}"\nservices:\n  - name: billing\n` });
    Object.assign(process.env, {
      CONFIG_SSM_PARAMETER: '/exporter/config',
      AWS_ENDPOINT_URL_SSM: ssm.url,
      AWS_REGION: 'eu-central-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      LOG_LEVEL: 'error',
    });
    ({ handler } = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href)) as { handler: Handler });
  });
  after(async () => {
    await pushgateway.stop();
    await ssm.stop();
  });

  it('loads the SDK chunk, reads and decrypts the parameter, and probes', async () => {
    await pushHeartbeat(pushgateway.url, 'billing', Date.now() / 1000);
    const result = await handler(probeEvent('billing'), { getRemainingTimeInMillis: () => 10_000 } as unknown as Context);
    assert.equal(result.statusCode, 200, String(result.body));
    assert.equal(sampleValue(String(result.body), 'probe_success'), 1);
    assert.deepEqual(ssm.requests.map((r) => r.body), [{ Name: '/exporter/config', WithDecryption: true }]);
  });
});
