// `npm run bench`: every figure measured side by side, in one run, against its baseline.
// Starts a real Pushgateway loaded with 10,000 groups shaped like the seed's pushes, and (for
// the throughput row) Debian's prometheus-blackbox-exporter. Prints a table; writes JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { runtimeFromEnvironment } from '../lib/runtime/production-ports.ts';
import { PushgatewayReader } from '../lib/edges/pushgateway/pushgateway-reader.ts';
import { handleRequest } from '../lib/http/routes.ts';
import { indexSnapshot } from '../lib/core/snapshot/index-slot.ts';
import { randomHashSeed } from '../lib/edges/random-hash-seed.ts';
import { SnapshotSlot } from '../lib/core/snapshot/snapshot-slot.ts';
import type { Snapshot } from '../lib/core/snapshot/snapshot.ts';
import { BODY_SHAPES, hostileBody } from '../test/support/hostile-bodies.ts';
import { freePort, PROJECT_ROOT, startProcess, startPushgateway, tempDir, type RunningProcess } from '../test/support/processes.ts';

const GROUPS = 10_000;
const RESULTS_FILE = join(PROJECT_ROOT, '.bench', 'results.json');

interface Row {
  readonly name: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: number | undefined;
  readonly target: string;
  readonly met: boolean | undefined;
  readonly raw: Record<string, number>;
}

const rows: Row[] = [];
const ms = (value: number) => `${value.toFixed(2)} ms`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

/** Runs `a` and `b` alternately `rounds` times so both see the same machine load; returns their medians. */
async function sideBySide(rounds: number, a: () => Promise<unknown> | unknown, b: () => Promise<unknown> | unknown): Promise<[number, number]> {
  const timesA: number[] = [];
  const timesB: number[] = [];
  for (let i = 0; i < rounds; i++) {
    let start = performance.now();
    await a();
    timesA.push(performance.now() - start);
    start = performance.now();
    await b();
    timesB.push(performance.now() - start);
  }
  return [median(timesA), median(timesB)];
}

