// `npm run bench`: every figure of docs/performance.md measured side by side, in one run, against its
// baseline, plus the older rows that still mean something. Starts a real Pushgateway loaded with
// 10,000 groups shaped like the seed's pushes, a bare node:http server and Debian's
// prometheus-blackbox-exporter. Prints the table and the cost table; writes .bench/results.json.
// docs/performance.md explains each row, docs/cost.md the cost table.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../lib/core/config/parse-config.ts';
import { runtimeFromEnvironment } from '../lib/runtime/production-ports.ts';
import { handleRequest } from '../lib/http/routes.ts';
import { indexSnapshot } from '../lib/core/snapshot/index-slot.ts';
import { CHAR_CLASS } from '../lib/core/exposition/byte-scanning.ts';
import { randomHashSeed } from '../lib/edges/random-hash-seed.ts';
import type { IndexedSnapshot } from '../lib/core/snapshot/indexed-snapshot.ts';
import { runToEnd } from '../lib/core/sliced-work.ts';
import { PROJECT_ROOT, startPushgateway, tempDir } from '../test/support/processes.ts';
import { BENCH_FRESHNESS_SECONDS, benchConfig, formatTable, median, monthlyCost, ms, percentile, perRoundRatio, PRICES, type CostInputs, type Row } from './bench/figures.ts';
import { benchColdInit, benchInitBytes, benchLogBytes, benchLogBytesUnauthorized, type ColdInit } from './bench/lambda-rows.ts';
import { benchRefreshLatency, benchServeThroughput } from './bench/server-rows.ts';
import { benchMerge } from './bench/merge-rows.ts';
import { benchProbeRead } from './bench/read-rows.ts';
import { alternatingRounds } from './bench/alternating-rounds.ts';
import { benchHostile } from './bench/hostile-rows.ts';
import { loadPushgateway } from './bench/load-pushgateway.ts';

const GROUPS = 10_000;
const RESULTS_FILE = join(PROJECT_ROOT, '.bench', 'results.json');
/** Services the /probes row of the cost table answers for. */
const COST_SERVICES = 1000;
/** The cost table's container reuse: each environment is replaced every 2 hours (docs/cost.md). */
const COLD_STARTS_PER_MONTH = (30 * 24) / 2;

const rows: Row[] = [];

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  collect();
  collect();
}

async function benchParse(pushgatewayUrl: string): Promise<void> {
  // The exporter indexes the body's bytes as read (no text made of it), tolerant as a read is
  // (an invalid line is counted, not thrown), with a new random seed per read.
  const body = Buffer.from(await (await fetch(`${pushgatewayUrl}/metrics`)).arrayBuffer());
  const json = await (await fetch(`${pushgatewayUrl}/api/v1/metrics`)).text();
  const parse = () => indexSnapshot(body, randomHashSeed(), { strict: false });
  const parseJson = () => JSON.parse(json) as unknown;
  // Both sides compiled before any round counts (the first calls of either are several times slower
  // and would otherwise fall in whichever rounds they land in), and the earlier rows' garbage
  // collected, so neither side pays for it.
  for (let i = 0; i < 5; i++) { parse(); parseJson(); }
  gc();
  /** Per-round times of `side` (the index by default) and JSON.parse; `collect` runs a full collection before each call. */
  const measure = (rounds: number, collect: boolean, side: () => unknown = parse): [number[], number[]] => alternatingRounds(rounds, side, parseJson, collect ? gc : undefined);
  const [parses, jsonParses] = measure(21, false);
  const ratio = perRoundRatio(parses, jsonParses);
  // The same after a full collection each: it deoptimizes the index's compiled code (V8: "weak
  // objects", the previous index's objects it had embedded died) and the next index runs largely
  // unoptimized; JSON.parse is native and does not care. A read that follows a full collection pays this.
  const collected = measure(7, true);
  const collectedRatio = perRoundRatio(...collected);
  console.log(`row 4 after a full collection before each call: ${median(collected[0]).toFixed(1)} ms vs ${median(collected[1]).toFixed(1)} ms, ${collectedRatio.toFixed(2)}×`);
  // The service and family tables are built after the read (on the first lookup that needs one, or
  // in the background on a long-lived process): what the read and those builds cost together, for the record.
  const withLater: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    runToEnd(parse().indexLater());
    withLater.push(performance.now() - start);
  }
  console.log(`row 4 with the service and family tables built too: ${median(withLater).toFixed(1)} ms (the row's index alone: ${median(parses).toFixed(1)} ms)`);
  // The floor of any JavaScript scan that validates every byte: one loop reading each byte and its
  // character class, nothing else (the scanner's own table), alternating with JSON.parse.
  // Summed and checked after, so the loop's work cannot be dropped as unused.
  let classesSeen = 0;
  const [passes, passJsonParses] = measure(21, false, () => { classesSeen += bytePass(body); });
  if (classesSeen === 0) throw new Error('the byte pass read nothing');
  const passRatio = perRoundRatio(passes, passJsonParses);
  console.log(`row 4's floor, one JavaScript pass reading each byte and its class: ${median(passes).toFixed(1)} ms, ${passRatio.toFixed(2)}× JSON.parse (${(median(passes) * 1e6 / body.length).toFixed(2)} ns a byte); the 0.35× target leaves ${(0.35 * median(passJsonParses) - median(passes)).toFixed(1)} ms beyond it for the rest of the index`);
  rows.push({
    name: '4. parse+index of the 10k-group /metrics vs JSON.parse of /api/v1/metrics',
    measured: ms(median(parses)), baseline: ms(median(jsonParses)), ratio, target: '≤ 0.35×', met: ratio <= 0.35,
    raw: {
      parseMs: median(parses), jsonParseMs: median(jsonParses), ratioOfMedians: median(parses) / median(jsonParses), rounds: parses.length,
      withTablesBuiltLaterMs: median(withLater), afterFullGcParseMs: median(collected[0]), afterFullGcJsonParseMs: median(collected[1]), afterFullGcRatio: collectedRatio,
      textBytes: body.length, jsonBytes: json.length, bytePassMs: median(passes), bytePassRatio: passRatio,
    },
  });
}

