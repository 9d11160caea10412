import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PushgatewayError } from '../../lib/core/errors.ts';
import { PushgatewayPusher, type PushTarget } from '../../lib/edges/pushgateway/pushgateway-pusher.ts';
import { signalFamilies } from '../../lib/core/push/run-signals.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { freePort, PROJECT_ROOT, pushHeartbeat, startPushgateway, type RunningProcess } from '../support/processes.ts';
import { pushedGroup, valueOf } from '../support/pushgateway-groups.ts';

interface Received { readonly method: string; readonly url: string; readonly headers: IncomingMessage['headers']; readonly body: string }

/** A stand-in for a Pushgateway behind a proxy: records each request and answers as told. */
async function fakePushgateway(answer: (request: Received) => { status: number; body: string } | 'hang'): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      received.push(request);
      const reply = answer(request);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function expectPushError(code: string, message: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof PushgatewayError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.ok(!error.message.includes('\n'), 'one line');
    return true;
  };
}

describe('PushgatewayPusher against a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  const client = new PushgatewayPusher();
  const target = (instance: string): PushTarget => ({ pushgatewayUrl: pushgateway.url, job: 'heartbeat', labels: [['instance', instance]], timeoutMs: 5000 });

  before(async () => {
    pushgateway = await startPushgateway();
  });
  after(async () => {
    await client.close();
    await pushgateway?.stop();
  });

  it('POSTs: a start or a failure replaces only its own metrics, so the last heartbeat stays', async () => {
    await client.push(target('svc-a'), signalFamilies({ kind: 'success', atSeconds: 1764000000.5, durationSeconds: 2 }, 'svc-a'));
    await client.push(target('svc-a'), signalFamilies({ kind: 'start', atSeconds: 1764000100 }, 'svc-a'));
    await client.push(target('svc-a'), signalFamilies({ kind: 'failure', atSeconds: 1764000160.25, durationSeconds: 60.25 }, 'svc-a'));
    const group = await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'svc-a' });
    assert.equal(valueOf(group, SUCCESS_METRIC), 1764000000.5);
    assert.equal(valueOf(group, START_METRIC), 1764000100);
    assert.equal(valueOf(group, FAILURE_METRIC), 1764000160.25);
    assert.equal(valueOf(group, RUN_DURATION_METRIC), 60.25);
    assert.equal(group?.families.get(SUCCESS_METRIC)?.type, 'gauge');
    assert.deepEqual(group?.families.get(SUCCESS_METRIC)?.samples[0]?.labels, { job: 'heartbeat', instance: 'svc-a', service: 'svc-a' });
  });

  it('coexists with heartbeats pushed as docs/pushing.md says (# TYPE gauge), before and after it', async () => {
    await pushHeartbeat(pushgateway.url, 'by-curl', 1764000000);
    await client.push(target('svc-c'), signalFamilies({ kind: 'success', atSeconds: 1764000001, durationSeconds: 1 }, 'svc-c'));
    await pushHeartbeat(pushgateway.url, 'by-curl-later', 1764000002);
    assert.equal(valueOf(await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'svc-c' }), SUCCESS_METRIC), 1764000001);
    assert.equal(valueOf(await pushedGroup(pushgateway.url, { job: 'heartbeat', instance: 'by-curl-later' }), SUCCESS_METRIC), 1764000002);
  });

  it('explains a type conflict in one line: the name, both types, and the fix', async () => {
    // A metric pushed untyped by hand elsewhere makes a gauge of the same name inconsistent.
    const manual = await fetch(`${pushgateway.url}/metrics/job/other/instance/by-hand`, { method: 'PUT', body: 'job_last_success 1\n' });
    assert.equal(manual.status, 200);
    await assert.rejects(
      client.push(target('svc-b'), [{ name: 'job_last_success', help: 'h', type: 'gauge', samples: [{ value: 2 }] }]),
      expectPushError('PUSH_REJECTED', /^Pushgateway at http:\/\/127\.0\.0\.1:\d+ answered HTTP 400 to POST \/metrics\/job\/heartbeat\/instance\/svc-b: type conflict: another group holds job_last_success as untyped, this push sends it as gauge; fix: send "# TYPE job_last_success gauge" from every pusher \(a body with no # TYPE line, .*\), then delete the groups still holding it as untyped \(docs\/pushing\.md\)$/),
    );
  });
  it('reports a Pushgateway that is not there, naming where it looked', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      client.push({ ...target('x'), pushgatewayUrl: closed }, signalFamilies({ kind: 'success', atSeconds: 1 }, 'x')),
      expectPushError('PUSHGATEWAY_UNREACHABLE', new RegExp(`^cannot push to Pushgateway at ${closed}: .*ECONNREFUSED`)),
    );
  });
});

