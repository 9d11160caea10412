import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Context, LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { MAX_CHECK_IN_BODY_BYTES } from '../../lib/core/push/check-in.ts';
import { getText, PROJECT_ROOT, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { stateOf } from '../support/probe-state.ts';
import { captureStderr } from '../support/stderr-capture.ts';

// Check-ins through the bundled Lambda handler (dist/probe.mjs, `npm run build`) with function URL
// events, against a real Pushgateway (docs/check-ins.md).

type Handler = (event: LambdaFunctionURLEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const KEY = 'lambda-push-key';
const baseEvent = JSON.parse(await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'events', 'function-url-probe.json'), 'utf8')) as LambdaFunctionURLEvent;

function event(rawPath: string, options: { method?: string; body?: string; isBase64Encoded?: boolean; headers?: Record<string, string> } = {}): LambdaFunctionURLEvent {
  const method = options.method ?? 'GET';
  return {
    ...baseEvent, rawPath, rawQueryString: '', queryStringParameters: undefined,
    headers: { host: baseEvent.headers.host ?? '', 'user-agent': 'curl/8.5.0', ...options.headers },
    requestContext: { ...baseEvent.requestContext, http: { ...baseEvent.requestContext.http, method, path: rawPath } },
    body: options.body, isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'req-1' } as unknown as Context;

describe('check-ins through the bundled Lambda handler (function URL events)', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  let handler: Handler;
  const logs: string[] = [];
  let release: (() => void) | undefined;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', 'pushgateway_url: "http://pushgateway:9091"\nscrape_interval_seconds: 1\nservices:\n  - name: backup\n    freshness_threshold_seconds: 3600\n');
    // The handler reads its environment once, at import, as in a Lambda container; its log lines go to stderr.
    Object.assign(process.env, { CONFIG_FILE: config, PUSHGATEWAY_URL: pushgateway.url, LOG_LEVEL: 'debug', PUSH_TOKEN: KEY, AWS_LAMBDA_FUNCTION_NAME: 'probe' });
    release = captureStderr(logs);
    ({ handler } = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href)) as { handler: Handler });
  });
  after(async () => {
    release?.();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('pushes a /fail, then a plain ping, and the probe follows: failed, then up', async () => {
    const failed = await handler(event(`/ping/${KEY}/backup/fail`), context);
    assert.deepEqual([failed.statusCode, failed.body], [200, 'OK\n']);
    const probeEvent = { ...event('/probe'), rawQueryString: 'target=backup' };
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(stateOf(String((await handler(probeEvent, context)).body)), 'failed');
    const ok = await handler(event(`/ping/${KEY}/backup`, { method: 'POST', body: 'done\n' }), context);
    assert.equal(ok.statusCode, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal(stateOf(String((await handler(probeEvent, context)).body)), 'up');
    assert.match((await getText(`${pushgateway.url}/metrics`)).body, /^loop_heartbeat_timestamp_seconds\{instance="backup",job="heartbeat",service="backup"\} /m);
  });

  it('answers a wrong key 401, HEAD without a body, an oversized body (base64 or not) 413', async () => {
    assert.equal((await handler(event('/ping/nope/backup'), context)).statusCode, 401);
    assert.equal((await handler(event('/ping/backup', { headers: { authorization: 'Bearer nope' } }), context)).statusCode, 401);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const head = await handler(event(`/ping/${KEY}/backup/0`, { method: 'HEAD' }), context);
    assert.deepEqual([head.statusCode, head.body], [200, '']);
    const big = 'x'.repeat(MAX_CHECK_IN_BODY_BYTES + 1);
    assert.equal((await handler(event(`/ping/${KEY}/backup/start`, { method: 'POST', body: big }), context)).statusCode, 413);
    const bigBase64 = Buffer.from(big).toString('base64');
    assert.equal((await handler(event(`/ping/${KEY}/backup/start`, { method: 'POST', body: bigBase64, isBase64Encoded: true }), context)).statusCode, 413);
    const fits = Buffer.alloc(MAX_CHECK_IN_BODY_BYTES, 1).toString('base64');
    assert.equal((await handler(event(`/ping/${KEY}/backup/start`, { method: 'POST', body: fits, isBase64Encoded: true }), context)).statusCode, 200);
  });

  it('writes no key to the log lines CloudWatch would get, at debug', () => {
    const text = logs.join('');
    assert.match(text, /"route":"\/ping"/);
    assert.match(text, /"path":"\/ping\/<redacted>\/backup\/fail"/);
    assert.ok(!text.includes(KEY), 'the key in a log line');
  });
});
