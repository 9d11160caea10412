import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { handleRequest } from '../../lib/http/routes.ts';
import { pushedGroups } from '../support/pushgateway-groups.ts';
import { startPushgatewayRuntime, type PushgatewayRuntime } from '../support/pushgateway-runtime.ts';
import { promtoolCheckMetrics } from '../support/promtool.ts';
import { STACK_FRAME } from '../support/stack-frame.ts';

// Properties judged by code that is not ours: a real Pushgateway (Prometheus' Go parser and encoder)
// and promtool. The unit properties (test/unit/hostile-input.test.ts) judge with our own parser.

/** Label values as they reach a pusher: any Unicode text (a Pushgateway takes UTF-8 only), and the escapes that matter. */
const labelValue = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', '"', '\\', '\n', '\\n', '\\"', 'a"b\\c\nd', '"} 1\nprobe_success 1', '\r\n', '\t', 'ünïcødé 🙂', '\u2028'),
);
/** The text format's escaping of a label value (backslash, quote, line feed), written from the format, not with our renderer. */
const escapeValue = (value: string): string => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const CASES = 40;
const nowSeconds = Math.floor(Date.now() / 1000);

describe('judged by a real Pushgateway and promtool', () => {
  let stack: PushgatewayRuntime;
  const values = [...new Set(fc.sample(labelValue, { numRuns: CASES, seed: 17 }))];

  before(async () => {
    stack = await startPushgatewayRuntime((url) => `pushgateway_url: "${url}"\nallow_unlisted_targets: true\ndefaults: {freshness_threshold_seconds: 3600}\nservices:\n  - name: service1\n    freshness_threshold_seconds: 3600\n`);
    // Each case in its own group, written by the format's rules; the Pushgateway re-renders it in Go.
    for (const [index, value] of values.entries()) {
      const body = `# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds ${nowSeconds}\n# TYPE loop_status gauge\nloop_status{note="${escapeValue(value)}"} 1\n`;
      const response = await fetch(`${stack.pushgateway.url}/metrics/job/heartbeat/instance/case${index}`, { method: 'PUT', body });
      assert.equal(response.status, 200, `${JSON.stringify(value)}: ${await response.text()}`);
    }
    const service1 = await fetch(`${stack.pushgateway.url}/metrics/job/heartbeat/instance/service1`, { method: 'PUT', body: `# TYPE loop_heartbeat_timestamp_seconds gauge\nloop_heartbeat_timestamp_seconds ${nowSeconds}\n` });
    assert.equal(service1.status, 200);
  });
  after(() => stack.stop());

  it('a pushed label value comes back from the probe as the same value, by promtool\'s and the Pushgateway\'s reading', async () => {
    const statusLines: string[] = [];
    for (const [index, value] of values.entries()) {
      const probe = await handleRequest({ method: 'GET', path: '/probe', query: new URLSearchParams({ target: `case${index}` }), headers: {} }, stack.runtime);
      assert.equal(probe.status, 200, probe.body);
      assert.match(probe.body, /^probe_success 1$/m, probe.body);
      if (index < 3) {
        const check = promtoolCheckMetrics(probe.body);
        assert.equal(check.status, 0, `${JSON.stringify(value)}:\n${check.output}\n${probe.body}`);
      }
      statusLines.push(...probe.body.split('\n').filter((line) => line.startsWith('loop_status{')));
      // Pushed back as it was answered: the Pushgateway parses it with Prometheus' own parser.
      const back = await fetch(`${stack.pushgateway.url}/metrics/job/judge/instance/case${index}`, { method: 'PUT', body: probe.body });
      assert.equal(back.status, 200, `${JSON.stringify(value)}: ${await back.text()}`);
    }
    // Every case's re-exposed line at once (one promtool run, not one per case): each value is its own series.
    assert.equal(statusLines.length, values.length);
    const check = promtoolCheckMetrics(`# HELP loop_status Pushed status.\n# TYPE loop_status gauge\n${statusLines.join('\n')}\n`);
    assert.equal(check.status, 0, `${check.output}\n${statusLines.join('\n')}`);
    const groups = await pushedGroups(stack.pushgateway.url);
    for (const [index, value] of values.entries()) {
      const group = groups.find((candidate) => candidate.labels.job === 'judge' && candidate.labels.instance === `case${index}`);
      assert.deepEqual(group?.families.get('loop_status')?.samples.map((sample) => sample.labels.note), [value], JSON.stringify(value));
      assert.deepEqual(group?.families.get('probe_success')?.samples.map((sample) => sample.value), [1]);
    }
  });

  it('hostile queries against a reachable Pushgateway: no 5xx, no stack, one-line errors, and known targets still succeed', async () => {
    const hostile = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 64 }), fc.string({ unit: 'binary', maxLength: 64 }), fc.constantFrom('', '"', '\n', '../../etc/passwd', '%00'));
    const target = fc.oneof({ weight: 3, arbitrary: fc.constantFrom('service1', 'case0', `case${CASES - 1}`) }, { weight: 2, arbitrary: hostile });
    const key = fc.oneof(fc.constantFrom('target', 'debug', 'module', 'target[]'), hostile);
    const seen = { up: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(target, fc.array(fc.tuple(key, hostile), { maxLength: 3 }), async (first, pairs) => {
        const query = new URLSearchParams({ target: first });
        for (const [name, value] of pairs) query.append(name, value);
        const response = await handleRequest({ method: 'GET', path: '/probe', query, headers: {} }, stack.runtime);
        assert.ok(response.status < 500, `status ${response.status}: ${response.body}`);
        assert.doesNotMatch(response.body, STACK_FRAME);
        if (response.status === 200) {
          assert.match(response.body, /^probe_success [01]$/m);
          if (/^probe_success 1$/m.test(response.body)) seen.up += 1;
        } else {
          seen.refused += 1;
          assert.equal(response.body.trimEnd().split('\n').length, 1, response.body);
        }
      }),
      { numRuns: 300, seed: 17 },
    );
    // The Pushgateway was read and judged: a good share of the probes found their heartbeat.
    assert.ok(seen.up >= 60, `up ${seen.up} of 300`);
    assert.ok(seen.refused >= 30, `refused ${seen.refused} of 300`);
  });
});
