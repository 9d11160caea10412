import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyStructuredResultV2, Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { MOTO_ENVIRONMENT, startMotoSsm, type MotoSsm } from '../support/moto-ssm.ts';
import { PROJECT_ROOT, pushHeartbeat, sampleValue, startPushgateway, type RunningProcess } from '../support/processes.ts';

type Handler = (event: LambdaFunctionURLEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const probeEvent = (target: string) =>
  ({ rawPath: '/probe', rawQueryString: `target=${target}`, headers: {}, requestContext: { http: { method: 'GET' } } }) as unknown as LambdaFunctionURLEvent;

describe('the bundled Lambda handler with CONFIG_SSM_PARAMETER (moto_server: the real SSM API)', () => {
  let moto: MotoSsm;
  let pushgateway: RunningProcess;
  let handler: Handler;

  before(async () => {
    moto = await startMotoSsm();
    pushgateway = await startPushgateway();
    // A SecureString named by its ARN: moto hands it out decrypted only on WithDecryption.
    await moto.put('/exporter/config', `pushgateway_url: "${pushgateway.url}"\nservices:\n  - name: billing\n`, 'SecureString');
    Object.assign(process.env, {
      CONFIG_SSM_PARAMETER: moto.arn('/exporter/config'),
      AWS_ENDPOINT_URL_SSM: moto.url,
      ...MOTO_ENVIRONMENT,
      LOG_LEVEL: 'error',
    });
    ({ handler } = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href)) as { handler: Handler });
  });
  after(async () => {
    await pushgateway.stop();
    await moto?.stop();
  });

  it('loads the SDK chunk, reads and decrypts the parameter, and probes', async () => {
    await pushHeartbeat(pushgateway.url, 'billing', Date.now() / 1000);
    const result = await handler(probeEvent('billing'), { getRemainingTimeInMillis: () => 10_000 } as unknown as Context);
    assert.equal(result.statusCode, 200, String(result.body));
    assert.equal(sampleValue(String(result.body), 'probe_success'), 1);
  });
});
