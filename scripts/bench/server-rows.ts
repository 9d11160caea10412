// The `npm run serve` rows of `npm run bench`: warm throughput against a bare node:http server and
// blackbox_exporter, and probe latency while the snapshot refreshes every second.
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { freePort, PROJECT_ROOT, startProcess, tempDir, type RunningProcess } from '../../test/support/processes.ts';
import { startNodeServer } from './node-server.ts';
import { BENCH_FRESHNESS_SECONDS, benchConfig, median, percentile, perRoundRatio, type Row } from './figures.ts';


/** dist/server/server.mjs at the default log level (LOG_LEVEL unset), on a config of its own. */
async function startServe(pushgatewayUrl: string, configFile: string): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: configFile, PUSHGATEWAY_URL: pushgatewayUrl };
  const child = await startProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'server', 'server.mjs')], { readyUrl: `${url}/-/healthy`, url, port, env: { ...env, LOG_LEVEL: undefined } });
  return child;
}

/** A node process answering every request with `body` (the probe's answer) and the same content type. */
export function startBare(body: string, contentType: string): Promise<RunningProcess> {
  return startNodeServer(
    `const body = Buffer.from(${JSON.stringify(body)});`,
    `(q, s) => { s.writeHead(200, { 'content-type': ${JSON.stringify(contentType)}, 'content-length': body.length }); s.end(body); }`,
  );
}

/** The families of a probe's answer whose values move with the clock: an answer renders them anew each time. */
const TIME_DEPENDENT = ['probe_duration_seconds', 'probe_heartbeat_age_seconds', 'probe_late_seconds', 'probe_snapshot_age_seconds'];

/**
 * Row 5's floor: a node process that renders `body` anew per request, as any exporter must whose
 * answer holds the time: the constant text kept as flat strings, the time-dependent values read off
 * the clock and formatted (a healthy probe's: a heartbeat seconds old, not late), the whole written
 * as one Latin-1 string when ASCII (as `npm run serve` writes it). Nothing else: no routing, no query.
 */
function startRenderingBare(body: string, contentType: string): Promise<RunningProcess> {
  const setup = `const body = ${JSON.stringify(body)};
const names = ${JSON.stringify(TIME_DEPENDENT)};
const pieces = []; let text = '';
for (const line of body.split('\\n').slice(0, -1)) {
  const name = line.slice(0, line.indexOf(' '));
  if (names.includes(name)) { pieces.push(text + name + ' '); text = '\\n'; } else text += line + '\\n';
}
if (pieces.length !== names.length) throw new Error('the answer lacks a time-dependent family');
const flat = (piece) => Buffer.from(piece).toString();
const constant = pieces.map(flat); const tail = flat(text);
const ascii = !/[^\\x00-\\x7f]/.test(body);
const started = Date.now() / 1000;
const heartbeat = started - 5;
const micro = (seconds) => Math.round(seconds * 1e6) / 1e6;`;
  return startNodeServer(setup, `(q, s) => {
  const start = performance.now(); const now = Date.now() / 1000;
  // The probe's duration, the heartbeat's age, how late it is, the snapshot's age.
  const values = [micro((performance.now() - start) / 1000), micro(now - heartbeat), micro(Math.max(0, now - heartbeat - ${BENCH_FRESHNESS_SECONDS})), micro(now - started)];
  let out = '';
  for (let i = 0; i < constant.length; i++) out += constant[i] + values[i];
  out += tail;
  s.writeHead(200, { 'content-type': ${JSON.stringify(contentType)}, 'content-length': ascii ? out.length : Buffer.byteLength(out) });
  s.end(out, ascii ? 'latin1' : 'utf8');
}`);
}

/** Rounds of row 5 (and 9): seven, so that the median of the per-round ratios is not one round's. */
const SERVE_ROUNDS = 7;

/**
 * Row 5 measures the probe Prometheus mostly scrapes: one that read the Pushgateway and found a
 * fresh heartbeat. The bench's heartbeats are pushed once, at its start (benchConfig keeps them
 * fresh); a failing probe would write a line at warn per request.
 */
export function assertHealthy(body: string): void {
  if (!body.includes('probe_pushgateway_up 1') || !body.includes('\nprobe_success 1\n')) throw new Error(`the measured probe is not a healthy one: ${body}`);
}

