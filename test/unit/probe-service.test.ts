import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startBudget } from '../../lib/core/probe/probe-budget.ts';
import type { MetricsRead, MetricsRequest } from '../../lib/edges/pushgateway/pushgateway-reader.ts';
import type { RuntimeSettings } from '../../lib/runtime/environment-settings.ts';
import { probeAll, probeReport, probeTarget, REFUSAL_STATUS } from '../../lib/runtime/probe-service.ts';
import { createRuntime, type Runtime } from '../../lib/runtime/runtime.ts';

// The probe pipeline with every port replaced: no server, no Pushgateway, no SSM, no process.env.

const NOW_MS = 1_700_000_000_000;
const CONFIG = 'pushgateway_url: http://pushgateway.test:9091\nservices:\n  - name: fresh\n  - name: silent\n';

function fakeRuntime(options: { config?: string; body?: string } = {}): { runtime: Runtime; reads: string[]; logs: string[] } {
  const reads: string[] = [];
  const logs: string[] = [];
  const settings: RuntimeSettings = {
    logging: { level: 'debug' },
    configSource: { kind: 'ssm', parameter: '/exporter/config' },
    configOverrides: {},
    authTokens: [],
    authTokenParameter: undefined, refreshAhead: false,
  };
  const runtime = createRuntime({ kind: 'settings', settings }, {
    clock: () => NOW_MS,
    monotonicMs: () => 0,
    writeLog: (line) => logs.push(line),
    ssm: {
      read: async (name) => {
        if (options.config === undefined) return CONFIG;
        throw new Error(`no parameter ${name}`);
      },
    },
    pushgateway: {
      fetchMetrics: async (url: string, _request: MetricsRequest, sink: (chunk: Uint8Array) => void): Promise<MetricsRead> => {
        reads.push(url);
        const body = Buffer.from(options.body ?? `loop_heartbeat_timestamp_seconds{instance="fresh",job="heartbeat"} ${NOW_MS / 1000 - 10}\n`);
        sink(body);
        return { bytes: body.length, bodyBytes: body.length };
      },
      close: async () => undefined,
    },
  });
  return { runtime, reads, logs };
}

describe('probe service', () => {
  it('probes one target through the injected ports', async () => {
    const { runtime, reads, logs } = fakeRuntime();
    const probed = await probeTarget(runtime, 'fresh', startBudget(0));
    assert.equal(probed.kind, 'probed');
    assert.ok(probed.kind === 'probed');
    assert.equal(probed.evaluation.success, true);
    assert.equal(probed.evaluation.state, 'up');
    assert.match(probed.exposition, /^probe_success 1$/m);
    assert.match(await probeReport(probed), /^Probe of target "fresh" at /);
    assert.deepEqual(reads, ['http://pushgateway.test:9091']);
    // The logger stamps the runtime's clock, not the system's.
    assert.ok(logs.every((line) => (JSON.parse(line) as { timestamp: string }).timestamp === new Date(NOW_MS).toISOString()));
  });

  it('counts the snapshot\'s wait from after a config it had to wait for', async () => {
    // A config answered at once lends the snapshot's wait its clock read (probe-service.ts, inHandAtMs); one that was
    // waited for must not: the time its load took is gone from the budget.
    let monotonic = 0;
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => { release = resolve; });
    const runtime = createRuntime({ kind: 'settings', settings: {
      logging: { level: 'error' }, configSource: { kind: 'ssm', parameter: '/exporter/config' }, configOverrides: {}, authTokens: [], authTokenParameter: undefined, refreshAhead: false,
    } }, {
      clock: () => NOW_MS,
      monotonicMs: () => monotonic,
      writeLog: () => undefined,
      ssm: { read: async () => { monotonic += 1500; return CONFIG; } },
      pushgateway: {
        fetchMetrics: async (): Promise<MetricsRead> => { await hung; throw new Error('released'); },
        close: async () => undefined,
      },
    });
    try {
      // Prometheus' 2.5 s scrape timeout leaves the probe 2 s; the config's load took 1.5 of them.
      const probed = await probeTarget(runtime, 'fresh', startBudget(0, { scrapeTimeoutHeader: '2.5' }));
      assert.ok(probed.kind === 'probed');
      assert.match(probed.read.error ?? '', /did not answer within 0\.50s$/);
    } finally {
      release();
      await runtime.close();
    }
  });

  it('judges every service against one read', async () => {
    const { runtime, reads } = fakeRuntime();
    const all = await probeAll(runtime, startBudget(0));
    assert.ok(all.kind === 'probed');
    assert.deepEqual(all.evaluations.map((evaluation) => evaluation.success), [true, false], 'fresh, then silent (config order)');
    assert.equal(reads.length, 1);
  });

  it('refuses with a reason, a line, and the status HTTP answers with', async () => {
    const { runtime } = fakeRuntime();
    const unknown = await probeTarget(runtime, 'nobody', startBudget(0));
    assert.ok(unknown.kind === 'refused');
    assert.equal(unknown.reason, 'unknown-target');
    assert.equal(REFUSAL_STATUS[unknown.reason], 404);
    assert.match(unknown.message, /^unknown target "nobody": not a configured service/);

    const header = await probeAll(runtime, startBudget(0, { scrapeTimeoutHeader: 'soon' }));
    assert.ok(header.kind === 'refused');
    assert.equal(header.reason, 'bad-scrape-timeout');

    const noConfig = await probeTarget(fakeRuntime({ config: 'missing' }).runtime, 'fresh', startBudget(0));
    assert.ok(noConfig.kind === 'refused');
    assert.equal(noConfig.reason, 'no-config');
    assert.equal(noConfig.message, 'no config loaded: no parameter /exporter/config');
  });
});
