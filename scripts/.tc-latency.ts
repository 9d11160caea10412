// Ad-hoc: check-in latency over 200 pings against a real Pushgateway (not a test, not committed).
import { Agent, request } from 'node:http';
import { startCheckInServer } from '../test/support/check-in-server.ts';
import { startPushgateway, tempDir } from '../test/support/processes.ts';

const pushgateway = await startPushgateway();
const dir = await tempDir();
const config = await dir.file('config.yml', `pushgateway_url: "${pushgateway.url}"\nallow_unlisted_targets: true\nservices:\n  - name: a\n`);
const server = await startCheckInServer({ CONFIG_FILE: config, PUSH_TOKEN: 'k', LOG_LEVEL: 'info' });
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const { hostname, port } = new URL(server.url);
const one = (path: string) => new Promise<number>((resolve, reject) => {
  const started = performance.now();
  const req = request({ hostname, port, path, agent }, (res) => { res.resume(); res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(String(res.statusCode))))); });
  req.on('error', reject);
  req.end();
});
// direct PUT to the Pushgateway for a baseline: what a push costs without the exporter
const direct = (i: number) => new Promise<number>((resolve, reject) => {
  const started = performance.now();
  const pg = new URL(pushgateway.url);
  const req = request({ hostname: pg.hostname, port: pg.port, path: `/metrics/job/heartbeat/instance/direct-${i}`, method: 'POST', agent, headers: { 'content-type': 'text/plain' } }, (res) => { res.resume(); res.on('end', () => resolve(performance.now() - started)); });
  req.on('error', reject);
  req.end(`# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds{service="direct-${i}"} ${Date.now() / 1000}\n`);
});
for (let i = 0; i < 20; i += 1) await one(`/ping/k/warm-${i}`);
const pings: number[] = [];
const directs: number[] = [];
for (let round = 0; round < 200; round += 1) {
  pings.push(await one(`/ping/k/svc-${round}${round % 3 === 1 ? '/fail' : round % 3 === 2 ? '/start' : ''}`));
  directs.push(await direct(round));
}
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN; };
console.log(`check-in via exporter (node:http): p50 ${q(pings, 50).toFixed(2)} ms p99 ${q(pings, 99).toFixed(2)} ms max ${Math.max(...pings).toFixed(2)} ms`);
console.log(`direct POST to Pushgateway:         p50 ${q(directs, 50).toFixed(2)} ms p99 ${q(directs, 99).toFixed(2)} ms`);
console.log(`ratio p50 ${(q(pings, 50) / q(directs, 50)).toFixed(2)}x p99 ${(q(pings, 99) / q(directs, 99)).toFixed(2)}x`);
agent.destroy();
await server.close();
await pushgateway.stop();
await dir.remove();