async function requestsPerSecond(url: string, seconds: number): Promise<{ rps: number; p99Ms: number; errors: number }> {
  const result = await autocannon({ url, connections: 16, duration: seconds, pipelining: 1 });
  return { rps: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
}

function ensureBlackbox(): void {
  if (spawnSync('prometheus-blackbox-exporter', ['--version']).status === 0) return;
  if (process.getuid?.() === 0) execFileSync('apt-get', ['install', '-y', 'prometheus-blackbox-exporter'], { stdio: 'inherit' });
  else throw new Error('prometheus-blackbox-exporter is missing: sudo apt-get install -y prometheus-blackbox-exporter');
}

/**
 * Rows 5 and 9: warm `npm run serve` (default log level, a 10k-group snapshot cached for 600 s)
 * against a bare node:http server answering the same bytes, and against blackbox_exporter's
 * http_2xx on a local target; autocannon, 16 connections, SERVE_ROUNDS rounds, ours and bare in
 * alternating order; row 5 is the median of the per-round ratios, row 9 the ratio of the medians.
 * `loadedAtMs` (performance.now()): when the Pushgateway's groups were all pushed.
 */
export async function benchServeThroughput(rows: Row[], pushgatewayUrl: string, loadedAtMs: number): Promise<void> {
  ensureBlackbox();
  const servers: RunningProcess[] = [];
  const dir = await tempDir('pgx-bench-serve-');
  const target = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok\n'); });
  const targetPort = await freePort();
  await new Promise<void>((resolve) => target.listen(targetPort, '127.0.0.1', resolve));
  try {
    const ours = await startServe(pushgatewayUrl, await dir.file('config.yml', benchConfig(600)));
    servers.push(ours);
    const probeUrl = `${ours.url}/probe?target=svc42`;
    const answer = await fetch(probeUrl);
    const body = await answer.text();
    assertHealthy(body);
    const contentType = answer.headers.get('content-type') ?? 'text/plain';
    const bare = await startBare(body, contentType);
    servers.push(bare);
    const rendering = await startRenderingBare(body, contentType);
    servers.push(rendering);
    const blackboxConfig = await dir.file('blackbox.yml', 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n');
    const blackboxPort = await freePort();
    const blackboxUrl = `http://127.0.0.1:${blackboxPort}`;
    servers.push(await startProcess('prometheus-blackbox-exporter', [`--config.file=${blackboxConfig}`, `--web.listen-address=127.0.0.1:${blackboxPort}`], { readyUrl: `${blackboxUrl}/-/healthy`, url: blackboxUrl, port: blackboxPort }));
    const results = { ours: [] as number[], bare: [] as number[], rendering: [] as number[], blackbox: [] as number[], oursP99: [] as number[], errors: 0, renderingErrors: 0 };
    await requestsPerSecond(probeUrl, 1); // warms the JIT
    const bareUrl = `${bare.url}/probe?target=svc42`;
    await requestsPerSecond(bareUrl, 1);
    const renderingUrl = `${rendering.url}/probe?target=svc42`;
    await requestsPerSecond(renderingUrl, 1);
    // Each round runs bare between ours and the floor, ours first in one round and last in the next:
    // this VM's speed changes by a third from minute to minute, and a ratio within a round sees one
    // speed. Ours and bare stay back to back in alternating order, as before the floor was added.
    for (let round = 0; round < SERVE_ROUNDS; round++) {
      const oursFirst = round % 2 === 0;
      const first = await requestsPerSecond(oursFirst ? probeUrl : renderingUrl, 3);
      const b = await requestsPerSecond(bareUrl, 3);
      const last = await requestsPerSecond(oursFirst ? renderingUrl : probeUrl, 3);
      const [a, floor] = oursFirst ? [first, last] : [last, first];
      const c = await requestsPerSecond(`${blackboxUrl}/probe?module=http_2xx&target=http://127.0.0.1:${targetPort}/`, 3);
      results.ours.push(a.rps);
      results.oursP99.push(a.p99Ms);
      results.bare.push(b.rps);
      results.rendering.push(floor.rps);
      results.blackbox.push(c.rps);
      results.errors += a.errors + b.errors;
      results.renderingErrors += floor.errors;
    }
    assertHealthy(await (await fetch(probeUrl)).text());
    // How long after the last push the row ended: its heartbeat, pushed 2 s old as the load began, was older still.
    const secondsSinceLoad = (performance.now() - loadedAtMs) / 1000;
    const [oursRps, bareRps, blackboxRps] = [median(results.ours), median(results.bare), median(results.blackbox)];
    // The median of the per-round ratios (as rows 4 and 11); the ratio of the medians is kept in raw.
    const ratio = perRoundRatio(results.ours, results.bare);
    const floorRatio = perRoundRatio(results.rendering, results.bare);
    console.log(`row 5's floor, a bare node:http server rendering the same answer per request (its constant text flat, ${TIME_DEPENDENT.length} values off the clock, one string, Latin-1 when ASCII): ${median(results.rendering).toFixed(0)} req/s, ${floorRatio.toFixed(2)}× bare (median of per-round ratios); ours ${ratio.toFixed(2)}×${results.renderingErrors > 0 ? `; the floor's ${results.renderingErrors} failed requests are not row 5's` : ''}`);
    rows.push({
      name: `5. warm \`npm run serve\` probe req/s (default log level) vs bare node:http, same ${body.length}-byte body, 16 connections`,
      measured: `${oursRps.toFixed(0)} req/s (p99 ${median(results.oursP99)} ms)`, baseline: `${bareRps.toFixed(0)} req/s`, ratio, target: '≥ 0.8×', met: ratio >= 0.8 && results.errors === 0,
      raw: { oursRps, bareRps, ratioOfMedians: oursRps / bareRps, oursRoundsRps: results.ours, bareRoundsRps: results.bare, renderingRoundsRps: results.rendering, renderingRatio: floorRatio, renderingErrors: results.renderingErrors, bodyBytes: body.length, errors: results.errors, rounds: results.ours.length, secondsSinceLoad },
    });
    const vsBlackbox = oursRps / blackboxRps;
    rows.push({
      name: '9. warm `npm run serve` probe req/s vs blackbox_exporter http_2xx on a local target, 16 connections',
      measured: `${oursRps.toFixed(0)} req/s`, baseline: `${blackboxRps.toFixed(0)} req/s`, ratio: vsBlackbox, target: '≥ 1× (reported)', met: vsBlackbox >= 1,
      raw: { oursRps, blackboxRps },
    });
  } finally {
    for (const server of servers) await server.stop();
    target.close();
    await dir.remove();
  }
}

/**
 * Row 6: latency of warm probes while the snapshot refreshes every second (scrape_interval_seconds:
 * 1, 10k groups), a request every 10 ms for 12 s; baseline: the same requests, interleaved one for
 * one, to a server whose snapshot stays cached (600 s).
 */
export async function benchRefreshLatency(rows: Row[], pushgatewayUrl: string): Promise<void> {
  const dir = await tempDir('pgx-bench-refresh-');
  const servers: RunningProcess[] = [];
  try {
    const refreshing = await startServe(pushgatewayUrl, await dir.file('refresh.yml', benchConfig(1)));
    servers.push(refreshing);
    const cached = await startServe(pushgatewayUrl, await dir.file('cached.yml', benchConfig(600)));
    servers.push(cached);
    const probe = async (base: string, i: number) => {
      const start = performance.now();
      const response = await fetch(`${base}/probe?target=svc${(i * 7919) % 10_000}`);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`probe answered ${response.status}`);
      return performance.now() - start;
    };
    for (let i = 0; i < 50; i++) await Promise.all([probe(refreshing.url, i), probe(cached.url, i)]);
    const times = { refreshing: [] as number[], cached: [] as number[] };
    const end = performance.now() + 12_000;
    for (let i = 0; performance.now() < end; i++) {
      times.refreshing.push(await probe(refreshing.url, i));
      times.cached.push(await probe(cached.url, i));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const [r, c] = [sorted(times.refreshing), sorted(times.cached)];
    const p99 = percentile(r, 0.99);
    const cachedP99 = percentile(c, 0.99);
    rows.push({
      name: '6. warm probe p99 while the snapshot refreshes every second (10k groups) vs a cached snapshot, 1 request / ~10 ms',
      measured: `${p99.toFixed(1)} ms (p50 ${percentile(r, 0.5).toFixed(1)}, max ${(r.at(-1) ?? 0).toFixed(1)})`, baseline: `${cachedP99.toFixed(1)} ms`,
      ratio: p99 / cachedP99, target: 'p99 ≤ 20 ms', met: p99 <= 20,
      raw: { p99Ms: p99, p50Ms: percentile(r, 0.5), maxMs: r.at(-1) ?? 0, cachedP99Ms: cachedP99, samples: r.length },
    });
  } finally {
    for (const server of servers) await server.stop();
    await dir.remove();
  }
}
