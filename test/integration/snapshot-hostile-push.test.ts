import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pushHeartbeat, sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { eventually } from '../support/eventually.ts';
import { startServer, timed } from '../support/slow-read-server.ts';
import { escapesPush, freezingPush, manyLabelsPush } from '../support/hostile-bodies.ts';

async function push(pushgatewayUrl: string, instance: string, body: string): Promise<void> {
  const response = await fetch(`${pushgatewayUrl}/metrics/job/hostile/instance/${instance}`, { method: 'PUT', body });
  assert.ok(response.ok, `Pushgateway refused the push to ${instance}: HTTP ${response.status} ${await response.text()}`);
}

const WIDE_LABELS = 10_000;

describe('one hostile push cannot freeze the exporter (real Pushgateway, npm run serve)', () => {
  let hostile: RunningProcess;
  let plain: RunningProcess;
  const servers: RunningProcess[] = [];
  let dir: TempDir;

  before(async () => {
    [hostile, plain] = await Promise.all([startPushgateway(), startPushgateway()]);
    dir = await tempDir();
    // 400,000 escapes and 4 MB of text in one label value; 10,000 labels on one line; 200,000 escapes kept under the 1 MiB line limit.
    // The Pushgateway's own ingestion is quadratic in the labels of a line (5,000: 4 s, 10,000: 16 s,
    // 30,000: about a minute, most of this file's time); the exporter's read of 30,000 is tested in
    // process (unit/snapshot-bounds), where only our side is timed.
    await push(hostile.url, 'frozen', freezingPush());
    await push(hostile.url, 'wide', manyLabelsPush(WIDE_LABELS));
    await push(hostile.url, 'escapes', escapesPush());
    // The same number of bytes, in ordinary lines, for the side-by-side baseline.
    const bytes = freezingPush().length + manyLabelsPush(WIDE_LABELS).length + escapesPush().length;
    const lines = Array.from({ length: Math.ceil(bytes / 60) }, (_, i) => `plain_metric{i="${i}",service="svc${i % 1000}"} ${i}`);
    await push(plain.url, 'plain', `${lines.join('\n')}\n`);
    const now = Date.now() / 1000;
    await Promise.all([pushHeartbeat(hostile.url, 'service1', now), pushHeartbeat(plain.url, 'service1', now)]);
    servers.push(await startServer(dir, 'hostile', hostile.url, 'info'), await startServer(dir, 'plain', plain.url, 'info'));
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await Promise.all([hostile?.stop(), plain?.stop()]);
    await dir?.remove();
  });

  it('keeps /-/healthy and /probe answering while it reads the hostile pushes, as it does for plain ones of the same size', async (t) => {
    const [onHostile, onPlain] = servers as [RunningProcess, RunningProcess];
    const healthy = { hostile: [] as number[], plain: [] as number[] };
    const probes: { server: string; status: number; success: number | undefined; up: number | undefined; ms: number }[] = [];
    // Four rounds of probes at least, and 6 s at least, however slow the machine: each round starts a
    // read (the scrape interval is half a second); /-/healthy is asked all along, side by side.
    const until = performance.now() + 6000;
    let proving = true;
    const prober = (async () => {
      for (let round = 0; round < 4 || performance.now() < until; round++) {
        for (const [name, server] of [['hostile', onHostile], ['plain', onPlain]] as const) {
          const answer = await timed(`${server.url}/probe?target=service1`);
          probes.push({ server: name, status: answer.status, success: sampleValue(answer.body, 'probe_success'), up: sampleValue(answer.body, 'probe_pushgateway_up'), ms: answer.ms });
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      proving = false;
    })();
    while (proving) {
      healthy.hostile.push((await timed(`${onHostile.url}/-/healthy`)).ms);
      healthy.plain.push((await timed(`${onPlain.url}/-/healthy`)).ms);
    }
    await prober;

    for (const probe of probes) assert.deepEqual([probe.status, probe.success, probe.up], [200, 1, 1], JSON.stringify(probe));
    const slowest = { hostile: Math.max(...healthy.hostile), plain: Math.max(...healthy.plain) };
    t.diagnostic(`slowest /-/healthy: ${slowest.hostile.toFixed(1)} ms reading the hostile pushes, ${slowest.plain.toFixed(1)} ms reading plain ones (${healthy.hostile.length} requests each); slowest /probe: ${Math.max(...probes.filter((p) => p.server === 'hostile').map((p) => p.ms)).toFixed(0)} ms`);
    assert.ok(slowest.hostile <= 10 * slowest.plain, `slowest /-/healthy ${slowest.hostile.toFixed(1)} ms vs ${slowest.plain.toFixed(1)} ms beside it`);
    // The 4.8 MB line is left out of the index, and said so; the rest of the Pushgateway is read.
    // A read after the /-/healthy flood (whose log lines can push older ones out of the output kept)
    // puts the newest read's line last.
    await eventually(5000, async () => {
      await timed(`${onHostile.url}/probe?target=service1`);
      assert.match(onHostile.output(), /"skipped_long_lines":1/);
    }, 100);
  });
});
