// Row 5, decomposed: CPU time per request of each server process (`/proc/<pid>/stat` utime+stime
// around each autocannon round) and its requests/s, for several builds of `npm run serve` and a bare
// node:http server answering the same bytes, rounds alternating, medians (docs/performance.md).
//
//   node --import tsx scripts/bench/serve-cpu-rounds.ts [--rounds 5] [--seconds 3] [--groups 10000] \
//     [--debug] NAME=DIST_DIR [NAME=DIST_DIR …]
//
// Each DIST_DIR is a built `dist/` (e.g. main=/work/main/dist ours=dist). NODE_ARGS_<NAME> (spaces
// apart) adds node flags to that server, e.g. NODE_ARGS_ours="--cpu-prof --cpu-prof-dir=/tmp/prof".
// The build named first has measured about 5% more CPU than the same build named second: run a
// comparison in both orders (docs/performance-history.md, the seventh session's section).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { freePort, startProcess, startPushgateway, tempDir, type RunningProcess } from '../../test/support/processes.ts';
import { benchConfig, median, perRoundRatio } from './figures.ts';
import { assertHealthy, startBare } from './server-rows.ts';
import { loadPushgateway } from './load-pushgateway.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = argv.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(argv[at + 1]);
};
const ROUNDS = option('rounds', 5);
const SECONDS = option('seconds', 3);
const GROUPS = option('groups', 10_000);
const QUERY = argv.includes('--debug') ? '/probe?target=svc42&debug=true' : '/probe?target=svc42';
const builds = argv.filter((arg) => arg.includes('=')).map((arg) => {
  const [name = '', dist = ''] = arg.split('=');
  return { name, dist: resolve(dist) };
});

const CLOCK_TICKS = 100;
/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

interface Server { readonly name: string; readonly process: RunningProcess; readonly cpu: number[]; readonly rps: number[] }

async function main(): Promise<void> {
  const dir = await tempDir('pgx-serve-cpu-');
  const started: RunningProcess[] = [];
  try {
    const pushgateway = await startPushgateway(['--push.disable-consistency-check']);
    started.push(pushgateway);
    await loadPushgateway(pushgateway.url, GROUPS);
    const config = await dir.file('config.yml', benchConfig(600));
    const servers: Server[] = [];
    let body = '';
    let contentType = '';
    for (const build of builds) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const nodeArgs = (process.env[`NODE_ARGS_${build.name}`] ?? '').split(' ').filter((arg) => arg !== '');
      const env = { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: config, PUSHGATEWAY_URL: pushgateway.url, LOG_LEVEL: undefined };
      const child = await startProcess(process.execPath, [...nodeArgs, join(build.dist, 'server', 'server.mjs')], { readyUrl: `${url}/-/healthy`, url, port, env });
      started.push(child);
      const answer = await fetch(`${url}${QUERY}`);
      const text = await answer.text();
      assertHealthy(text);
      body = text;
      contentType = answer.headers.get('content-type') ?? '';
      servers.push({ name: build.name, process: child, cpu: [], rps: [] });
    }
    const bare = await startBare(body, contentType);
    started.push(bare);
    servers.push({ name: 'bare', process: bare, cpu: [], rps: [] });
    const loadBefore = loadavg()[0] ?? 0;
    for (const server of servers) await autocannon({ url: `${server.process.url}${QUERY}`, connections: 16, duration: 1 });
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const pid = server.process.child.pid ?? 0;
        const before = cpuSeconds(pid);
        const result = await autocannon({ url: `${server.process.url}${QUERY}`, connections: 16, duration: SECONDS });
        const used = cpuSeconds(pid) - before;
        if (result.errors + result.non2xx > 0) throw new Error(`${server.name}: ${result.errors} errors, ${result.non2xx} non-2xx`);
        server.cpu.push((used / result.requests.total) * 1e6);
        server.rps.push(result.requests.total / SECONDS);
      }
    }
    const bareRps = median(servers.at(-1)?.rps ?? []);
    const bareCpu = median(servers.at(-1)?.cpu ?? []);
    console.log(`${QUERY}, ${body.length}-byte answer, ${ROUNDS} alternating rounds of ${SECONDS} s, 16 connections; load average ${loadBefore.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}`);
    // Each round's own ratio to the first build too: both sides of a ratio ran seconds apart.
    const first = servers[0];
    const paired = (server: Server, of: 'cpu' | 'rps'): number => perRoundRatio(server[of], first?.[of] ?? []);
    for (const server of servers) {
      const [rps, cpu] = [median(server.rps), median(server.cpu)];
      const vsFirst = server === first ? '' : `  per round vs ${first?.name}: CPU ${paired(server, 'cpu').toFixed(3)}×, req/s ${paired(server, 'rps').toFixed(3)}×`;
      console.log(`${server.name.padEnd(10)} ${rps.toFixed(0).padStart(7)} req/s (${(rps / bareRps).toFixed(2)}×)  ${cpu.toFixed(1).padStart(6)} µs CPU/request (${(cpu / bareCpu).toFixed(2)}×)  ${vsFirst}`);
      console.log(`           rounds: ${server.rps.map((v) => v.toFixed(0)).join(' ')} | ${server.cpu.map((v) => v.toFixed(1)).join(' ')}`);
    }
  } finally {
    for (const child of started.reverse()) await child.stop();
    await dir.remove();
  }
}

await main();