async function loadPushgateway(url: string): Promise<void> {
  const now = Date.now() / 1000;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < GROUPS; i = next++) {
      const body = `loop_heartbeat_timestamp_seconds{service="svc${i}"} ${now - (i % 10)}\nloop_errors_total{service="svc${i}"} ${i % 7}\n`;
      const response = await fetch(`${url}/metrics/job/heartbeat/instance/svc${i}`, { method: 'PUT', body });
      if (!response.ok) throw new Error(`push ${i}: HTTP ${response.status} ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function benchParse(pushgatewayUrl: string): Promise<void> {
  // The exporter indexes the body's bytes as read (no text made of it).
  const body = Buffer.from(await (await fetch(`${pushgatewayUrl}/metrics`)).arrayBuffer());
  const json = await (await fetch(`${pushgatewayUrl}/api/v1/metrics`)).text();
  const [parse, jsonParse] = await sideBySide(
    15,
    () => indexSnapshot(body, randomHashSeed()),
    () => JSON.parse(json),
  );
  const ratio = parse / jsonParse;
  rows.push({
    name: '1. parse+index 10k-group /metrics vs JSON.parse of /api/v1/metrics',
    measured: ms(parse), baseline: ms(jsonParse), ratio, target: '≤ 0.25×', met: ratio <= 0.25,
    raw: { parseMs: parse, jsonParseMs: jsonParse, textBytes: body.length, jsonBytes: json.length },
  });
}

async function benchProbeRead(pushgatewayUrl: string, configFile: string): Promise<void> {
  const client = new PushgatewayReader();
  // The clock moves past the snapshot cache (5 s) but not the config TTL (60 s) between probes:
  // every probe reads the Pushgateway; the file config is re-read about once in the run.
  let now = Date.now();
  const runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, PUSHGATEWAY_URL: pushgatewayUrl, LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT, clock: () => now });
  const request = { method: 'GET', path: '/probe', query: new URLSearchParams('target=svc42'), headers: {} };
  await handleRequest(request, runtime);
  // The raw fetch keeps the body as a read does: streamed into a reused buffer.
  const slot = new SnapshotSlot();
  const fetchOnly = () => {
    slot.begin();
    return client.fetchMetrics(pushgatewayUrl, { timeoutMs: 5000, maxBodyBytes: 64 * 1024 * 1024 }, (chunk) => slot.append(chunk));
  };
  await fetchOnly();
  const [probe, fetchMs] = await sideBySide(
    15,
    async () => {
      now += 5_000;
      const response = await handleRequest(request, runtime);
      if (!response.body.includes('probe_pushgateway_up 1')) throw new Error('probe did not read the Pushgateway');
    },
    fetchOnly,
  );
  await client.close();
  await runtime.close();
  const ratio = probe / fetchMs;
  rows.push({
    name: '2. probe reading the Pushgateway (fetch+parse) vs raw fetch, same client',
    measured: ms(probe), baseline: ms(fetchMs), ratio, target: '≤ 1.2×', met: ratio <= 1.2,
    raw: { probeMs: probe, fetchMs },
  });
}

async function benchWarmProbe(pushgatewayUrl: string, configFile: string): Promise<void> {
  const runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, PUSHGATEWAY_URL: pushgatewayUrl, LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT, clock: () => 1_000 });
  const requests = Array.from({ length: 1000 }, (_, i) => ({ method: 'GET', path: '/probe', query: new URLSearchParams(`target=svc${(i * 7919) % GROUPS}`), headers: {} }));
  for (const request of requests) await handleRequest(request, runtime); // fills the cache, warms the JIT
  const times: number[] = [];
  for (let round = 0; round < 20; round++) {
    for (const request of requests) {
      const start = performance.now();
      await handleRequest(request, runtime);
      times.push((performance.now() - start) * 1000);
    }
  }
  await runtime.close();
  times.sort((a, b) => a - b);
  const p50 = percentile(times, 0.5);
  const p99 = percentile(times, 0.99);
  rows.push({
    name: '3. warm probe (cache hit) on the 10k-service snapshot, p50 / p99',
    measured: `${p50.toFixed(1)} / ${p99.toFixed(1)} µs`, baseline: '—', ratio: undefined, target: 'p99 < 100 µs', met: p99 < 100,
    raw: { p50Us: p50, p99Us: p99, samples: times.length },
  });
}

async function benchHeap(pushgatewayUrl: string): Promise<void> {
  // The snapshot keeps the /metrics body it indexes: count that too. Body and index live in
  // buffers outside the JS heap: count those with it.
  const body = Buffer.from(await (await fetch(`${pushgatewayUrl}/metrics`)).arrayBuffer());
  const held = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.arrayBuffers;
  gc();
  const before = held(process.memoryUsage());
  let snapshot: Snapshot | undefined = indexSnapshot(Buffer.from(body), randomHashSeed());
  gc();
  const after = held(process.memoryUsage());
  const megabytes = (after - before) / 1024 / 1024;
  if (snapshot.groups.size < GROUPS) throw new Error('snapshot lost groups');
  snapshot = undefined;
  rows.push({
    name: '4. memory held by the 10k-group snapshot (index + the body it points into, heap and buffers)',
    measured: `${megabytes.toFixed(1)} MB`, baseline: '—', ratio: undefined, target: '≤ 40 MB', met: megabytes <= 40,
    raw: { heapMB: megabytes, samples: 30_000 },
  });
}

/** Parse+index time per byte of each hostile shape against a Pushgateway-shaped body of the same size. */
async function benchHostile(): Promise<void> {
  const size = 1024 * 1024;
  const plain = Buffer.from(hostileBody('plain', size));
  let worst = { shape: '', ratio: 0, ms: 0, plainMs: 0 };
  const perShape: Record<string, number> = {};
  for (const shape of BODY_SHAPES.filter((name) => name !== 'plain')) {
    const body = Buffer.from(hostileBody(shape, size));
    const [plainMs, hostileMs] = await sideBySide(7, () => indexSnapshot(plain, randomHashSeed()), () => indexSnapshot(body, randomHashSeed()));
    const ratio = hostileMs / body.length / (plainMs / plain.length);
    perShape[shape] = ratio;
    if (ratio > worst.ratio) worst = { shape, ratio, ms: hostileMs, plainMs };
  }
  rows.push({
    name: `7. parse+index per byte, worst hostile shape (${worst.shape}) vs Pushgateway-shaped, 1 MiB each`,
    measured: ms(worst.ms), baseline: ms(worst.plainMs), ratio: worst.ratio, target: '≤ 3×', met: worst.ratio <= 3,
    raw: perShape,
  });
}

async function bytesOf(files: string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

/** Init cost alone: the first probe reads a one-group Pushgateway (row 2 covers reading 10k groups). */
async function benchColdStart(configFile: string): Promise<void> {
  const small = await startPushgateway();
  try {
    await fetch(`${small.url}/metrics/job/heartbeat/instance/svc1`, { method: 'PUT', body: `loop_heartbeat_timestamp_seconds{service="svc1"} ${Date.now() / 1000}\n` });
    await measureColdStart(small.url, configFile);
  } finally {
    await small.stop();
  }
}

async function measureColdStart(pushgatewayUrl: string, configFile: string): Promise<void> {
  const event = JSON.stringify({ rawPath: '/probe', rawQueryString: 'target=svc1', headers: {}, requestContext: { http: { method: 'GET' } } });
  const script = `import(${JSON.stringify(join(PROJECT_ROOT, 'dist', 'probe.mjs'))}).then((m) => m.handler(${event})).then((r) => { if (r.statusCode !== 200) process.exit(1); process.exit(0); })`;
  const env = { ...process.env, CONFIG_FILE: configFile, PUSHGATEWAY_URL: pushgatewayUrl, LOG_LEVEL: 'error' };
  const [cold, bare] = await sideBySide(
    10,
    () => {
      const result = spawnSync(process.execPath, ['-e', script], { env });
      if (result.status !== 0) throw new Error(`cold start failed: ${result.stderr.toString()}`);
    },
    () => spawnSync(process.execPath, ['-e', ''], { env }),
  );
  const chunks = (await readdir(join(PROJECT_ROOT, 'dist', 'chunks'))).map((name) => join(PROJECT_ROOT, 'dist', 'chunks', name));
  const handlerBytes = await bytesOf([join(PROJECT_ROOT, 'dist', 'probe.mjs')]);
  const allBytes = handlerBytes + (await bytesOf(chunks));
  const ratio = cold / bare;
  rows.push({
    name: '5. Lambda cold init: node + import bundle + first probe (1-group Pushgateway) vs bare `node -e ""`',
    measured: ms(cold), baseline: ms(bare), ratio, target: '≤ 1.3×', met: ratio <= 1.3,
    raw: { coldMs: cold, bareNodeMs: bare },
  });
  rows.push({
    name: '5b. bundle bytes: YAML path (dist/probe.mjs) / SSM path (+ SDK chunks)',
    measured: `${(handlerBytes / 1024).toFixed(0)} kB / ${(allBytes / 1024).toFixed(0)} kB`, baseline: '—', ratio: undefined, target: 'reported', met: undefined,
    raw: { yamlPathBytes: handlerBytes, ssmPathBytes: allBytes },
  });
}

async function throughput(url: string): Promise<{ rps: number; p99Ms: number; errors: number }> {
  const result = await autocannon({ url, connections: 10, duration: 5, pipelining: 1 });
  return { rps: result.requests.average, p99Ms: result.latency.p99, errors: result.errors + result.non2xx };
}

async function benchServer(pushgatewayUrl: string, configFile: string): Promise<void> {
  if (spawnSync('prometheus-blackbox-exporter', ['--version']).status !== 0) {
    if (process.getuid?.() === 0) execFileSync('apt-get', ['install', '-y', 'prometheus-blackbox-exporter'], { stdio: 'inherit' });
    else throw new Error('prometheus-blackbox-exporter is missing: sudo apt-get install -y prometheus-blackbox-exporter');
  }
  const servers: RunningProcess[] = [];
  const target = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok\n'); });
  const targetPort = await freePort();
  await new Promise<void>((resolve) => target.listen(targetPort, '127.0.0.1', resolve));
  try {
    const dir = await tempDir('pgx-bench-');
    const blackboxConfig = await dir.file('blackbox.yml', 'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n');
    const blackboxPort = await freePort();
    const blackboxUrl = `http://127.0.0.1:${blackboxPort}`;
    servers.push(await startProcess('prometheus-blackbox-exporter', [`--config.file=${blackboxConfig}`, `--web.listen-address=127.0.0.1:${blackboxPort}`], { readyUrl: `${blackboxUrl}/-/healthy`, url: blackboxUrl, port: blackboxPort }));
    const ourPort = await freePort();
    const ourUrl = `http://127.0.0.1:${ourPort}`;
    servers.push(await startProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'server', 'server.mjs')], {
      readyUrl: `${ourUrl}/-/healthy`, url: ourUrl, port: ourPort,
      env: { PORT: String(ourPort), HOST: '127.0.0.1', CONFIG_FILE: configFile, PUSHGATEWAY_URL: pushgatewayUrl, LOG_LEVEL: 'error' },
    }));
    const ours = await throughput(`${ourUrl}/probe?target=svc42`);
    const blackbox = await throughput(`${blackboxUrl}/probe?module=http_2xx&target=http://127.0.0.1:${targetPort}/`);
    await dir.remove();
    const ratio = ours.rps / blackbox.rps;
    rows.push({
      name: '6. server warm throughput (10 conns, 5 s) vs blackbox_exporter http_2xx on a local target',
      measured: `${ours.rps.toFixed(0)} req/s (p99 ${ours.p99Ms} ms)`, baseline: `${blackbox.rps.toFixed(0)} req/s (p99 ${blackbox.p99Ms} ms)`,
      ratio, target: '≥ 1× (reported)', met: ratio >= 1 && ours.errors === 0,
      raw: { oursRps: ours.rps, oursP99Ms: ours.p99Ms, oursErrors: ours.errors, blackboxRps: blackbox.rps, blackboxP99Ms: blackbox.p99Ms, blackboxErrors: blackbox.errors },
    });
  } finally {
    for (const server of servers) await server.stop();
    target.close();
  }
}