/** Reads every byte of `bytes` once and looks its class up: the least a validating scan does. */
function bytePass(bytes: Buffer): number {
  let classes = 0;
  for (let i = 0; i < bytes.length; i++) classes += CHAR_CLASS[bytes[i] as number] as number;
  return classes;
}

/** Row 8, and the warm durations the cost table bills: in-process /probe and /probes answers. */
async function benchWarmProbe(pushgatewayUrl: string, configFile: string, servicesConfigFile: string): Promise<{ probeMs: number; probesMs: number }> {
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
  times.sort((x, y) => x - y);
  const p50 = percentile(times, 0.5);
  const p99 = percentile(times, 0.99);
  rows.push({
    name: '8. warm probe in-process (cache hit) on the 10k-service snapshot, p50 / p99',
    measured: `${p50.toFixed(1)} / ${p99.toFixed(1)} µs`, baseline: '—', ratio: undefined, target: 'p99 < 100 µs', met: p99 < 100,
    raw: { p50Us: p50, p99Us: p99, samples: times.length },
  });
  // /probes over the services the config lists (COST_SERVICES of them), answered from a cached snapshot.
  const listed = runtimeFromEnvironment({ CONFIG_FILE: servicesConfigFile, PUSHGATEWAY_URL: pushgatewayUrl, LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT, clock: () => 1_000 });
  const all = { method: 'GET', path: '/probes', query: new URLSearchParams(), headers: {} };
  const first = await handleRequest(all, listed);
  if (!first.body.includes('svc999')) throw new Error('/probes did not answer every listed service');
  const probesTimes: number[] = [];
  for (let round = 0; round < 30; round++) {
    const start = performance.now();
    await handleRequest(all, listed);
    probesTimes.push(performance.now() - start);
  }
  await listed.close();
  return { probeMs: p50 / 1000, probesMs: median(probesTimes) };
}

async function benchHeap(pushgatewayUrl: string): Promise<void> {
  // The snapshot keeps the /metrics body it indexes: count that too. Body and index live in
  // buffers outside the JS heap: count those with it.
  const body = Buffer.from(await (await fetch(`${pushgatewayUrl}/metrics`)).arrayBuffer());
  const held = (usage: NodeJS.MemoryUsage) => usage.heapUsed + usage.arrayBuffers;
  gc();
  const before = held(process.memoryUsage());
  let snapshot: IndexedSnapshot | undefined = indexSnapshot(Buffer.from(body), randomHashSeed());
  // Counted with the tables built after the read (the first lookups build them; docs/performance.md).
  runToEnd(snapshot.indexLater());
  gc();
  const after = held(process.memoryUsage());
  const megabytes = (after - before) / 1024 / 1024;
  if (snapshot.groups.size < GROUPS) throw new Error('snapshot lost groups');
  snapshot = undefined;
  rows.push({
    name: '10. memory held by the 10k-group snapshot (index + the body it points into, heap and buffers)',
    measured: `${megabytes.toFixed(1)} MB`, baseline: '—', ratio: undefined, target: '≤ 40 MB', met: megabytes <= 40,
    raw: { heapMB: megabytes, samples: 30_000 },
  });
}

/** The shipped config.yml's `scrape_interval_seconds`: how long one read serves a warm container. */
async function shippedCacheSeconds(): Promise<number> {
  return parseConfig(await readFile(join(PROJECT_ROOT, 'config.yml'), 'utf8')).scrapeIntervalSeconds;
}

