// The Lambda rows of `npm run bench`: bytes loaded at init, cold init, log bytes per healthy probe.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PROJECT_ROOT, startPushgateway, tempDir } from '../../test/support/processes.ts';
import { LAMBDA_NODE_MAJOR, lambdaNode, type LambdaNode } from './lambda-node.ts';
import { bytesByPackage, median, platformLogBytes, staticClosure, type LoggingConfig, type MetafileOutputs, type Row } from './figures.ts';

const DIST = join(PROJECT_ROOT, 'dist');
const kB = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

/** Row 1: the real build again, with esbuild's metafile; bytes of probe.mjs and its static chunks. */
export async function benchInitBytes(rows: Row[]): Promise<void> {
  const dir = await tempDir('pgx-bench-meta-');
  try {
    const out = join(dir.path, 'meta.jsonl');
    execFileSync(process.execPath, ['--import', join(PROJECT_ROOT, 'scripts', 'bench', 'metafile-register.mjs'), join(PROJECT_ROOT, 'scripts', 'build.mjs')], {
      cwd: PROJECT_ROOT, env: { ...process.env, BENCH_METAFILE_OUT: out }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    const builds = (await readFile(out, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { outdir: string; metafile: { outputs: MetafileOutputs } });
    const probeBuild = builds.find((build) => Object.keys(build.metafile.outputs).some((key) => key.endsWith('/probe.mjs') || key === 'probe.mjs'));
    if (probeBuild === undefined) throw new Error('no build wrote probe.mjs');
    const files = staticClosure('probe.mjs', (file) => readFileSync(join(DIST, file), 'utf8'));
    let bytes = 0;
    for (const file of files) bytes += (await stat(join(DIST, file))).size;
    const split = bytesByPackage(probeBuild.metafile.outputs, probeBuild.outdir, files);
    const target = 150_000;
    rows.push({
      name: `1. bytes loaded at Lambda init, bundled-YAML path (probe.mjs + ${files.length - 1} static chunk(s))`,
      measured: `${kB(bytes)} (${split.map(([name, size]) => `${name} ${kB(size)}`).join(', ')})`,
      baseline: '—', ratio: undefined, target: '≤ 150 KB', met: bytes <= target,
      raw: { bytes, files: files.join(' '), ...Object.fromEntries(split.map(([name, size]) => [`bytes:${name}`, size])) },
    });
  } finally {
    await dir.remove();
  }
}

/**
 * Row 2's floor: a fresh node reads the one-group `/metrics` as a probe does (node:http, gzip asked
 * for, node:zlib to inflate it) and checks the heartbeat is in it, nothing of ours: what any reader
 * of a Pushgateway in Node pays on a cold start (docs/performance.md#row-2-baseline). Its URL is its
 * first argument. The modules come from process.getBuiltinModule, as the bundle's do: on Node 24 an
 * ES import of node:http loads undici (docs/performance.md#nodehttp-without-its-es-module-facade).
 */
const BARE_COLD_READ = `const { request } = process.getBuiltinModule('node:http');
const { gunzipSync } = process.getBuiltinModule('node:zlib');
const fail = (error) => { console.error(error.message); process.exit(1); };
request(process.argv[1] + '/metrics', { headers: { 'accept-encoding': 'gzip' } }, (response) => {
  const chunks = [];
  response.on('data', (chunk) => chunks.push(chunk)).on('error', fail).on('end', () => {
    const body = Buffer.concat(chunks);
    const text = (response.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString();
    if (response.statusCode !== 200 || !text.includes('loop_heartbeat_timestamp_seconds')) fail(new Error('HTTP ' + response.statusCode + ', no heartbeat in the body'));
    process.exit(0);
  });
}).on('error', fail).end();`;

const probeEvent = (target: string) => JSON.stringify({ rawPath: '/probe', rawQueryString: `target=${target}`, headers: {}, requestContext: { http: { method: 'GET' } } });

/** The cold init the cost table bills: row 2b's (the Lambda's Node) when it was measured, else row 2's. */
export interface ColdInit {
  readonly initMs: number;
  /** The Node version that measured it. */
  readonly node: string;
}

/**
 * Row 2: a fresh node imports dist/probe.mjs as the Lambda does (cwd holding config.yml,
 * CONFIG_FILE=config.yml: the bundled-YAML path) and answers one probe from a one-group
 * Pushgateway, against a bare node, alternately. Both sides run an ES module main
 * (`--input-type=module`), as the Lambda runtime imports the handler: a CommonJS `node -e` loads
 * node:crypto and the CommonJS loader before any code runs, which the Lambda's start does not pay
 * (docs/performance.md#row-2-baseline). The CommonJS pair is measured in the same rounds, for the record,
 * and so are the row's floor (BARE_COLD_READ) and a fresh node that imports dist/probe.mjs and answers nothing.
 */
export async function benchColdInit(rows: Row[]): Promise<ColdInit> {
  const lambda = lambdaNode();
  const small = await startPushgateway();
  try {
    // A fresh heartbeat before every cold probe: config.yml's 5 s freshness would otherwise make the
    // later rounds late probes, which write a log line (and load node:crypto for its request id).
    const beat = () => fetch(`${small.url}/metrics/job/heartbeat/instance/service1`, { method: 'PUT', body: `loop_heartbeat_timestamp_seconds{service="service1"} ${Date.now() / 1000}\n` });
    const bundle = JSON.stringify(join(DIST, 'probe.mjs'));
    const script = `import(${bundle}).then((m) => m.handler(${probeEvent('service1')})).then((r) => process.exit(r.statusCode === 200 && r.body.includes('probe_success 1') ? 0 : 1))`;
    const env = { ...process.env, CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: small.url };
    const importOnly = `import(${bundle}).then(() => process.exit(0))`;
    const times = {
      cold: [] as number[], bare: [] as number[], floor: [] as number[], importOnly: [] as number[], coldCjs: [] as number[], bareCjs: [] as number[],
      lambdaCold: [] as number[], lambdaBare: [] as number[], lambdaFloor: [] as number[],
    };
    const run = (into: number[], args: string[], check: boolean, node = process.execPath) => {
      const start = performance.now();
      const result = spawnSync(node, args, { env, cwd: PROJECT_ROOT });
      into.push(performance.now() - start);
      if (check && result.status !== 0) throw new Error(`cold start failed (${args.slice(0, 2).join(' ')}): ${result.stderr.toString()}`);
    };
    // Twenty rounds: with twelve, the floor's ratio moved from 1.13× to 1.39× between two runs of one session.
    for (let round = 0; round < 20; round++) {
      await beat();
      run(times.cold, ['--input-type=module', '-e', script], true);
      run(times.bare, ['--input-type=module', '-e', '0'], false);
      run(times.floor, ['--input-type=module', '-e', BARE_COLD_READ, small.url], true);
      run(times.importOnly, ['--input-type=module', '-e', importOnly], true);
      await beat();
      run(times.coldCjs, ['-e', script], true);
      run(times.bareCjs, ['-e', '0'], false);
      if ('path' in lambda) {
        await beat();
        run(times.lambdaCold, ['--input-type=module', '-e', script], true, lambda.path);
        run(times.lambdaBare, ['--input-type=module', '-e', '0'], false, lambda.path);
        run(times.lambdaFloor, ['--input-type=module', '-e', BARE_COLD_READ, small.url], true, lambda.path);
      }
    }
    const [coldMs, bareMs, coldCjsMs, bareCjsMs] = [median(times.cold), median(times.bare), median(times.coldCjs), median(times.bareCjs)];
    const ratio = coldMs / bareMs;
    const [floorMs, importOnlyMs] = [median(times.floor), median(times.importOnly)];
    console.log(`row 2's floor, a fresh node reading the one-group /metrics with node:http and node:zlib, nothing of ours: ${floorMs.toFixed(1)} ms, ${(floorMs / bareMs).toFixed(2)}× bare node; one importing dist/probe.mjs and answering nothing: ${importOnlyMs.toFixed(1)} ms, ${(importOnlyMs / bareMs).toFixed(2)}×; the 1.5× target leaves ${(1.5 * bareMs - floorMs).toFixed(1)} ms beyond the floor, the cold probe takes ${(coldMs - floorMs).toFixed(1)} ms beyond it`);
    console.log(`row 2 with CommonJS evals on both sides (the baseline before 2026-12-01): ${coldCjsMs.toFixed(1)} ms vs ${bareCjsMs.toFixed(1)} ms, ${(coldCjsMs / bareCjsMs).toFixed(2)}×`);
    rows.push({
      name: '2. cold init: fresh node, import dist/probe.mjs, one /probe (1-group Pushgateway) vs bare `node --input-type=module -e 0`',
      measured: `${coldMs.toFixed(1)} ms`, baseline: `${bareMs.toFixed(1)} ms`, ratio, target: '≤ 1.5×', met: ratio <= 1.5,
      raw: { coldMs, bareNodeMs: bareMs, rounds: times.cold.length, bareColdReadMs: floorMs, bareColdReadRatio: floorMs / bareMs, importOnlyMs, importOnlyRatio: importOnlyMs / bareMs, commonJsColdMs: coldCjsMs, commonJsBareNodeMs: bareCjsMs, commonJsRatio: coldCjsMs / bareCjsMs },
    });
    rows.push(lambdaColdRow(lambda, times.lambdaCold, times.lambdaBare, times.lambdaFloor));
    return 'path' in lambda ? { initMs: median(times.lambdaCold), node: lambda.version } : { initMs: coldMs, node: process.version };
  } finally {
    await small.stop();
  }
}

/**
 * Row 2b: row 2's cold probe, bare node and floor on the Node major the Lambda runs, in the same
 * rounds. Node 24 starts in about half the time Node 20 does, so the same milliseconds of ours weigh
 * more, and its floor alone (nothing of ours) has read about 1.5× (docs/performance.md#row-2b-the-lambdas-own-node).
 */
function lambdaColdRow(lambda: LambdaNode, cold: number[], bare: number[], floor: number[]): Row {
  const name = `2b. cold init as row 2, on Node ${LAMBDA_NODE_MAJOR} (the deployed stages' runtime)`;
  if (!('path' in lambda)) {
    console.log(`row 2b not measured: ${lambda.problem}`);
    return { name, measured: `not measured: ${lambda.problem}`, baseline: '—', ratio: undefined, target: '≤ 1.5×', met: undefined, raw: { problem: lambda.problem } };
  }
  const [coldMs, bareMs, floorMs] = [median(cold), median(bare), median(floor)];
  const ratio = coldMs / bareMs;
  console.log(`row 2b on ${lambda.version}: its floor (the one-group read with node:http and node:zlib, nothing of ours) ${floorMs.toFixed(1)} ms, ${(floorMs / bareMs).toFixed(2)}× bare node; the 1.5× target leaves ${(1.5 * bareMs - floorMs).toFixed(1)} ms beyond the floor, the cold probe takes ${(coldMs - floorMs).toFixed(1)} ms beyond it`);
  return {
    name, measured: `${coldMs.toFixed(1)} ms (${lambda.version})`, baseline: `${bareMs.toFixed(1)} ms`, ratio, target: '≤ 1.5×', met: ratio <= 1.5,
    raw: { node: lambda.version, coldMs, bareNodeMs: bareMs, rounds: cold.length, bareColdReadMs: floorMs, bareColdReadRatio: floorMs / bareMs },
  };
}

interface PackagedFunction {
  readonly variables: Record<string, string>;
  readonly logging: LoggingConfig | undefined;
}

/** `npm run package` (stage prod, offline) into a temp dir; the function's environment and LoggingConfig. */
async function packagedFunction(): Promise<PackagedFunction> {
  const dir = await tempDir('pgx-bench-package-');
  try {
    const env: NodeJS.ProcessEnv = { HOME: dir.path, npm_config_update_notifier: 'false', ALLOW_PUBLIC_FUNCTION_URL: 'true' };
    for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('AWS_') && !/^(LOG_LEVEL|CONFIG_|AUTH_TOKEN|PUSHGATEWAY_)/.test(key)) env[key] ??= value;
    execFileSync('npm', ['run', 'package', '--silent', '--', '--package', join(dir.path, 'out')], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
    const template = JSON.parse(await readFile(join(dir.path, 'out', 'cloudformation-template-update-stack.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Environment?: { Variables?: Record<string, string> }; LoggingConfig?: LoggingConfig } }>;
    };
    const fn = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function');
    if (fn === undefined) throw new Error('the packaged template has no Lambda function');
    return { variables: fn.Properties.Environment?.Variables ?? {}, logging: fn.Properties.LoggingConfig };
  } finally {
    await dir.remove();
  }
}

const WARM_MARKER = '@@bench: warm@@';

/**
 * Runs the packaged handler in a fresh node with the template's environment (plus `extra`) and the
 * runtime's AWS_LAMBDA_LOG_* variables from its LoggingConfig: a first request, checked by
 * `firstCheck` (a JS condition on `first`), warms it, then `requests` more; `before` runs first.
 * Returns our log bytes per request after the warm-up, stdout and stderr together.
 */
function handlerLogBytes(packaged: PackagedFunction, extra: NodeJS.ProcessEnv, firstCheck: string, requests: number, before = ''): number {
  const script = `const m = await import(${JSON.stringify(join(DIST, 'probe.mjs'))});
${before}
const first = await m.handler(${probeEvent('service1')});
if (!(${firstCheck})) { console.error('unexpected first answer', JSON.stringify(first)); process.exit(1); }
process.stdout.write(${JSON.stringify(`${WARM_MARKER}\n`)}); process.stderr.write(${JSON.stringify(`${WARM_MARKER}\n`)});
for (let i = 0; i < ${requests}; i++) await m.handler(${probeEvent('service1')});
process.exit(0);`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...packaged.variables, CONFIG_FILE: 'config.yml', ...extra };
  if (packaged.logging?.LogFormat !== undefined) env.AWS_LAMBDA_LOG_FORMAT = packaged.logging.LogFormat;
  if (packaged.logging?.ApplicationLogLevel !== undefined) env.AWS_LAMBDA_LOG_LEVEL = packaged.logging.ApplicationLogLevel;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: PROJECT_ROOT });
  if (result.status !== 0) throw new Error(`handler log run failed: ${result.stderr.toString()}`);
  const after = (output: Buffer) => {
    const text = output.toString();
    const at = text.indexOf(WARM_MARKER);
    return at === -1 ? 0 : Buffer.byteLength(text.slice(at + WARM_MARKER.length + 1));
  };
  return (after(result.stdout) + after(result.stderr)) / requests;
}

/** How the packaged function logs, for a row's name. */
const loggingOf = (packaged: PackagedFunction) =>
  `ours at LOG_LEVEL=${packaged.variables.LOG_LEVEL ?? 'unset'} + platform, LogFormat ${packaged.logging?.LogFormat ?? 'Text'}, system level ${packaged.logging?.SystemLogLevel ?? 'INFO'}`;

/**
 * Row 7: what a healthy warm probe writes to the Lambda's logs at the packaged defaults: 50 warm
 * probes, counted the handlerLogBytes way, plus the platform's lines unless the LoggingConfig drops them.
 */
export async function benchLogBytes(rows: Row[]): Promise<number> {
  const packaged = await packagedFunction();
  const small = await startPushgateway();
  try {
    // The child pushes the heartbeat itself, right before its first probe: on a loaded machine its
    // start alone can outlast config.yml's 5 s freshness threshold.
    const push = `await fetch(${JSON.stringify(`${small.url}/metrics/job/heartbeat/instance/service1`)}, { method: 'PUT', body: 'loop_heartbeat_timestamp_seconds{service="service1"} ' + Date.now() / 1000 + '\\n' });`;
    const ours = handlerLogBytes(packaged, { PUSHGATEWAY_URL: small.url }, "first.statusCode === 200 && first.body.includes('probe_success 1')", 50, push);
    const platform = platformLogBytes(packaged.logging);
    const total = ours + platform;
    rows.push({
      name: `7. log bytes per healthy warm probe on Lambda (${loggingOf(packaged)})`,
      measured: `${total.toFixed(0)} B (ours ${ours.toFixed(0)}, platform ${platform})`, baseline: '—', ratio: undefined, target: '≈ 0', met: total <= 16,
      raw: { oursBytes: ours, platformBytes: platform, totalBytes: total, logLevel: packaged.variables.LOG_LEVEL ?? '', logFormat: packaged.logging?.LogFormat ?? 'Text', systemLogLevel: packaged.logging?.SystemLogLevel ?? 'INFO' },
    });
    return total;
  } finally {
    await small.stop();
  }
}

/**
 * Row 7b: what a 401 (no bearer token) writes to the Lambda's logs at the packaged defaults, the
 * row 7 way, with AUTH_TOKEN set (packaged from the shell, or from SSM: the same check). Anyone can
 * send these to a public function URL (docs/aws-deployment.md#what-the-defaults-cost).
 */
export async function benchLogBytesUnauthorized(rows: Row[]): Promise<number> {
  const packaged = await packagedFunction();
  const ours = handlerLogBytes(packaged, { AUTH_TOKEN: 'bench-token' }, 'first.statusCode === 401', 50);
  const platform = platformLogBytes(packaged.logging);
  const total = ours + platform;
  rows.push({
    name: `7b. log bytes per 401 (no bearer token) on Lambda (${loggingOf(packaged)})`,
    measured: `${total.toFixed(0)} B (ours ${ours.toFixed(0)}, platform ${platform})`, baseline: '—', ratio: undefined, target: '≈ 0', met: total <= 16,
    raw: { oursBytes: ours, platformBytes: platform, totalBytes: total },
  });
  return total;
}
