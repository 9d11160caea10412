import assert from 'node:assert/strict';
import { MAX_LISTED_PROBLEMS } from '../../lib/core/config/field-rules.ts';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigError, ExpositionError } from '../../lib/core/errors.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { escapeLabelValue, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { groupKey } from '../../lib/core/snapshot/snapshot.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { stringify } from 'yaml';
import { PROJECT_ROOT, tempDir } from '../support/processes.ts';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { serviceConfig } from '../support/service-config.ts';
import { buildStatusReport } from '../../lib/core/report/status-report.ts';
import { escapeHtml, renderStatusPage } from '../../lib/core/report/status-page.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const RUNS = { numRuns: 1000 };
import { STACK_FRAME } from '../support/stack-frame.ts';

/** Strings users and attackers send: unicode, control characters, quotes, URLs, long values. */
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('', '"', '\\', '\n', '\r\n', '\u0000', '\u2028', '"} 1\nprobe_success 1', 'http://169.254.169.254/latest/meta-data', '../../etc/passwd', '%00', 'service1'),
  fc.string({ maxLength: 12 }).map((s) => s.repeat(900)),
);

describe('hostile requests (property-based, 1,000 cases each)', () => {
  // The Pushgateway address is unreachable on purpose: probes must still answer 200 or a 4xx.
  const runtime = runtimeFromEnvironment({ CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT });

  it('never answers 5xx, never shows a stack, and keeps error answers to one line, whatever the query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.oneof(fc.constantFrom('target', 'debug', 'module', 'target[]'), hostileString), hostileString), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams();
        for (const [key, value] of pairs) query.append(key, value);
        const response = await handleRequest({ method: 'GET', path: '/probe', query, headers: {} }, runtime);
        assert.ok(response.status < 500, `status ${response.status}`);
        assert.doesNotMatch(response.body, STACK_FRAME);
        if (response.status !== 200) assert.equal(response.body.trimEnd().split('\n').length, 1, response.body);
      }),
      RUNS,
    );
  });

  it('never echoes a target raw: an unknown target cannot add a line or a sample', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, async (target) => {
        fc.pre(target !== '' && target !== 'service1' && target !== 'service2');
        const response = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target }), headers: {} }, runtime);
        assert.equal(response.status, 404);
        assert.equal(response.body.split('\n').length, 2, 'one line and its newline');
        assert.ok(response.body.length < 400);
      }),
      RUNS,
    );
  });

  it('answers any path and method with a known status', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'get', 'X'), async (path, method) => {
        const response = await handleRequest({ method, path: `/${path}`, query: new URLSearchParams(), headers: { 'x-prometheus-scrape-timeout-seconds': path } }, runtime);
        assert.ok([200, 400, 404, 405, 503].includes(response.status), `status ${response.status}`);
        assert.doesNotMatch(response.body, STACK_FRAME);
      }),
      RUNS,
    );
  });
});

describe('hostile pushed values (property-based, 1,000 cases each)', () => {
  const service = serviceConfig({ name: 'svc' });

  it('re-exposes any pushed label value escaped: parsing the probe output gives back exactly the pushed value', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (value, instance) => {
        const text = [
          `loop_heartbeat_timestamp_seconds{instance="${escapeLabelValue(instance)}",job="heartbeat",service="svc"} 100`,
          `loop_status{instance="${escapeLabelValue(instance)}",job="heartbeat",note="${escapeLabelValue(value)}"} 1`,
          '',
        ].join('\n');
        const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
        const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'svc', 101);
        const output = renderExposition(buildProbeMetrics(evaluation, { pushgatewayUp: true, snapshotAgeSeconds: 0, durationSeconds: 0, configReloadSuccessful: true }, snapshot));
        const reparsed = parseExposition(output, FIXED_HASH_SEED).samples;
        assert.equal(reparsed.filter((sample) => sample.name === 'probe_success').length, 1);
        assert.deepEqual(reparsed.filter((sample) => sample.name === 'loop_status').map((sample) => sample.labels.note), [value]);
      }),
      RUNS,
    );
  });

  it('renders any service name and pushed status on the status page as text: no element, attribute or entity escapes', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (name, reason) => {
        const text = `loop_heartbeat_timestamp_seconds{instance="${escapeLabelValue(name)}",job="heartbeat"} 100\n`;
        const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
        const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, serviceConfig({ name, maintenance: [{ fromSeconds: 0, toSeconds: 200, reason }] }), name, 101);
        const page = renderStatusPage(buildStatusReport([evaluation], { pushgatewayUp: false, snapshotAgeSeconds: 1, error: reason }, 101), 5);
        const escaped = escapeHtml(name);
        assert.ok(!/[<>"']/.test(escaped) && !/&(?!#\d+;)/.test(escaped), escaped);
        // Our own markup only: as many rows and cells as a plain name gives.
        assert.equal(page.split('<tr').length, 3);
        assert.equal(page.split('<td').length, 9);
        assert.ok(page.includes(`data-service="${escaped}"`));
      }),
      RUNS,
    );
  });

  it('parses arbitrary bytes into samples or one ExpositionError naming a line, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(hostileString, { maxLength: 8 }).map((parts) => parts.join(' {="},\n'))), (text) => {
        try {
          const { samples } = parseExposition(text, FIXED_HASH_SEED);
          for (const sample of samples) assert.equal(typeof sample.labels, 'object');
        } catch (error) {
          assert.ok(error instanceof ExpositionError, String(error));
          assert.match(error.message, /^line \d+: /);
        }
      }),
      RUNS,
    );
  });
});

