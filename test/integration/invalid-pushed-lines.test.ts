import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest, type HttpRequest } from '../../lib/http/routes.ts';
import { pushHeartbeat, sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { gaugeMetric, labelPair, METRIC_TYPE, metricFamily, pushProtobuf } from '../support/protobuf-push.ts';

/**
 * Pushgateway 1.5 accepts protobuf pushes the text format cannot express and writes them into its
 * /metrics as they are (attack finding 5). One such push must not silence every probe.
 */
const probe = (target: string): HttpRequest => ({ method: 'GET', path: '/probe', query: new URLSearchParams({ target, debug: 'true' }), headers: {} });

const gauge = (name: string, type: number = METRIC_TYPE.GAUGE): Buffer => metricFamily({ name, type, metrics: [gaugeMetric([], 1)] });

describe('invalid lines pushed in protobuf (real Pushgateway)', () => {
  let dir: TempDir;
  const pushgateways: RunningProcess[] = [];
  const runtimes: Runtime[] = [];

  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(runtimes.map((e) => e.close()));
    await Promise.all(pushgateways.map((p) => p.stop()));
    await dir.remove();
  });

  /** A fresh Pushgateway with service1 and service2 heartbeats, and an exporter reading it. */
  async function setup(): Promise<{ pushgateway: RunningProcess; runtime: Runtime }> {
    const pushgateway = await startPushgateway();
    pushgateways.push(pushgateway);
    const now = Math.floor(Date.now() / 1000);
    await pushHeartbeat(pushgateway.url, 'service1', now);
    await pushHeartbeat(pushgateway.url, 'service2', now);
    const file = await dir.file(`config-${runtimes.length}.yml`, `pushgateway_url: "${pushgateway.url}"
scrape_interval_seconds: 0.001
services:
  - name: service1
    freshness_threshold_seconds: 600
  - name: service2
    freshness_threshold_seconds: 600
  - name: service3
    freshness_threshold_seconds: 600
`);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error' }, { cwd: '/' });
    runtimes.push(runtime);
    return { pushgateway, runtime };
  }

  it('leaves out the lines of names a.b, 1ab, a-b and a name with a line feed, counts them, and probes every service as before', async () => {
    const { pushgateway, runtime } = await setup();
    await pushProtobuf(pushgateway.url, '/metrics/job/t_dotname', [gauge('a.b')]);
    await pushProtobuf(pushgateway.url, '/metrics/job/t_digitname', [gauge('1ab')]);
    await pushProtobuf(pushgateway.url, '/metrics/job/t_dashname', [gauge('a-b')]);
    // The rest of the name becomes lines of their own: each must stand or fall alone, and none of them is a valid sample.
    await pushProtobuf(pushgateway.url, '/metrics/job/t_newline', [
      metricFamily({ name: 'ab\nloop_heartbeat_timestamp_seconds{job="heartbeat",instance="service3"} 9999999999', type: METRIC_TYPE.GAUGE, metrics: [gaugeMetric([labelPair('x', 'y')], 1)] }),
    ]);
    const text = await (await fetch(`${pushgateway.url}/metrics`)).text();
    assert.match(text, /^a\.b\{instance="",job="t_dotname"\} 1$/m, 'Pushgateway writes the name as pushed');

    for (const target of ['service1', 'service2']) {
      const response = await handleRequest(probe(target), runtime);
      assert.equal(response.status, 200);
      assert.equal(sampleValue(response.body, 'probe_pushgateway_up'), 1, response.body);
      assert.equal(sampleValue(response.body, 'probe_success'), 1, response.body);
      assert.equal(sampleValue(response.body, 'probe_heartbeat_found'), 1, response.body);
      // # TYPE and sample of a.b, 1ab, a-b (6), and "# TYPE ab", its two tails and "ab" (the label set follows the name's last line).
      assert.match(response.body, /invalid lines left out: 10 \(first: line \d+: /, response.body);
    }
    const injected = await handleRequest(probe('service3'), runtime);
    assert.equal(sampleValue(injected.body, 'probe_pushgateway_up'), 1, injected.body);
    assert.equal(sampleValue(injected.body, 'probe_heartbeat_found'), 0, 'no part of a name poses as service3\'s heartbeat');
    assert.equal(sampleValue(injected.body, 'probe_success'), 0);
  });

  it('fails the read, saying why, when a GAUGE_HISTOGRAM push makes Pushgateway cut its /metrics short', async () => {
    const { pushgateway, runtime } = await setup();
    await pushProtobuf(pushgateway.url, '/metrics/job/t_gaugehistogram', [gauge('okname7', METRIC_TYPE.GAUGE_HISTOGRAM)]);
    const text = await (await fetch(`${pushgateway.url}/metrics`)).text();
    assert.ok(!text.endsWith('\n'), 'Pushgateway stops mid-line');
    const response = await handleRequest(probe('service1'), runtime);
    assert.equal(sampleValue(response.body, 'probe_pushgateway_up'), 0, response.body);
    assert.equal(sampleValue(response.body, 'probe_success'), 0);
    assert.match(response.body, /sent unparsable metrics: body cut short in the middle of a line \("# TYPE okname7"\): Pushgateway stops writing \/metrics at a pushed metric family it cannot write, such as a GAUGE_HISTOGRAM: delete that group/);
  });

  it('fails the read, saying why, when an empty metric name makes Pushgateway send an empty body', async () => {
    const { pushgateway, runtime } = await setup();
    await pushProtobuf(pushgateway.url, '/metrics/job/t_emptyname', [gauge('')]);
    assert.equal(await (await fetch(`${pushgateway.url}/metrics`)).text(), '', 'Pushgateway sends nothing');
    const response = await handleRequest(probe('service1'), runtime);
    assert.equal(sampleValue(response.body, 'probe_pushgateway_up'), 0, response.body);
    assert.match(response.body, /sent unparsable metrics: empty body, but Pushgateway always sends its own metrics \(a pushed metric with an empty name makes it send nothing: delete that group\)/);
  });
});
