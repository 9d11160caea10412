import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ExpositionError } from '../../lib/errors.ts';
import { parseExposition } from '../../lib/exposition-parser.ts';
import { escapeLabelValue, renderExposition } from '../../lib/exposition-renderer.ts';
import { createExporter } from '../../lib/exporter.ts';
import { buildProbeMetrics } from '../../lib/probe-metrics.ts';
import { evaluateProbe } from '../../lib/evaluate-probe.ts';
import { handleRequest } from '../../lib/routes.ts';
import { indexSnapshot } from '../../lib/snapshot.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

const RUNS = { numRuns: 1000 };
const STACK_FRAME = /\n\s+at\s|\bat\s+\S+\s+\(.*:\d+:\d+\)/;

/** Strings users and attackers send: unicode, control characters, quotes, URLs, long values. */
const hostileString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.constantFrom('', '"', '\\', '\n', '\r\n', '\u0000', '\u2028', '"} 1\nprobe_success 1', 'http://169.254.169.254/latest/meta-data', '../../etc/passwd', '%00', 'service1'),
  fc.string({ maxLength: 12 }).map((s) => s.repeat(900)),
);

describe('hostile requests (property-based, 1,000 cases each)', () => {
  // The Pushgateway address is unreachable on purpose: probes must still answer 200 or a 4xx.
  const exporter = createExporter({ CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: 'http://127.0.0.1:1', LOG_LEVEL: 'error' }, { cwd: PROJECT_ROOT });

  it('never answers 5xx, never shows a stack, and keeps error answers to one line, whatever the query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.oneof(fc.constantFrom('target', 'debug', 'module', 'target[]'), hostileString), hostileString), { maxLength: 4 }), async (pairs) => {
        const query = new URLSearchParams();
        for (const [key, value] of pairs) query.append(key, value);
        const response = await handleRequest({ method: 'GET', path: '/probe', query, headers: {} }, exporter);
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
        const response = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target }), headers: {} }, exporter);
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
        const response = await handleRequest({ method, path: `/${path}`, query: new URLSearchParams(), headers: { 'x-prometheus-scrape-timeout-seconds': path } }, exporter);
        assert.ok([200, 400, 404, 405, 503].includes(response.status), `status ${response.status}`);
        assert.doesNotMatch(response.body, STACK_FRAME);
      }),
      RUNS,
    );
  });
});

describe('hostile pushed values (property-based, 1,000 cases each)', () => {
  const service = { name: 'svc', job: 'heartbeat', heartbeatMetric: 'loop_heartbeat_timestamp_seconds', freshnessThresholdSeconds: 5, replicas: undefined };

  it('re-exposes any pushed label value escaped: parsing the probe output gives back exactly the pushed value', () => {
    fc.assert(
      fc.property(hostileString, hostileString, (value, instance) => {
        const text = [
          `loop_heartbeat_timestamp_seconds{instance="${escapeLabelValue(instance)}",job="heartbeat",service="svc"} 100`,
          `loop_status{instance="${escapeLabelValue(instance)}",job="heartbeat",note="${escapeLabelValue(value)}"} 1`,
          '',
        ].join('\n');
        const snapshot = indexSnapshot(text);
        const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'svc', 101);
        const output = renderExposition(buildProbeMetrics(evaluation, { pushgatewayUp: true, snapshotAgeSeconds: 0, durationSeconds: 0, configReloadSuccessful: true }, snapshot));
        const reparsed = parseExposition(output).samples;
        assert.equal(reparsed.filter((sample) => sample.name === 'probe_success').length, 1);
        assert.deepEqual(reparsed.filter((sample) => sample.name === 'loop_status').map((sample) => sample.labels.note), [value]);
      }),
      RUNS,
    );
  });

  it('parses arbitrary bytes into samples or one ExpositionError naming a line, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.array(hostileString, { maxLength: 8 }).map((parts) => parts.join(' {="},\n'))), (text) => {
        try {
          const { samples } = parseExposition(text);
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