function printCost(coldInit: ColdInit, warm: { probeMs: number; probesMs: number }, readMs: number, cacheSeconds: number, logBytes: number): Record<string, unknown> {
  const base: Omit<CostInputs, 'warmMs'> = { initMs: coldInit.initMs, readMs, cacheSeconds, logBytesPerRequest: logBytes, coldStartsPerMonth: COLD_STARTS_PER_MONTH, memoryMb: 128 };
  const lines = [];
  for (const interval of [5, 15]) {
    const probe = monthlyCost(interval, { ...base, warmMs: warm.probeMs });
    const probes = monthlyCost(interval, { ...base, warmMs: warm.probesMs });
    lines.push({ scheme: `/probe per target, ${interval} s`, perService: 1, ...probe });
    lines.push({ scheme: `/probes (${COST_SERVICES} services), ${interval} s`, perService: COST_SERVICES, ...probes });
  }
  console.log(`\ncost per month (${PRICES.region}, arm64 128 MB, $${PRICES.requestUsdPerMillion}/M requests, $${PRICES.arm64UsdPerGbSecond}/GB-s, logs $${PRICES.logsUsdPerGb}/GB; ` +
    `init ${coldInit.initMs.toFixed(0)} ms (Node ${coldInit.node}) × ${COLD_STARTS_PER_MONTH} cold starts/month per environment, warm /probe ${warm.probeMs.toFixed(3)} ms, /probes ${warm.probesMs.toFixed(1)} ms, ` +
    `a read of the 10k-group Pushgateway ${readMs.toFixed(0)} ms every max(scrape interval, scrape_interval_seconds ${cacheSeconds} s), ${logBytes.toFixed(0)} log B/request)`);
  console.log('| scheme | requests | of which read | billed GB-s | log MB | requests $ | duration $ | logs $ | total $ | per service $ |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const line of lines) {
    console.log(`| ${line.scheme} | ${line.requests.toFixed(0)} | ${line.reads.toFixed(0)} | ${(line.billedSeconds * 128 / 1024).toFixed(1)} | ${(line.logBytes / 1e6).toFixed(1)} | ${line.requestUsd.toFixed(4)} | ${line.durationUsd.toFixed(4)} | ${line.logUsd.toFixed(4)} | ${line.totalUsd.toFixed(4)} | ${(line.totalUsd / line.perService).toFixed(6)} |`);
  }
  return { prices: PRICES, coldStartsPerMonth: COLD_STARTS_PER_MONTH, initMs: coldInit.initMs, initNode: coldInit.node, warm, readMs, cacheSeconds, logBytesPerRequest: logBytes, lines };
}

async function main(): Promise<void> {
  const started = performance.now();
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}/${process.arch}`, loadAverageAtStart: loadavg()[0] ?? 0 };
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, ${machine.platform}, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}`);
  await benchInitBytes(rows);
  const coldInit = await benchColdInit(rows);
  const pushgateway = await startPushgateway(['--push.disable-consistency-check']);
  const dir = await tempDir('pgx-bench-config-');
  let warm = { probeMs: Number.NaN, probesMs: Number.NaN };
  let readMs = Number.NaN;
  try {
    process.stdout.write(`loading ${GROUPS} groups into the Pushgateway... `);
    const loadStart = performance.now();
    await loadPushgateway(pushgateway.url, GROUPS);
    console.log(`${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    const loadedAtMs = performance.now();
    const configFile = await dir.file('config.yml', benchConfig(5));
    const servicesConfig = await dir.file('services.yml', `pushgateway_url: "http://unused:9091"\nscrape_interval_seconds: 5\ndefaults:\n  freshness_threshold_seconds: ${BENCH_FRESHNESS_SECONDS}\nservices:\n${Array.from({ length: COST_SERVICES }, (_, i) => `  - name: svc${i}\n`).join('')}`);
    readMs = await benchProbeRead(rows, pushgateway.url, configFile);
    await benchParse(pushgateway.url);
    await benchServeThroughput(rows, pushgateway.url, loadedAtMs);
    await benchRefreshLatency(rows, pushgateway.url);
    warm = await benchWarmProbe(pushgateway.url, configFile, servicesConfig);
    await benchHeap(pushgateway.url);
    benchHostile(rows);
    await benchMerge(rows);
  } finally {
    await pushgateway.stop();
    await dir.remove();
  }
  const logBytes = await benchLogBytes(rows);
  await benchLogBytesUnauthorized(rows);
  rows.sort((x, y) => Number.parseInt(x.name, 10) - Number.parseInt(y.name, 10));
  console.log(formatTable(rows));
  const cost = printCost(coldInit, warm, readMs, await shippedCacheSeconds(), logBytes);
  await mkdir(join(PROJECT_ROOT, '.bench'), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify({ date: new Date().toISOString(), machine, loadAverageAtEnd: loadavg()[0] ?? 0, groups: GROUPS, rows, cost }, null, 2)}\n`);
  console.log(`load average at the end ${loadavg().map((n) => n.toFixed(2)).join(' ')}; results: ${RESULTS_FILE} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

await main();