describe('hostile config (property-based, 1,000 cases each)', () => {
  const configValue = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double(), hostileString, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(hostileString, tie('value'), { maxKeys: 3 })),
  })).value;
  const knownKey = fc.constantFrom('pushgateway_url', 'scrape_interval_seconds', 'timeout_seconds', 'services', 'defaults', 'max_body_bytes', 'allow_unlisted_targets', 'default_freshness_threshold_seconds');
  const configShaped = fc.dictionary(fc.oneof(knownKey, hostileString), configValue, { maxKeys: 6 });
  // A path is `(root)`, a YAML position, or keys joined by dots: a plain key, or an odd one JSON-quoted
  // (field-rules.ts unknownKeys), each with list indexes; then the problem after ": ".
  const KEY = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*|"(?:[^"\\\n\u2028\u2029]|\\.)*")(?:\[\d+\])*`;
  const PROBLEM = new RegExp(String.raw`^(?:\(root\)|yaml(?: line \d+, column \d+)?|${KEY}(?:\.${KEY})*): \S`, 's');

  it('any YAML either loads or is rejected as a ConfigError whose every problem names a path', () => {
    fc.assert(
      fc.property(fc.oneof(configShaped.map((value) => stringify(value)), hostileString, fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        try {
          const config = parseConfig(text);
          for (const url of config.pushgatewayUrls) assert.match(url, /^https?:\/\//);
        } catch (error) {
          assert.ok(error instanceof ConfigError, String(error));
          assert.ok(error.problems.length > 0);
          // Past MAX_LISTED_PROBLEMS a last line counts the rest: every other line names a path.
          const more = /^and (\d+) more problems? \(fix these first\)$/.exec(error.problems.at(-1) ?? '');
          const listed = more === null ? error.problems : error.problems.slice(0, -1);
          if (more !== null) assert.equal(listed.length, MAX_LISTED_PROBLEMS);
          assert.ok(listed.length <= MAX_LISTED_PROBLEMS);
          for (const problem of listed) assert.match(problem, PROBLEM);
          assert.doesNotMatch(error.message, /\n/);
        }
      }),
      RUNS,
    );
  });
});

describe('the snapshot index agrees with a full parse (property-based, 1,000 cases)', () => {
  const labelValue = fc.oneof(fc.constantFrom('a', 'a\\n', 'a\n', 'x"y', 'p\\q', ''), fc.string({ maxLength: 6 }));
  it('indexes every pushed sample under its decoded job and instance, with the same labels', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(labelValue, labelValue, labelValue, fc.integer()), { minLength: 1, maxLength: 6 }), (rows) => {
        const text = rows
          .map(([job, instance, service, value]) => `m{job="${escapeLabelValue(job)}",instance="${escapeLabelValue(instance)}",service="${escapeLabelValue(service)}"} ${value}`)
          .join('\n');
        const parsed = parseExposition(text, FIXED_HASH_SEED).samples;
        // One answer per series: when rows repeat a series, the index keeps the last.
        const series = (labels: object) => JSON.stringify(Object.entries(labels).sort());
        const last = parsed.filter((sample, k) => !parsed.slice(k + 1).some((later) => series(later.labels) === series(sample.labels)));
        const snapshot = indexSnapshot(text, FIXED_HASH_SEED);
        for (const sample of last) {
          const group = snapshot.groups.get(groupKey(sample.labels.job ?? '', sample.labels.instance ?? ''));
          assert.ok(group, `no group for ${JSON.stringify(sample.labels)}`);
          assert.equal(group.job, sample.labels.job);
          assert.ok(group.samples.some((s) => s.value === sample.value && JSON.stringify({ ...s.labels }) === JSON.stringify({ ...sample.labels })));
          assert.ok(snapshot.samplesOfService(sample.labels.service ?? '').some((s) => s.value === sample.value));
        }
      }),
      RUNS,
    );
  });
});

describe('no SSRF (property-based, 1,000 cases)', () => {
  it('connects to nothing but the configured Pushgateway, whatever the target names', async () => {
    const connectionsTo = { pushgateway: 0, canary: 0 };
    const pushgateway = createNetServer((socket) => {
      connectionsTo.pushgateway += 1;
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 4\r\n\r\nx 1\n');
    });
    const canary = createNetServer((socket) => {
      connectionsTo.canary += 1;
      socket.destroy();
    });
    const listen = (server: NetServer) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
    const [pushgatewayPort, canaryPort] = [await listen(pushgateway), await listen(canary)];
    const dir = await tempDir();
    const file = await dir.file('config.yml', `pushgateway_url: "http://127.0.0.1:${pushgatewayPort}"\nallow_unlisted_targets: true\nscrape_interval_seconds: 0.001\n`);
    const runtime = runtimeFromEnvironment({ CONFIG_FILE: file, LOG_LEVEL: 'error' }, { cwd: '/' });
    try {
      const urlLike = fc.constantFrom(
        `http://127.0.0.1:${canaryPort}/`, `127.0.0.1:${canaryPort}`, `//127.0.0.1:${canaryPort}`, `http://localhost:${canaryPort}/metrics`,
        `http://[::1]:${canaryPort}`, `file:///etc/passwd`, `gopher://127.0.0.1:${canaryPort}`,
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(urlLike, hostileString), async (target) => {
          fc.pre(target !== '');
          const response = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target, debug: 'true' }), headers: {} }, runtime);
          assert.equal(response.status, 200);
        }),
        RUNS,
      );
      assert.equal(connectionsTo.canary, 0);
      assert.ok(connectionsTo.pushgateway > 0, 'the configured Pushgateway was read');
    } finally {
      await runtime.close();
      pushgateway.close();
      canary.close();
      await dir.remove();
    }
  });
});

