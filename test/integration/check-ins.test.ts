import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_CHECK_IN_BODY_BYTES } from '../../lib/core/push/check-in.ts';
import { startCheckInServer, send, type CheckInServer } from '../support/check-in-server.ts';
import { freePort, getText, sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { stateOf } from '../support/probe-state.ts';

// Check-ins through the node:http adapter (npm run serve) against a real Pushgateway:
// docs/check-ins.md.

const KEY = 'push-key-1';
const OTHER_KEY = 'push-key-2';
const SCRAPE_TOKEN = 'scrape-token';

const configText = (pushgatewayUrl: string) => `pushgateway_url: "${pushgatewayUrl}"
scrape_interval_seconds: 1
services:
  - name: backup
    freshness_threshold_seconds: 3600
  - name: nightly
    job: cron
    freshness_threshold_seconds: 3600
  - name: codes
    freshness_threshold_seconds: 3600
  - name: loop
    freshness_threshold_seconds: 3600
`;

/** The state a fresh probe gives `service` (past the 1 s snapshot interval). */
async function stateAfterPing(server: CheckInServer, service: string): Promise<string | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const probe = await getText(`${server.url}/probe?target=${service}`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
  assert.equal(probe.status, 200);
  return stateOf(probe.body);
}

describe('check-ins through node:http with a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  let server: CheckInServer;

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
    const config = await dir.file('config.yml', configText(pushgateway.url));
    server = await startCheckInServer({ CONFIG_FILE: config, LOG_LEVEL: 'debug', PUSH_TOKEN: `${KEY}, ${OTHER_KEY}`, AUTH_TOKEN: SCRAPE_TOKEN });
  });
  after(async () => {
    await server?.close();
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('pushes what `push` pushes: a plain ping is a heartbeat in {job, instance=<service>}, and the probe is up', async () => {
    const response = await send(server.url, `/ping/${KEY}/backup`);
    assert.deepEqual([response.status, response.body], [200, 'OK\n']);
    const metrics = await getText(`${pushgateway.url}/metrics`);
    const heartbeat = sampleValue(metrics.body, 'loop_heartbeat_timestamp_seconds{instance="backup",job="heartbeat",service="backup"}');
    assert.ok(heartbeat !== undefined && Math.abs(heartbeat - Date.now() / 1000) < 10, metrics.body);
    assert.match(metrics.body, /^# TYPE loop_heartbeat_timestamp_seconds gauge$/m);
    assert.equal(await stateAfterPing(server, 'backup'), 'up');
  });

  it('/fail makes the probe failed, then a plain ping makes it up again; /start shows a run going', async () => {
    assert.equal((await send(server.url, `/ping/${KEY}/nightly`)).status, 200);
    assert.equal((await send(server.url, `/ping/${KEY}/nightly/fail`)).status, 200);
    assert.equal(await stateAfterPing(server, 'nightly'), 'failed');
    // The service's own job is the grouping key's, as the probe reads it.
    assert.match((await getText(`${pushgateway.url}/metrics`)).body, /^loop_failure_timestamp_seconds\{instance="nightly",job="cron",service="nightly"\} /m);
    assert.equal((await send(server.url, `/ping/${KEY}/nightly/start`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const debug = await getText(`${server.url}/probe?target=nightly&debug=true`, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
    assert.match(debug.body, /loop_start_timestamp_seconds: .*\(running\)/);
    assert.equal((await send(server.url, `/ping/${KEY}/nightly`)).status, 200);
    assert.equal(await stateAfterPing(server, 'nightly'), 'up');
  });

  it('reads exit codes: /0 is a success, /1 and /255 failures, /256 a bad request, any other word no route', async () => {
    assert.equal((await send(server.url, `/ping/${KEY}/codes/1`)).status, 200);
    assert.equal(await stateAfterPing(server, 'codes'), 'failed');
    assert.equal((await send(server.url, `/ping/${KEY}/codes/0`)).status, 200);
    assert.equal(await stateAfterPing(server, 'codes'), 'up');
    assert.equal((await send(server.url, `/ping/${KEY}/codes/255`)).status, 200);
    assert.equal(await stateAfterPing(server, 'codes'), 'failed');
    const bad = await send(server.url, `/ping/${KEY}/codes/256`);
    assert.deepEqual([bad.status, bad.body], [400, 'exit code must be a whole number from 0 to 255, got "256"\n']);
    assert.equal((await send(server.url, `/ping/${KEY}/codes/log`)).status, 404);
  });

  it('takes the key as Authorization: Bearer, then the path names only the service', async () => {
    const response = await send(server.url, '/ping/loop/start', { headers: { authorization: `Bearer ${OTHER_KEY}` } });
    assert.equal(response.status, 200);
    assert.match((await getText(`${pushgateway.url}/metrics`)).body, /^loop_start_timestamp_seconds\{instance="loop",job="heartbeat",service="loop"\} /m);
  });

  it('answers every wrong or missing key with the same 401, whether the service exists or not; the scrape token is no push key', async () => {
    const answers = await Promise.all([
      send(server.url, '/ping/wrong/backup'), send(server.url, '/ping/wrong/no-such-service'), send(server.url, `/ping/${SCRAPE_TOKEN}/backup`),
      send(server.url, '/ping/backup', { headers: { authorization: 'Bearer wrong' } }), send(server.url, '/ping/backup', { headers: { authorization: 'Bearer ' } }),
      send(server.url, `/ping/${KEY.toUpperCase()}/backup`),
    ]);
    for (const answer of answers) {
      assert.deepEqual([answer.status, answer.body, answer.headers['www-authenticate']], [401, 'missing or wrong push key\n', 'Bearer realm="pushgateway-exporter check-ins"']);
    }
  });

  it('answers an unknown service 404 once the key is right; a malformed URL is no route', async () => {
    const unknown = await send(server.url, `/ping/${KEY}/no-such-service`);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body, /^unknown service "no-such-service"/);
    for (const target of [`/ping/${KEY}`, `/ping/${KEY}/backup/fail/x`, `/ping/${KEY}//fail`]) assert.equal((await send(server.url, target)).status, 404, target);
  });

  it('answers HEAD like GET without a body, POST too; another method 405', async () => {
    const head = await send(server.url, `/ping/${KEY}/backup/0`, { method: 'HEAD' });
    assert.deepEqual([head.status, head.body], [200, '']);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past backup's success window
    const post = await send(server.url, `/ping/${KEY}/backup`, { method: 'POST', body: Buffer.from('backup done: 12 GB\n') });
    assert.deepEqual([post.status, post.body], [200, 'OK\n']);
    const put = await send(server.url, `/ping/${KEY}/backup`, { method: 'PUT' });
    assert.deepEqual([put.status, put.headers.allow], [405, 'GET, POST, HEAD']);
  });

  it(`reads a POST body up to ${MAX_CHECK_IN_BODY_BYTES} bytes and ignores it; a larger one is 413 without being read`, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await send(server.url, `/ping/${KEY}/loop`, { method: 'POST', body: Buffer.alloc(MAX_CHECK_IN_BODY_BYTES, 97) })).status, 200);
    // Content-Length says 64 MB, 1 KB of it sent: answered without waiting for (or reading) the rest.
    const declared = await send(server.url, `/ping/${KEY}/loop`, { method: 'POST', body: Buffer.alloc(1024, 97), declaredLength: 64 * 1024 * 1024 });
    assert.deepEqual([declared.status, declared.headers.connection], [413, 'close']);
    // Chunked, no length: read until one byte past the limit, then answered.
    const chunked = await send(server.url, `/ping/${KEY}/loop`, { method: 'POST', body: Array.from({ length: 64 }, () => Buffer.alloc(1024, 98)) });
    assert.equal(chunked.status, 413);
    // The server still serves (no buffer kept, no connection left hanging).
    assert.equal((await send(server.url, '/-/healthy')).status, 200);
  });

  it('bounds the rate: one push per service and signal per second, 429 with Retry-After beyond; a quick start then success both land', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const burst = await Promise.all(Array.from({ length: 20 }, () => send(server.url, `/ping/${KEY}/loop`)));
    assert.deepEqual(burst.map((answer) => answer.status).sort(), [200, ...Array<number>(19).fill(429)]);
    const refused = burst.find((answer) => answer.status === 429);
    assert.equal(refused?.headers['retry-after'], '1');
    assert.equal((await send(server.url, `/ping/${KEY}/loop/start`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await send(server.url, `/ping/${KEY}/loop`)).status, 200);
  });

  it('never writes a key to the log, not even at debug: the path is logged redacted', async () => {
    // Near misses are 404s, logged at debug with their path: a base URL with a trailing slash, a dot segment, an encoded or upper-case ping.
    for (const path of [`//ping/${KEY}/backup`, `/./ping/${KEY}/backup`, `/%70ing/${KEY}/backup`, `/PING/${KEY}/backup`, `/ping//${KEY}/backup`]) {
      const answer = await send(server.url, path, { headers: { authorization: `Bearer ${SCRAPE_TOKEN}` } });
      assert.equal(answer.status, 404, path);
      assert.ok(!answer.body.includes(KEY), answer.body);
    }
    const text = server.logs.join('\n');
    assert.ok(server.logs.length > 0);
    for (const secret of [KEY, OTHER_KEY, KEY.toUpperCase(), 'wrong']) assert.ok(!text.includes(secret), `${secret} in the log`);
    assert.match(text, /"path":"\/ping\/<redacted>\/backup"/);
    assert.match(text, /"route":"\/ping"/);
  });
});

describe('check-ins without a push key, or with the Pushgateway down', () => {
  let dir: TempDir;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await dir?.remove();
  });

  it('has no /ping route without PUSH_TOKEN: 404 like any unknown path, the key not echoed', async () => {
    const config = await dir.file('none.yml', configText('http://127.0.0.1:9'));
    const server = await startCheckInServer({ CONFIG_FILE: config, LOG_LEVEL: 'debug' });
    try {
      const answer = await send(server.url, `/ping/${KEY}/backup`);
      assert.equal(answer.status, 404);
      assert.match(answer.body, /^not found: "\/ping\/<redacted>\/backup"/);
      assert.ok(!server.logs.join('\n').includes(KEY));
    } finally {
      await server.close();
    }
  });

  it('answers 503 in one line when the Pushgateway cannot be reached, with no URL, and frees the window for the retry', async () => {
    const port = await freePort();
    const config = await dir.file('down.yml', configText(`http://user:pg-secret@127.0.0.1:${port}`));
    const server = await startCheckInServer({ CONFIG_FILE: config, PUSH_TOKEN: KEY });
    try {
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const answer = await send(server.url, `/ping/${KEY}/backup`);
        assert.deepEqual([answer.status, answer.body], [503, 'check-in not recorded: the Pushgateway could not be reached; retry later\n']);
      }
      const text = server.logs.join('\n');
      assert.match(text, /"level":"error"/);
      assert.ok(!text.includes('pg-secret') && !text.includes(KEY), text);
    } finally {
      await server.close();
    }
  });
});
