// A warm Lambda container in miniature: imports the bundled handler (dist/probe.mjs) once and
// probes through several snapshot refreshes, printing one JSON line per probe with the
// process's peak resident memory (VmHWM). Run under `node --max-old-space-size=128`.
// Environment: CONFIG_FILE (read by the handler), ROUNDS, PAUSE_MS (longer than the scrape
// interval, so each round reads the Pushgateway again), TARGETS (comma-separated).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..', '..');
const { handler } = await import(pathToFileURL(join(root, 'dist', 'probe.mjs')).href);
const mebibytes = (field) => Number(readFileSync('/proc/self/status', 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))?.[1]) / 1024;
const value = (body, name) => {
  const line = body.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

for (let round = 0; round < Number(process.env.ROUNDS); round++) {
  for (const target of String(process.env.TARGETS).split(',')) {
    const started = performance.now();
    const result = await handler({ rawPath: '/probe', rawQueryString: `target=${target}`, headers: {}, requestContext: { http: { method: 'GET' } } });
    const body = String(result.body);
    process.stdout.write(`${JSON.stringify({
      round, target, status: result.statusCode, success: value(body, 'probe_success'), up: value(body, 'probe_pushgateway_up'),
      found: value(body, 'probe_heartbeat_found'), ms: Math.round(performance.now() - started), rssMiB: mebibytes('VmRSS'), hwmMiB: mebibytes('VmHWM'),
    })}\n`);
  }
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.PAUSE_MS)));
}
process.stdout.write(`${JSON.stringify({ done: true, hwmMiB: mebibytes('VmHWM') })}\n`);
process.exit(0);