describe('PushgatewayPusher authentication', () => {
  it('sends URL credentials as basic auth to a guarded Pushgateway, and never shows the password', async () => {
    const basic = { authorization: `Basic ${Buffer.from('scraper:pg-secret-pass').toString('base64')}` };
    const guarded = await startPushgateway([`--web.config.file=${join(PROJECT_ROOT, 'test', 'fixtures', 'pushgateway', 'web-basic-auth.yml')}`], basic);
    const client = new PushgatewayPusher();
    try {
      const good: PushTarget = { pushgatewayUrl: guarded.url.replace('http://', 'http://scraper:pg-secret-pass@'), job: 'heartbeat', labels: [['instance', 'guarded']], timeoutMs: 5000 };
      await client.push(good, signalFamilies({ kind: 'success', atSeconds: 1764000000 }, 'guarded'));
      const api = await fetch(`${guarded.url}/api/v1/metrics`, { headers: basic });
      assert.match(await api.text(), /"instance":"guarded"/);
      const wrong = { ...good, pushgatewayUrl: guarded.url.replace('http://', 'http://scraper:wrong-pass@') };
      await assert.rejects(
        client.push(wrong, signalFamilies({ kind: 'success', atSeconds: 1 }, 'guarded')),
        (error: unknown) => expectPushError('PUSH_REJECTED', /^Pushgateway at http:\/\/redacted@127\.0\.0\.1:\d+ answered HTTP 401 to POST /)(error) && !String(error).includes('wrong-pass'),
      );
    } finally {
      await client.close();
      await guarded.stop();
    }
  });

  it('sends a bearer token, the exposition content type and a body ending in a newline, under a path prefix', async () => {
    const fake = await fakePushgateway(() => ({ status: 200, body: '' }));
    const client = new PushgatewayPusher();
    try {
      await client.push(
        { pushgatewayUrl: `${fake.url}/pushgateway/`, job: 'heartbeat', labels: [['instance', 'a/b']], bearerToken: 'pg-token-1', timeoutMs: 5000 },
        signalFamilies({ kind: 'start', atSeconds: 1764000000 }, 'a/b'),
      );
      const [request] = fake.received;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.url, '/pushgateway/metrics/job/heartbeat/instance@base64/YS9i');
      assert.equal(request?.headers.authorization, 'Bearer pg-token-1');
      assert.equal(request?.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
      assert.match(request?.body ?? '', /^# HELP loop_start_timestamp_seconds .*\n# TYPE loop_start_timestamp_seconds gauge\nloop_start_timestamp_seconds\{service="a\/b"\} 1764000000\n$/);
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('gives up after the timeout with a one-line error', async () => {
    const fake = await fakePushgateway(() => 'hang');
    const client = new PushgatewayPusher();
    try {
      await assert.rejects(
        client.push({ pushgatewayUrl: fake.url, job: 'heartbeat', labels: [['instance', 'slow']], timeoutMs: 300 }, signalFamilies({ kind: 'success', atSeconds: 1 }, 'slow')),
        expectPushError('PUSHGATEWAY_TIMEOUT', /^Pushgateway at http:\/\/127\.0\.0\.1:\d+ did not answer POST \/metrics\/job\/heartbeat\/instance\/slow within 0\.3s$/),
      );
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it("reads both of Pushgateway's wordings of a type conflict (the sample it shows may be the pushed one or the held one)", async () => {
    // Pushgateway 1.5.1's words, seen pushing a gauge beside an untyped group.
    const dump = (instance: string, type: string) => `collected metric "${SUCCESS_METRIC}" { label:<name:"instance" value:"${instance}" > label:<name:"job" value:"heartbeat" > label:<name:"service" value:"${instance}" > ${type}:<value:1 > }`;
    const wordings = [
      `pushed metrics are invalid or inconsistent with existing metrics: ${dump('a', 'gauge')} is not a UNTYPED`,
      `pushed metrics are invalid or inconsistent with existing metrics: ${dump('z', 'untyped')} is not a GAUGE`,
    ];
    for (const body of wordings) {
      const fake = await fakePushgateway(() => ({ status: 400, body }));
      const client = new PushgatewayPusher();
      try {
        await assert.rejects(
          client.push({ pushgatewayUrl: fake.url, job: 'heartbeat', labels: [['instance', 'a']], timeoutMs: 5000 }, signalFamilies({ kind: 'success', atSeconds: 1 }, 'a')),
          expectPushError('PUSH_REJECTED', new RegExp(`: type conflict: another group holds ${SUCCESS_METRIC} as untyped, this push sends it as gauge; fix: send "# TYPE ${SUCCESS_METRIC} gauge" from every pusher `)),
        );
        // A conflict over a name this push did not send is Pushgateway's to explain.
        await assert.rejects(
          client.push({ pushgatewayUrl: fake.url, job: 'heartbeat', labels: [], timeoutMs: 5000 }, [{ name: 'other_metric', help: 'h', type: 'gauge', samples: [{ value: 1 }] }]),
          expectPushError('PUSH_REJECTED', /: pushed metrics are invalid or inconsistent with existing metrics: collected metric "loop_heartbeat_timestamp_seconds" .* is not a [A-Z]+$/),
        );
      } finally {
        await client.close();
        await fake.close();
      }
    }
  });

  it('cuts a long, multi-line rejection down to one bounded line', async () => {
    const fake = await fakePushgateway(() => ({ status: 400, body: `3 error(s) occurred:\n* first\n* second\n${'x'.repeat(10_000)}` }));
    const client = new PushgatewayPusher();
    try {
      await assert.rejects(
        client.push({ pushgatewayUrl: fake.url, job: 'j', labels: [], timeoutMs: 5000 }, signalFamilies({ kind: 'success', atSeconds: 1 }, 's')),
        (error: unknown) => expectPushError('PUSH_REJECTED', /HTTP 400 to POST \/metrics\/job\/j: 3 error\(s\) occurred: \* first \* second x+…$/)(error) && String(error).length < 500,
      );
    } finally {
      await client.close();
      await fake.close();
    }
  });
});
