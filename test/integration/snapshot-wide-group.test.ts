import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleValue, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';
import { startServer, timed } from '../support/slow-read-server.ts';

const HB = 'loop_heartbeat_timestamp_seconds';

async function push(pushgatewayUrl: string, path: string, body: string): Promise<void> {
  const response = await fetch(`${pushgatewayUrl}/metrics/${path}`, { method: 'PUT', body });
  assert.ok(response.ok, `Pushgateway refused the push to ${path}: HTTP ${response.status} ${await response.text()}`);
}

/** The attack's push: service1's own group, its heartbeat and 9,000 series of 91 labels each (about 6.5 MB). */
function wideGroupPush(nowSeconds: number): string {
  const labels = Array.from({ length: 90 }, (_, k) => `l${k}="v",`).join('');
  const lines = Array.from({ length: 9000 }, (_, i) => `a_items{${labels}k="${i}"} 1`);
  return `${HB} ${nowSeconds}\n${lines.join('\n')}\n`;
}

describe("a probe of a group flooded with wide series is bounded (real Pushgateway, npm run serve)", () => {
  let wide: RunningProcess;
  let plain: RunningProcess;
  const servers: RunningProcess[] = [];
  let dir: TempDir;

  before(async () => {
    [wide, plain] = await Promise.all([startPushgateway(), startPushgateway()]);
    dir = await tempDir();
    const now = Math.floor(Date.now() / 1000);
    const body = wideGroupPush(now);
    await push(wide.url, 'job/heartbeat/instance/service1', body);
    // The same number of bytes in ordinary lines of other groups, and service1's heartbeat: the side-by-side baseline.
    const lines = Array.from({ length: Math.ceil(body.length / 60) }, (_, i) => `plain_metric{i="${i}",service="svc${i % 1000}"} ${i}`);
    await push(plain.url, 'job/other/instance/plain', `${lines.join('\n')}\n`);
    await push(plain.url, 'job/heartbeat/instance/service1', `${HB} ${now}\nloop_items 1\n`);
    servers.push(await startServer(dir, 'wide', wide.url, 'error'), await startServer(dir, 'plain', plain.url, 'error'));
  });
  after(async () => {
    for (const server of servers) await server.stop();
    await Promise.all([wide?.stop(), plain?.stop()]);
    await dir?.remove();
  });

  it('keeps /-/healthy answering while service1 is probed, as it does beside a plain body of the same size, and says the pass-through was cut', async (t) => {
    const [onWide, onPlain] = servers as [RunningProcess, RunningProcess];
    const healthy = { wide: [] as number[], plain: [] as number[] };
    const probes: { server: string; status: number; success: number | undefined; truncated: number | undefined; bytes: number; ms: number }[] = [];
    const until = performance.now() + 6000;
    const prober = (async () => {
      while (performance.now() < until) {
        for (const [name, server] of [['wide', onWide], ['plain', onPlain]] as const) {
          const answer = await timed(`${server.url}/probe?target=service1`);
          probes.push({
            server: name, status: answer.status, success: sampleValue(answer.body, 'probe_success'),
            truncated: sampleValue(answer.body, 'probe_passthrough_truncated'), bytes: Buffer.byteLength(answer.body), ms: answer.ms,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();
    while (performance.now() < until) {
      healthy.wide.push((await timed(`${onWide.url}/-/healthy`)).ms);
      healthy.plain.push((await timed(`${onPlain.url}/-/healthy`)).ms);
    }
    await prober;

    const slowest = { wide: Math.max(...healthy.wide), plain: Math.max(...healthy.plain) };
    const wideProbes = probes.filter((probe) => probe.server === 'wide');
    t.diagnostic(`slowest /-/healthy: ${slowest.wide.toFixed(1)} ms beside the wide group, ${slowest.plain.toFixed(1)} ms beside plain lines (${healthy.wide.length} requests each); slowest wide /probe ${Math.max(...wideProbes.map((p) => p.ms)).toFixed(0)} ms, ${Math.max(...wideProbes.map((p) => p.bytes))} bytes`);
    assert.ok(slowest.wide <= 10 * slowest.plain, `slowest /-/healthy ${slowest.wide.toFixed(1)} ms vs ${slowest.plain.toFixed(1)} ms beside it`);
    assert.ok(probes.length >= 4, `${probes.length} probes: ${JSON.stringify(probes)}`);
    for (const probe of probes) {
      assert.deepEqual([probe.status, probe.success, probe.truncated], [200, 1, probe.server === 'wide' ? 1 : undefined], JSON.stringify(probe));
    }
    // The answer holds the bounded pass-through, not the 6.5 MB group.
    assert.ok(Math.max(...wideProbes.map((p) => p.bytes)) < 256 * 1024, JSON.stringify(wideProbes[0]));
  });
});
