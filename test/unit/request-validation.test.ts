// The answers the route table gives before a probe would read the Pushgateway (400, 404, 405, HEAD),
// so no Pushgateway runs here: the exporter points at a port nothing listens on. The answers that
// need one are in test/integration/routes.test.ts and test/integration/probe-states.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { tempDir, type TempDir } from '../support/processes.ts';
import { get } from '../support/route-request.ts';

/** Nothing listens on port 1: a probe that did read would say probe_pushgateway_up 0, not fail the request. */
const UNUSED_PUSHGATEWAY = 'http://127.0.0.1:1';

const CONFIG = `pushgateway_url: "${UNUSED_PUSHGATEWAY}"
scrape_interval_seconds: 3
max_stale_seconds: 20
timeout_seconds: 1
services:
  - name: service1
    freshness_threshold_seconds: 5
  - name: service2
    freshness_threshold_seconds: 5
`;

describe('the route table, before any Pushgateway read', () => {
  let dir: TempDir;
  let runtime: Runtime;

  before(async () => {
    dir = await tempDir();
    runtime = runtimeFromEnvironment({ CONFIG_FILE: await dir.file('config.yml', CONFIG), LOG_LEVEL: 'error' }, { cwd: '/' });
  });
  after(async () => {
    await runtime.close();
    await dir.remove();
  });

  it('rejects bad requests with one-line reasons and never echoes the target raw', async () => {
    const cases: [HttpRequest, number, RegExp][] = [
      [get('/probe'), 400, /^missing target parameter: use \/probe\?target=NAME\n$/],
      [get('/probe', { target: '' }), 400, /^missing target parameter/],
      [get('/probe', { target: ['service1', 'service2'] }), 400, /^target given 2 times/],
      [get('/probe', { target: 'evil\nprobe_success 1 "x"' }), 404, /^unknown target "evil\\nprobe_success 1 \\"x\\"": not a configured service/],
      [get('/probe', { target: 'http://169.254.169.254/latest' }), 404, /^unknown target "http:\/\/169\.254\.169\.254\/latest"/],
      [get('/probe', { target: 'service1' }, { 'x-prometheus-scrape-timeout-seconds': 'soon' }), 400, /^invalid X-Prometheus-Scrape-Timeout-Seconds header "soon"/],
      [get('/probe', { target: 'service1' }, {}, 'POST'), 405, /^method "POST" not allowed on \/probe: use GET or HEAD\n$/],
      [get('/metrics/job/x'), 404, /^not found: "\/metrics\/job\/x"/],
    ];
    for (const [request, status, body] of cases) {
      const response = await handleRequest(request, runtime);
      assert.equal(response.status, status, `${request.method} ${request.path}?${request.query}`);
      assert.match(response.body, body);
      assert.equal(response.body.trimEnd().split('\n').length, 1, 'one line');
      assert.doesNotMatch(response.body, /\s+at\s.+:\d+:\d+/, 'no stack trace');
    }
    const notAllowed = await handleRequest(get('/-/healthy', {}, {}, 'DELETE'), runtime);
    assert.equal(notAllowed.headers.allow, 'GET, HEAD');
    const longTarget = await handleRequest(get('/probe', { target: 'x'.repeat(10_000) }), runtime);
    assert.ok(longTarget.body.length < 300);
  });

  it('answers HEAD as GET, keeping the body for its Content-Length (each entry point sends none)', async () => {
    const response = await handleRequest(get('/probe', { target: 'service2' }, {}, 'HEAD'), runtime);
    assert.equal(response.status, 200);
    assert.match(response.body, /^probe_success [01]$/m);
  });

  it('answers GET /?format=xml with 400 and POST / with 405', async () => {
    assert.equal((await handleRequest(get('/', { format: 'xml' }), runtime)).status, 400);
    assert.equal((await handleRequest(get('/', {}, {}, 'POST'), runtime)).status, 405);
  });
});
