import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, pushHeartbeat, startOffline, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

// A real Prometheus whose only source of targets is the exporter's GET /sd (docs/discovery.md): no
// static list, no relabelling, bearer auth on /sd and on the probes alike; with one Pushgateway and
// with two (docs/high-availability.md), where the discovered service is pushed to the second only.

interface QueryResult { metric: Record<string, string>; value: [number, string] }
interface ActiveTarget { labels: Record<string, string>; health: string; scrapeInterval?: string; scrapeUrl: string }

const TOKEN = 'e2e-sd-token';

async function api<T>(prometheusUrl: string, path: string): Promise<T> {
  const body = (await (await fetch(`${prometheusUrl}${path}`)).json()) as { status: string; data: T };
  assert.equal(body.status, 'success');
  return body.data;
}

const query = async (url: string, promql: string) => (await api<{ result: QueryResult[] }>(url, `/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

/** Polls until `check` holds of the value `read` gives, failing with the last value. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs: number, onFailure?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await sleep(500);
  }
  assert.fail(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}${onFailure === undefined ? '' : `\n${onFailure()}`}`);
}

for (const gateways of [1, 2] as const) describe(`Prometheus with http_sd_configs on /sd as its only source of targets, ${gateways} Pushgateway(s) (end to end)`, () => {
  let pushgateway: RunningProcess;
  /** The Pushgateway the discovered service pushes to: the second when there are two. */
  let last: RunningProcess;
  let exporter: RunningProcess;
  let prometheus: RunningProcess;
  let dir: TempDir;
  let pushing = true;
  let pusher: Promise<void> | undefined;

  before(async () => {
    dir = await tempDir('pgx-e2e-sd-');
    pushgateway = await startPushgateway();
    last = gateways === 2 ? await startPushgateway() : pushgateway;
    const config = await dir.file('config.yml', [
      `pushgateway_url: [${[...new Set([pushgateway.url, last.url])].join(', ')}]`, 'scrape_interval_seconds: 1', 'discover_services: true',
      'services:', '  - name: live', '    freshness_threshold_seconds: 5', '  - name: silent', '  - name: nightly', '    schedule: "0 3 * * *"', '',
    ].join('\n'));
    exporter = await startOffline({ CONFIG_FILE: config, AUTH_TOKEN: TOKEN });
    const configFile = await dir.file('prometheus.yml', `global:
  scrape_interval: 5s
scrape_configs:
  - job_name: heartbeats
    authorization: {credentials: ${TOKEN}}
    http_sd_configs:
      - url: http://127.0.0.1:${exporter.port}/sd
        refresh_interval: 5s
        # Prometheus 2.42 sends an http_sd token without "Bearer " unless the type is spelled out (docs/discovery.md#the-prometheus-job).
        authorization: {type: Bearer, credentials: ${TOKEN}}
`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    prometheus = await startProcess(
      'prometheus',
      [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { readyUrl: `${url}/-/ready`, url, port, timeoutMs: 60_000 },
    );
    pusher = (async () => {
      while (pushing) {
        await pushHeartbeat(pushgateway.url, 'live', Date.now() / 1000);
        if (last !== pushgateway) await pushHeartbeat(last.url, 'live', Date.now() / 1000);
        // Not configured: discovered from its heartbeat.
        await pushHeartbeat(last.url, 'worker-7', Date.now() / 1000, { job: 'workers', service: 'found' });
        await sleep(1000);
      }
    })();
  });

  after(async () => {
    pushing = false;
    await pusher?.catch(() => undefined);
    await prometheus?.stop();
    await exporter?.stop();
    await pushgateway?.stop();
    if (last !== pushgateway) await last?.stop();
    await dir?.remove();
  });

  it('scrapes one target per configured and discovered service, with bearer auth, and holds probe_success per service', async () => {
    const direct = await fetch(`${exporter.url}/sd`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(direct.status, 200, await direct.text());
    const targets = await eventually(
      async () => (await api<{ activeTargets: ActiveTarget[] }>(prometheus.url, '/api/v1/targets?state=active')).activeTargets,
      // The once-a-minute target may wait up to a minute for its first scrape: only the others must be up by then.
      (active) => active.length === 4 && active.every((target) => target.health === 'up' || target.labels.service === 'nightly'),
      'four targets from /sd, the 5 s ones healthy', 60_000, () => prometheus.output().slice(-3000),
    );
    const byService = new Map(targets.map((target) => [target.labels.service, target]));
    assert.deepEqual([...byService.keys()].sort(), ['found', 'live', 'nightly', 'silent']);
    for (const [service, target] of byService) {
      assert.equal(target.labels.instance, service);
      assert.equal(target.scrapeUrl, `http://127.0.0.1:${exporter.port}/probe?target=${service}`);
    }
    assert.equal(byService.get('found')?.labels.discovered, 'true');
    assert.equal(byService.get('live')?.labels.discovered, undefined);
    // A cron service needs no 5 s scrape: /sd gives it once a minute.
    if (byService.get('nightly')?.scrapeInterval !== undefined) assert.equal(byService.get('nightly')?.scrapeInterval, '60s');
    assert.equal(byService.get('live')?.scrapeInterval ?? '5s', '5s');
    const successes = await eventually(
      async () => new Map((await query(prometheus.url, 'probe_success{job="heartbeats"}')).map((result) => [result.metric.service, result.value[1]])),
      (values) => values.get('live') === '1' && values.get('found') === '1' && values.get('silent') === '0',
      'probe_success per service', 40_000,
    );
    assert.equal(successes.get('silent'), '0');
    const discovered = await query(prometheus.url, 'probe_success{discovered="true"}');
    assert.deepEqual(discovered.map((result) => result.metric.service), ['found']);
  });
});
