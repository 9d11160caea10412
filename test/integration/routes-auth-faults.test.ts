import assert from 'node:assert/strict';
import { type createServer } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { PROJECT_ROOT, pushHeartbeat, sampleValue, startPushgateway } from '../support/processes.ts';
import { get } from '../support/route-request.ts';
import { routesConfigText, routesOnPushgateway } from '../support/routes-fixture.ts';

/** The wait a debug answer reports in "did not answer within N s". */
function waitedSeconds(body: string): number {
  const match = /did not answer within (\d+\.\d+)s/.exec(body);
  assert.ok(match, `no wait reported in:\n${body}`);
  return Number(match[1]);
}

describe('routes against a real Pushgateway: auth, faults and fallbacks', () => {
  const routes = routesOnPushgateway();
  const { setup, fakePushgateway } = routes;

  it('demands a bearer token on every route but /-/healthy when AUTH_TOKEN is set', async () => {
    const file = await routes.dir.file('auth.yml', routesConfigText(routes.pushgateway.url));
    const runtime = routes.track(runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error', AUTH_TOKEN: 'old-token,new-token' }, { cwd: '/' }));
    for (const request of [get('/probe', { target: 'service2' }), get('/probe'), get('/elsewhere'), get('/probe', { target: 'service2' }, { authorization: 'Bearer nope' })]) {
      const response = await handleRequest(request, runtime);
      assert.equal(response.status, 401, request.path);
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="pushgateway-exporter"');
      assert.equal(response.body, 'missing or wrong bearer token: send Authorization: Bearer <token>\n');
    }
    for (const token of ['old-token', 'new-token']) {
      const response = await handleRequest(get('/probe', { target: 'service2' }, { authorization: `Bearer ${token}` }), runtime);
      assert.equal(response.status, 200);
    }
    assert.equal((await handleRequest(get('/-/healthy'), runtime)).status, 200);
  });

  // Built once, before any probe's clock runs: made inside the handler, the 50 MB and its gzip
  // took the event loop the probe's 1 s timeout runs on, and a loaded machine ran out of it.
  const fiftyMegabytes = Buffer.alloc(50 * 1024 * 1024, 'x 1\n');
  const gzipBomb = gzipSync(fiftyMegabytes);
  const faults: [string, Parameters<typeof createServer>[1]][] = [
    ['answers HTTP 500', (_req, res) => { res.writeHead(500); res.end('internal error'); }],
    ['answers HTML instead of metrics', (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><body>502 Bad Gateway</body></html>'); }],
    ['answers a truncated label set', (_req, res) => { res.writeHead(200); res.end('loop_heartbeat_timestamp_seconds{instance="service1",job="hea'); }],
    ['claims gzip but sends plain text', (_req, res) => { res.writeHead(200, { 'content-encoding': 'gzip' }); res.end('x 1\n'); }],
    ['accepts the connection and never answers', () => undefined],
    ['trickles its body slower than the timeout allows', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      const timer = setInterval(() => res.write('# still here\n'), 100);
      res.on('close', () => clearInterval(timer));
    }],
    ['sends a 50 MB body, over max_body_bytes', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(fiftyMegabytes);
    }],
    ['sends a gzip bomb that inflates past max_body_bytes', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(gzipBomb);
    }],
  ];
  for (const [fault, handler] of faults) {
    it(`answers 200 with probe_success 0 and probe_pushgateway_up 0 when the Pushgateway ${fault}`, async () => {
      const url = await fakePushgateway(handler);
      // The oversized bodies meet a 1 MiB cap, so a loaded machine reaches it well within the second.
      const oversized = fault.includes('max_body_bytes');
      const { runtime } = await setup(oversized ? 'timeout_seconds: 1\nmax_body_bytes: 1048576' : 'timeout_seconds: 1', url);
      const started = performance.now();
      const response = await handleRequest(get('/probe', { target: 'service1', debug: 'true' }), runtime);
      assert.ok(performance.now() - started < 10_000, 'bounded by the timeout');
      assert.equal(response.status, 200);
      assert.match(response.body, /^probe_success 0$/m);
      assert.match(response.body, /^probe_pushgateway_up 0$/m);
      assert.match(response.body, /read succeeded: no/);
      assert.match(response.body, /error: Pushgateway at http:\/\/127\.0\.0\.1:\d+ /);
      if (oversized) assert.match(response.body, /sent more than max_body_bytes \(1048576\) bytes/);
      if (fault.includes('trickles')) assert.ok(waitedSeconds(response.body) <= 1, response.body);
    });
  }

  it('lets a probe with a short budget give up without cutting the shared read short for the others', async () => {
    const url = await fakePushgateway((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(`loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat"} ${Date.now() / 1000}\n`);
      }, 600);
    });
    const { runtime } = await setup('', url);
    const [hurried, patient] = await Promise.all([
      handleRequest(get('/probe', { target: 'service1', debug: 'true' }, { 'x-prometheus-scrape-timeout-seconds': '0.7' }), runtime),
      handleRequest(get('/probe', { target: 'service1' }), runtime),
    ]);
    assert.match(hurried.body, /^probe_pushgateway_up 0$/m);
    // 0.7 s scrape timeout − 0.5 s offset, less the time the config read took.
    assert.ok(waitedSeconds(hurried.body) <= 0.2 && waitedSeconds(hurried.body) > 0.05, hurried.body);
    assert.equal(sampleValue(patient.body, 'probe_pushgateway_up'), 1);
    assert.equal(sampleValue(patient.body, 'probe_success'), 1);
  });

  it('reads a Pushgateway behind basic auth (its --web.config.file) with credentials from the URL, never shown', async () => {
    const basic = { authorization: `Basic ${Buffer.from('scraper:pg-secret-pass').toString('base64')}` };
    const guarded = await startPushgateway([`--web.config.file=${join(PROJECT_ROOT, 'test', 'fixtures', 'pushgateway', 'web-basic-auth.yml')}`], basic);
    try {
      const push = await fetch(`${guarded.url}/metrics/job/heartbeat/instance/service1`, {
        method: 'PUT', body: `loop_heartbeat_timestamp_seconds ${Date.now() / 1000}\n`, headers: basic,
      });
      assert.equal(push.status, 200);
      const good = await setup('', guarded.url.replace('http://', 'http://scraper:pg-secret-pass@'));
      const ok = await handleRequest(get('/probe', { target: 'service1', debug: 'true' }), good.runtime);
      assert.match(ok.body, /^probe_success 1$/m);
      assert.match(ok.body, /pushgateway_url: http:\/\/redacted@127\.0\.0\.1:\d+/);
      assert.ok(!ok.body.includes('pg-secret-pass'));
      const wrong = await setup('', guarded.url.replace('http://', 'http://scraper:wrong@'));
      const refused = await handleRequest(get('/probe', { target: 'service1', debug: 'true' }), wrong.runtime);
      assert.match(refused.body, /^probe_pushgateway_up 0$/m);
      assert.match(refused.body, /answered HTTP 401 to GET \/metrics/);
    } finally {
      await guarded.stop();
    }
  });

  it('sends PUSHGATEWAY_BEARER_TOKEN to a Pushgateway behind a token proxy', async () => {
    const url = await fakePushgateway((req, res) => {
      if (req.headers.authorization !== 'Bearer pg-token-1') { res.writeHead(401); res.end('unauthorized\n'); return; }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(`loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat"} ${Date.now() / 1000}\n`);
    });
    const file = await routes.dir.file('bearer.yml', routesConfigText(url));
    // Trimmed, as every token is: a stray space or newline from a secret store must not break it.
    for (const token of ['pg-token-1', '  pg-token-1\n']) {
      const runtime = routes.track(runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error', PUSHGATEWAY_BEARER_TOKEN: token }, { cwd: '/' }));
      const response = await handleRequest(get('/probe', { target: 'service1', debug: 'true' }), runtime);
      assert.match(response.body, /^probe_success 1$/m, JSON.stringify(token));
      assert.match(response.body, /bearer token set, not shown/);
      assert.ok(!response.body.includes('pg-token-1'));
    }
  });

  it('falls back on the last snapshot within max_stale_seconds when the Pushgateway dies, then on nothing', async () => {
    const own = await startPushgateway();
    try {
      const file = await routes.dir.file('dies.yml', routesConfigText(own.url));
      const made = routes.runtimeFor(file);
        await pushHeartbeat(own.url, 'service1', Math.floor(made.nowSeconds()));
      const up = await handleRequest(get('/probe', { target: 'service1' }), made.runtime);
      assert.equal(sampleValue(up.body, 'probe_pushgateway_up'), 1);
      await own.stop();
      made.advance(3000);
      const stale = await handleRequest(get('/probe', { target: 'service1' }), made.runtime);
      assert.equal(stale.status, 200);
      assert.equal(sampleValue(stale.body, 'probe_pushgateway_up'), 0);
      assert.equal(sampleValue(stale.body, 'probe_snapshot_age_seconds'), 3);
      assert.equal(sampleValue(stale.body, 'probe_success'), 1, 'heartbeat 3 s old is still fresh');
      made.advance(18_000);
      const gone = await handleRequest(get('/probe', { target: 'service1' }), made.runtime);
      assert.equal(gone.status, 200);
      assert.equal(sampleValue(gone.body, 'probe_heartbeat_found'), 0);
      assert.equal(sampleValue(gone.body, 'probe_success'), 0);
      assert.equal(sampleValue(gone.body, 'probe_snapshot_age_seconds'), undefined);
    } finally {
      await own.stop();
    }
  });
});