function printTable(): void {
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((row) => [row.name, row.measured, row.baseline, row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`, row.target, row.met === undefined ? '—' : row.met ? 'yes' : 'NO']);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  console.log(format(header));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  for (const line of lines) console.log(format(line));
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}/${process.arch}` };
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}`);
  const pushgateway = await startPushgateway(['--push.disable-consistency-check']);
  const dir = await tempDir('pgx-bench-config-');
  try {
    process.stdout.write(`loading ${GROUPS} groups into the Pushgateway... `);
    const loadStart = performance.now();
    await loadPushgateway(pushgateway.url);
    console.log(`${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    const configFile = await dir.file('config.yml', 'pushgateway_url: "http://unused:9091"\nallow_unlisted_targets: true\nscrape_interval_seconds: 5\ndefaults:\n  freshness_threshold_seconds: 60\n');
    await benchParse(pushgateway.url);
    await benchProbeRead(pushgateway.url, configFile);
    await benchWarmProbe(pushgateway.url, configFile);
    await benchHeap(pushgateway.url);
    await benchHostile();
    await benchColdStart(configFile);
    await benchServer(pushgateway.url, configFile);
  } finally {
    await pushgateway.stop();
    await dir.remove();
  }
  printTable();
  await mkdir(join(PROJECT_ROOT, '.bench'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify({ date: new Date().toISOString(), machine, groups: GROUPS, rows }, null, 2)}\n`);
  console.log(`results: ${RESULTS_FILE} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

await main();
