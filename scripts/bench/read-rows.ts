// Row 3 of `npm run bench`: a probe that must read the Pushgateway, against curl reading the same
// /metrics; and the same pair against a server that sends the same gzip body at once, which takes
// the Pushgateway's render out of both sides (docs/performance.md#what-each-row-means).
import { writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { handleRequest } from '../../lib/http/routes.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { PROJECT_ROOT, tempDir, type RunningProcess } from '../../test/support/processes.ts';
import { startNodeServer } from './node-server.ts';
import { median, ms, type Row } from './figures.ts';
import { howItEnded, startSideSpawner, type SideSpawner } from './side-spawner.ts';

const ROUNDS = 15;
const PROBE = { method: 'GET', path: '/probe', query: new URLSearchParams('target=svc42'), headers: {} };

/** curl's own times for the whole exchange and to its first byte (-w), so its process start is not counted. */
async function curlTimes(side: SideSpawner, url: string): Promise<{ totalMs: number; firstByteMs: number }> {
  const result = await side.run('curl', ['-s', '--compressed', '-o', '/dev/null', '-w', '%{time_total} %{time_starttransfer}', url]);
  if (result.status !== 0) throw new Error(`curl failed (${howItEnded(result)}): ${result.stderr.trim()}`);
  const [total, firstByte] = result.stdout.split(' ').map((seconds) => Number(seconds) * 1000);
  return { totalMs: total ?? Number.NaN, firstByteMs: firstByte ?? Number.NaN };
}

/**
 * The floor of any reader in Node: a node process fetches `/metrics` with node:http on a new
 * connection, asking for gzip as a probe does, inflates it with node:zlib and drops it, nothing
 * else; it reads once untimed (node's own code warmed, as the probe's is by the rounds before) and
 * prints the time of its second read, from the request to the last byte. A process of its own, as
 * curl is: no garbage of the bench's to collect on its way.
 */
const BARE_NODE_READ = `const fail = (error) => { console.error(error.message); process.exit(1); };
const { request } = require('node:http');
const { createGunzip } = require('node:zlib');
const read = () => new Promise((done) => {
  const start = performance.now();
  request(process.argv[1] + '/metrics', { agent: false, headers: { 'accept-encoding': 'gzip', accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' } }, (response) => {
    if (response.statusCode !== 200) fail(new Error('HTTP ' + response.statusCode));
    let inflated = 0;
    response.on('error', fail).pipe(createGunzip()).on('data', (chunk) => { inflated += chunk.length; }).on('error', fail).on('end', () => {
      if (inflated === 0) fail(new Error('the body inflated to nothing'));
      done(performance.now() - start);
    });
  }).on('error', fail).end();
});
read().then(read).then((ms) => console.log(ms));`;

/** `BARE_NODE_READ`'s time for `url`, in ms. */
async function bareNodeRead(side: SideSpawner, url: string): Promise<number> {
  const result = await side.run(process.execPath, ['-e', BARE_NODE_READ, url]);
  const ms = Number(result.stdout);
  if (result.status !== 0 || !Number.isFinite(ms)) throw new Error(`the bare Node read of ${url}/metrics failed (${howItEnded(result)}): ${result.stderr.trim()}`);
  return ms;
}

interface ReadRounds {
  readonly probeMs: number;
  /** CPU of this process per probe (user + system, zlib's thread pool included). */
  readonly probeCpuMs: number;
  readonly curlMs: number;
  readonly curlFirstByteMs: number;
  /** `bareNodeRead`'s time, in the same rounds. */
  readonly bareNodeReadMs: number;
}

/**
 * ROUNDS probes, each by a new runtime (so its first probe must read, whatever the cache does; the
 * config file it also reads is 5 lines), alternating with curl; medians.
 */
async function readRounds(side: SideSpawner, url: string, configFile: string): Promise<ReadRounds> {
  const fresh = () => runtimeFromEnvironment({ CONFIG_FILE: configFile, PUSHGATEWAY_URL: url, LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT });
  const warmup = fresh();
  await handleRequest(PROBE, warmup);
  await warmup.close();
  await curlTimes(side, `${url}/metrics`);
  const probes: number[] = [];
  const cpu: number[] = [];
  const curls: number[] = [];
  const firstBytes: number[] = [];
  const bareReads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const runtime = fresh();
    const start = performance.now();
    const startCpu = process.cpuUsage();
    const response = await handleRequest(PROBE, runtime);
    const usedCpu = process.cpuUsage(startCpu);
    probes.push(performance.now() - start);
    cpu.push((usedCpu.user + usedCpu.system) / 1000);
    await runtime.close();
    if (!response.body.includes('probe_pushgateway_up 1')) throw new Error(`probe did not read ${url}`);
    bareReads.push(await bareNodeRead(side, url));
    const times = await curlTimes(side, `${url}/metrics`);
    curls.push(times.totalMs);
    firstBytes.push(times.firstByteMs);
  }
  return { probeMs: median(probes), probeCpuMs: median(cpu), curlMs: median(curls), curlFirstByteMs: median(firstBytes), bareNodeReadMs: median(bareReads) };
}

