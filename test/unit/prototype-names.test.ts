import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { tempDir, type TempDir } from '../support/processes.ts';

/** Every name a plain object already "has": a label, service or metric so named must stay an ordinary name. */
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];
const HB = 'loop_heartbeat_timestamp_seconds';

interface Series {
  readonly metric: string;
  readonly labels: readonly (readonly [string, string])[];
}

interface Case {
  readonly heartbeatMetric: string;
  readonly services: readonly { readonly name: string; readonly series: readonly Series[] }[];
}

/** One series as a comparable string: name, then its labels sorted by name. */
const canonical = (metric: string, labels: readonly (readonly [string, string])[]): string =>
  `${metric}{${[...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}}`;

/** The series of an exposition answer, skipping comments and the probe's own metrics. */
function passedThrough(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('probe_')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const labels = [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"\\]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    out.push(canonical(match[1] ?? '', labels));
  }
  return out.sort();
}

/** Pushgateway's `/metrics` shape: one family block per name, labels sorted, job and instance included. */
function pushgatewayBody(input: Case, nowSeconds: number): string {
  const byMetric = new Map<string, string[]>();
  const add = (metric: string, labels: readonly (readonly [string, string])[], value: number) => {
    let lines = byMetric.get(metric);
    if (lines === undefined) byMetric.set(metric, (lines = []));
    const sorted = [...labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    lines.push(`${metric}{${sorted.map(([name, value]) => `${name}="${value}"`).join(',')}} ${value}`);
  };
  for (const service of input.services) {
    const group = [['instance', service.name], ['job', 'heartbeat']] as const;
    add(input.heartbeatMetric, group, nowSeconds);
    service.series.forEach((series, index) => add(series.metric, [...group, ...series.labels], index));
  }
  return [...byMetric].map(([metric, lines]) => `# TYPE ${metric} untyped\n${lines.join('\n')}\n`).join('');
}

const name = fc.constantFrom(...PROTOTYPE_NAMES);
const caseOf = fc.constantFrom(...PROTOTYPE_NAMES, HB).chain((heartbeatMetric) => {
  const metric = fc.constantFrom(...PROTOTYPE_NAMES.filter((n) => n !== heartbeatMetric), 'queue_depth');
  const labels = fc.uniqueArray(fc.tuple(fc.oneof(name, fc.constantFrom('shard', 'kind')), fc.constantFrom('1', '2', '')), { selector: ([label]) => label, maxLength: 4 });
  const series = fc
    .array(fc.record({ metric, labels }), { maxLength: 6 })
    // Pushgateway keeps one sample per series (an empty-valued label is no label): a repeat is not a push it would accept.
    .map((list) => [...new Map(list.map((s) => [canonical(s.metric, s.labels.filter(([, value]) => value !== '')), s])).values()]);
  return fc.record({
    heartbeatMetric: fc.constant(heartbeatMetric),
    services: fc.uniqueArray(fc.record({ name: fc.oneof(name, fc.constant('service1')), series }), { selector: (s) => s.name, minLength: 1, maxLength: 4 }),
  });
});

describe('names like Object.prototype members (property-based, 300 cases through the route table)', () => {
  let dir: TempDir;
  let server: Server;
  let body = '';
  let nowMs = Date.parse('2026-01-10T10:00:00Z');
  let runtime: Runtime;
  let configFile: string;

  before(async () => {
    dir = await tempDir();
    server = createServer((_request, response) => response.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    configFile = await dir.file('config.yml', '');
    runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error' }, { cwd: '/', clock: () => nowMs });
  });
  after(async () => {
    await runtime.close();
    server.closeAllConnections();
    server.close();
    await dir.remove();
  });

  it('/probes and /probe keep every pushed label and every series distinct, whatever the labels, services and metrics are named', async () => {
    const { port } = server.address() as AddressInfo;
    await fc.assert(
      fc.asyncProperty(caseOf, async (input) => {
        const services = input.services.map((s) => `  - {name: ${JSON.stringify(s.name)}}`).join('\n');
        await dir.file('config.yml', `pushgateway_url: "http://127.0.0.1:${port}"\ndefaults: {heartbeat_metric: ${input.heartbeatMetric}}\nservices:\n${services}\n`);
        // Past config_ttl_seconds and scrape_interval_seconds: this case's config and body are read.
        nowMs += 120_000;
        body = pushgatewayBody(input, nowMs / 1000);

        const all = await handleRequest({ method: 'GET', path: '/probes', query: new URLSearchParams(), headers: {} }, runtime);
        assert.equal(all.status, 200, all.body);
        const expected = input.services.flatMap((s) => s.series.map((series) => canonical(series.metric, [['service', s.name], ...series.labels])));
        assert.deepEqual(passedThrough(all.body), expected.sort());
        const successes = all.body.split('\n').filter((line) => line.startsWith('probe_success{'));
        assert.deepEqual(successes.sort(), input.services.map((s) => `probe_success{service="${s.name}"} 1`).sort());

        for (const service of input.services) {
          const one = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target: service.name }), headers: {} }, runtime);
          assert.equal(one.status, 200, one.body);
          assert.match(one.body, /^probe_success 1$/m);
          assert.deepEqual(passedThrough(one.body), service.series.map((series) => canonical(series.metric, series.labels)).sort());
        }
      }),
      { numRuns: 300 },
    );
  });
});
