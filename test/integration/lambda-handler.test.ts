import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Context, LambdaFunctionURLEvent, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROJECT_ROOT, pushHeartbeat, sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

type Handler = (event: LambdaFunctionURLEvent, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const baseEvent = JSON.parse(
  await readFile(join(PROJECT_ROOT, 'test', 'fixtures', 'events', 'function-url-probe.json'), 'utf8'),
) as LambdaFunctionURLEvent;

function event(rawPath: string, rawQueryString: string, method = 'GET', headers: Record<string, string> = {}): LambdaFunctionURLEvent {
  return {
    ...baseEvent,
    rawPath,
    rawQueryString,
    headers: { ...baseEvent.headers, ...headers },
    requestContext: { ...baseEvent.requestContext, http: { ...baseEvent.requestContext.http, method, path: rawPath } },
  };
}

function context(remainingMs: number): Context {
  return { getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

describe('the bundled Lambda handler (dist/probe.mjs) with function URL events', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  let handler: Handler;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', 'pushgateway_url: "http://pushgateway:9091"\nscrape_interval_seconds: 1\nservices:\n  - name: service1\n    freshness_threshold_seconds: 5\n');
    // The handler reads its environment once, at import, as in a Lambda container.
    process.env.CONFIG_FILE = config;
    process.env.PUSHGATEWAY_URL = pushgateway.url;
    process.env.LOG_LEVEL = 'error';
    ({ handler } = (await import(pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href)) as { handler: Handler });
  });
  after(async () => {
    await pushgateway.stop();
    await dir.remove();
  });

  it('answers a Prometheus probe from the function URL event', async () => {
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    const result = await handler(event('/probe', 'target=service1'), context(10_000));
    assert.equal(result.statusCode, 200);
    assert.equal(result.headers?.['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(sampleValue(String(result.body), 'probe_success'), 1);
  });

  it('maps methods, paths and query errors to the same answers as every entry point', async () => {
    const cases: [LambdaFunctionURLEvent, number][] = [
      [event('/-/healthy', ''), 200],
      [event('/probe', ''), 400],
      [event('/probe', 'target=nobody'), 404],
      [event('/probe', 'target=service1', 'PUT'), 405],
      [event('/favicon.ico', ''), 404],
    ];
    for (const [request, status] of cases) {
      const result = await handler(request, context(10_000));
      assert.equal(result.statusCode, status, `${request.requestContext.http.method} ${request.rawPath}?${request.rawQueryString}`);
      assert.equal(String(result.body).trimEnd().split('\n').length, 1);
    }
  });

  it('matches rawPath exactly: //probe, /probe/, /./probe, /%70robe, /probe;x are 404, never another route', async () => {
    for (const rawPath of ['//probe', '/probe/', '/./probe', '/x/../probe', '/%70robe', '/probe;x', '//', '//-/healthy', '/-/healthy/']) {
      const result = await handler(event(rawPath, 'target=service1'), context(10_000));
      assert.equal(result.statusCode, 404, rawPath);
      assert.match(String(result.body), /^not found: "[^"]*" \(routes: [^\n]*\)\n$/);
    }
  });

  it('answers a one-line 400, never a throw (a 502 from Lambda), to an incomplete event', async () => {
    const { requestContext: _context, ...noContext } = baseEvent;
    const { rawPath: _path, ...noPath } = baseEvent;
    const cases: [unknown, RegExp][] = [
      [noContext, /^invalid event: no requestContext\.http\.method/],
      [{ ...baseEvent, requestContext: {} }, /^invalid event: no requestContext\.http\.method/],
      [noPath, /^invalid event: rawPath must be a string starting with "\/", got undefined/],
      [{ ...baseEvent, rawPath: null }, /^invalid event: rawPath must be a string/],
      [{ ...baseEvent, headers: 'x' }, /^invalid event: headers must be an object, got string/],
      [{ ...baseEvent, headers: { authorization: 1 } }, /^invalid event: header "authorization" must be a string, got number/],
      [{ ...baseEvent, rawQueryString: 5 }, /^invalid event: rawQueryString must be a string, got number/],
      [null, /^invalid event: a function URL event \(payload format 2\.0\) is an object, got null/],
      [{}, /^invalid event: no requestContext\.http\.method/],
    ];
    for (const [incomplete, reason] of cases) {
      const result = await (handler as (event: unknown, context: Context) => Promise<APIGatewayProxyStructuredResultV2>)(incomplete, context(10_000));
      assert.equal(result.statusCode, 400, JSON.stringify(incomplete).slice(0, 80));
      assert.match(String(result.body), reason);
      assert.equal(String(result.body).trimEnd().split('\n').length, 1);
    }
    const { headers: _headers, ...noHeaders } = baseEvent;
    const headless = await handler({ ...noHeaders, rawQueryString: 'target=service1' } as LambdaFunctionURLEvent, context(10_000));
    assert.equal(headless.statusCode, 200, 'no headers at all is a request with no headers');
  });

  /** Puts a listener that accepts and never answers at the Pushgateway's address, past the cache interval. */
  async function withHangingPushgateway(run: () => Promise<void>): Promise<void> {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(pushgateway.port, '127.0.0.1', resolve));
    try {
      await sleep(1100); // past scrape_interval_seconds, so the probe must read again
      await run();
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  }

  it("bounds a probe by Lambda's remaining time when the Pushgateway hangs", async () => {
    await pushgateway.stop();
    await withHangingPushgateway(async () => {
      const result = await handler(event('/probe', 'target=service1&debug=true'), context(600));
      assert.equal(result.statusCode, 200);
      // 600 ms remaining − 250 ms reserve: less than timeout_seconds (5) and the scrape timeout (4.5 − 0.5).
      const waited = Number(/error: Pushgateway at http:\/\/127\.0\.0\.1:\d+ did not answer within (\d+\.\d+)s/.exec(String(result.body))?.[1]);
      assert.ok(waited <= 0.35 && waited > 0.2, String(result.body));
      assert.match(String(result.body), /^probe_pushgateway_up 0$/m);
      assert.match(String(result.body), /^probe_snapshot_age_seconds \d/m, 'the last snapshot (within max_stale_seconds) answered');
      assert.match(String(result.body), /^probe_heartbeat_found 1$/m);
    });
  });

  it('honours X-Prometheus-Scrape-Timeout-Seconds minus the offset', async () => {
    await withHangingPushgateway(async () => {
      const headers = { 'X-Prometheus-Scrape-Timeout-Seconds': '1' };
      const result = await handler(event('/probe', 'target=service1&debug=true', 'GET', headers), context(10_000));
      const waited = Number(/did not answer within (\d+\.\d+)s/.exec(String(result.body))?.[1]);
      assert.ok(waited <= 0.5 && waited > 0.35, String(result.body));
    });
  });
});
