import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { captureStderr } from '../support/stderr-capture.ts';

type Handler = (event: unknown, context?: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

const event = (rawPath: string, headers: Record<string, string> = {}) =>
  ({ version: '2.0', rawPath, rawQueryString: 'target=service1', headers, requestContext: { http: { method: 'GET', path: rawPath } } });

/**
 * A fresh copy of the bundled handler (its own module instance, as in a new Lambda container),
 * with `env` read at import. Its error log lines are collected.
 */
async function importHandler(env: Record<string, string>, copy: string): Promise<{ handler: Handler; logs: string[] }> {
  const saved = { ...process.env };
  const logs: string[] = [];
  Object.assign(process.env, env);
  const release = captureStderr(logs);
  try {
    const module = (await import(`${pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href}?${copy}`)) as { handler: Handler };
    return { handler: module.handler, logs };
  } finally {
    release();
    for (const key of Object.keys(env)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

describe('the bundled Lambda handler (dist/probe.mjs) fails closed on its environment', () => {
  let dir: TempDir;
  let config: string;

  before(async () => {
    dir = await tempDir();
    // Nothing listens on port 1: every case here is decided before a Pushgateway read.
    config = await dir.file('config.yml', 'pushgateway_url: "http://127.0.0.1:1"\nservices:\n  - name: service1\n');
  });
  after(async () => dir?.remove());

  for (const [name, value] of [['AUTH_TOKEN', ' , '], ['AUTH_TOKEN', ' '], ['AUTH_TOKEN_SSM_PARAMETER', '  '], ['PUSHGATEWAY_BEARER_TOKEN', ' ']] as const) {
    it(`answers 503 on every route, /-/healthy too, with one line naming ${name}, when ${name}=${JSON.stringify(value)}`, async () => {
      const { handler, logs } = await importHandler({ CONFIG_FILE: config, LOG_LEVEL: 'info', [name]: value }, `${name}-${value.length}`);
      for (const path of ['/-/healthy', '/probe', '/probes', '/metrics', '/', '/nowhere']) {
        for (const headers of [{}, { authorization: `Bearer ${value}` }, { authorization: 'Bearer x' }] as Record<string, string>[]) {
          const result = await handler(event(path, headers));
          assert.equal(result.statusCode, 503, `${path} ${JSON.stringify(headers)}`);
          assert.match(String(result.body), new RegExp(`^exporter misconfigured: ${name} holds [^\\n]+\\n$`));
        }
      }
      assert.ok(logs.some((line) => line.includes('"msg":"exporter misconfigured: every request answers 503"') && line.includes(`"error":"${name} holds`)), logs.join(''));
    });
  }

  it('never throws on random partial events, and never lets one past auth (property)', async () => {
    const { handler } = await importHandler({ CONFIG_FILE: config, LOG_LEVEL: 'error', AUTH_TOKEN: 'correct horse battery staple' }, 'auth');
    const value = fc.oneof(fc.anything(), fc.constantFrom('/probe', '//probe', '/-/healthy', 'GET', 'Bearer horse', 'Bearer correct horse battery staple'));
    const partial = fc.record(
      {
        rawPath: value,
        rawQueryString: value,
        headers: fc.oneof(value, fc.dictionary(fc.constantFrom('authorization', 'Authorization', 'x-prometheus-scrape-timeout-seconds', 'host'), value)),
        requestContext: fc.oneof(value, fc.record({ http: fc.oneof(value, fc.record({ method: value }, { requiredKeys: [] })) }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(partial, fc.anything()), fc.anything(), async (incomplete, context) => {
        const result = await handler(incomplete, context);
        const body = String(result.body);
        const { headers, rawPath } = (incomplete ?? {}) as { headers?: unknown; rawPath?: unknown };
        const withToken = typeof headers === 'object' && headers !== null
          && Object.entries(headers).some(([name, v]) => name.toLowerCase() === 'authorization' && v === 'Bearer correct horse battery staple');
        if (!withToken && rawPath !== '/-/healthy') {
          // Past auth only with the token: everything else is a 400 (the event) or a 401.
          assert.ok(result.statusCode === 400 || result.statusCode === 401, `${result.statusCode} ${body}`);
        }
        assert.ok(Number(result.statusCode) < 500, `${result.statusCode} ${body}`);
        if (Number(result.statusCode) >= 400) assert.equal(body.trimEnd().split('\n').length, 1, body);
      }),
      { numRuns: 1500 },
    );
  });
});