/** The Pushgateway's /metrics as it sends it to the exporter: gzip, not inflated. */
function gzipBody(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    httpRequest(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip', accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' } }, (response) => {
      if (response.headers['content-encoding'] !== 'gzip') {
        response.resume();
        reject(new Error('the Pushgateway did not answer in gzip'));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
    }).on('error', reject).end();
  });
}

/** A node process answering every request with `file`'s bytes as a gzip body, in 16 KiB writes (as a streaming server sends). */
function startInstantServer(file: string): Promise<RunningProcess> {
  return startNodeServer(`const body = require('node:fs').readFileSync(${JSON.stringify(file)});`, `(q, s) => {
  s.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-encoding': 'gzip' });
  for (let at = 0; at < body.length; at += 16384) s.write(body.subarray(at, at + 16384));
  s.end();
}`);
}

/** Row 3; returns the probe's median, ms (the cost table's read time). */
export async function benchProbeRead(rows: Row[], pushgatewayUrl: string, configFile: string): Promise<number> {
  // Every process this row needs is started before its first round, so none forks between rounds.
  const dir = await tempDir('pgx-bench-read-');
  const side = startSideSpawner();
  let read: ReadRounds;
  let instant: ReadRounds;
  try {
    const file = join(dir.path, 'metrics.gz');
    // One more read of the Pushgateway before the rounds, whose untimed first probe and curl read it too.
    await writeFile(file, await gzipBody(pushgatewayUrl));
    // The same body from a server that sends it at once: what each side costs once the render is gone.
    const server = await startInstantServer(file);
    try {
      read = await readRounds(side, pushgatewayUrl, configFile);
      instant = await readRounds(side, server.url, configFile);
    } finally {
      await server.stop();
    }
  } finally {
    await side.stop();
    await dir.remove();
  }
  const ratio = read.probeMs / read.curlMs;
  const f = (value: number) => value.toFixed(1);
  console.log(`row 3, the Pushgateway: curl's first byte at ${f(read.curlFirstByteMs)} ms, its last at ${f(read.curlMs)} ms; the probe ${f(read.probeMs)} ms, ${f(read.probeCpuMs)} ms of CPU`);
  const floor = read.bareNodeReadMs / read.curlMs;
  console.log(`row 3's floor, a bare Node read (node:http and zlib, the body inflated and dropped): ${f(read.bareNodeReadMs)} ms, ${floor.toFixed(2)}× curl; the 1.2× target leaves ${f(1.2 * read.curlMs - read.bareNodeReadMs)} ms beyond it for the index`);
  console.log(`row 3, a server sending the same gzip body at once: curl ${f(instant.curlMs)} ms; the probe ${f(instant.probeMs)} ms, ${f(instant.probeCpuMs)} ms of CPU (${(instant.probeMs / instant.curlMs).toFixed(1)}×); a bare Node read ${f(instant.bareNodeReadMs)} ms`);
  rows.push({
    name: '3. a probe that reads the Pushgateway (10k groups) vs `curl --compressed` of the same /metrics',
    measured: ms(read.probeMs), baseline: ms(read.curlMs), ratio, target: '≤ 1.2×', met: ratio <= 1.2,
    raw: {
      probeMs: read.probeMs, probeCpuMs: read.probeCpuMs, curlMs: read.curlMs, curlFirstByteMs: read.curlFirstByteMs, bareNodeReadMs: read.bareNodeReadMs, bareNodeReadRatio: floor,
      instantServerProbeMs: instant.probeMs, instantServerProbeCpuMs: instant.probeCpuMs, instantServerCurlMs: instant.curlMs, instantServerBareNodeReadMs: instant.bareNodeReadMs,
    },
  });
  return read.probeMs;
}
