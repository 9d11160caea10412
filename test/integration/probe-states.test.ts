// Schedules, run signals, ok_when, pause and maintenance, and the clock-skew-proof mode, end to
// end: pushes to a real Pushgateway, probes through the route table, a fixed clock for the exporter.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import type { StatusReport } from '../../lib/core/report/status-report.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { sampleValue, type RunningProcess } from '../support/processes.ts';
import { startPushgatewayRuntime, type PushgatewayRuntime } from '../support/pushgateway-runtime.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { stateOf } from '../support/probe-state.ts';
import { get } from '../support/route-request.ts';

const NOW = Date.parse('2026-01-10T10:20:00Z') / 1000;
const at = (text: string): number => Date.parse(text) / 1000;

const CONFIG = (url: string) => `pushgateway_url: "${url}"
scrape_interval_seconds: 3
services:
  - name: service1
    freshness_threshold_seconds: 5
  - name: service2
    freshness_threshold_seconds: 5
  - name: backup
    schedule: "*/15 * * * *"
    timezone: Europe/Berlin
    grace_seconds: 120
  - name: nightly
    schedule: "0 3 * * *"
    timezone: Europe/Berlin
  - name: etl
    freshness_threshold_seconds: 3600
    max_run_seconds: 600
  - name: importer
    freshness_threshold_seconds: 3600
  - name: loop
    freshness_threshold_seconds: 30
    ok_when: loop_status == 1
  - name: maint
    maintenance:
      - {from: "2026-01-10T10:00:00Z", to: "2026-01-10T11:00:00+00:00", reason: "<b>db</b> & \\"migration\\""}
  - name: quiet
    paused: true
`;

/** POSTs samples to `{job="heartbeat", instance=<service>}`, each labelled with the service, as the push client does. */
async function push(pushgatewayUrl: string, service: string, samples: Record<string, number>): Promise<void> {
  const body = Object.entries(samples).map(([name, value]) => `${name}{service="${service}"} ${value}\n`).join('');
  const response = await fetch(`${pushgatewayUrl}/metrics/job/heartbeat/instance/${service}`, { method: 'POST', body });
  assert.equal(response.status, 200, await response.text());
}

describe('probe states against a real Pushgateway', () => {
  let stack: PushgatewayRuntime;
  let runtime: Runtime;

  before(async () => {
    stack = await startPushgatewayRuntime(CONFIG, { clock: () => NOW * 1000 });
    ({ runtime } = stack);
    const url = stack.pushgateway.url;
    await push(url, 'service1', { [SUCCESS_METRIC]: NOW - 2 });
    await push(url, 'backup', { [SUCCESS_METRIC]: at('2026-01-10T10:00:30Z') });
    await push(url, 'nightly', { [SUCCESS_METRIC]: at('2026-01-10T02:00:05Z') });
    await push(url, 'etl', { [SUCCESS_METRIC]: NOW - 3000, [START_METRIC]: NOW - 700 });
    // Two pushes: POST keeps the earlier success heartbeat next to the later failure.
    await push(url, 'importer', { [SUCCESS_METRIC]: NOW - 600, [START_METRIC]: NOW - 400 });
    await push(url, 'importer', { [FAILURE_METRIC]: NOW - 100, [RUN_DURATION_METRIC]: 300 });
    await push(url, 'loop', { [SUCCESS_METRIC]: NOW - 1, loop_status: 0 });
    await push(url, 'quiet', { [SUCCESS_METRIC]: NOW - 86400 });
  });
  after(() => stack.stop());

  const expected: [service: string, state: string, success: number][] = [
    ['service1', 'up', 1],
    ['service2', 'never', 0],
    ['backup', 'late', 0],
    ['nightly', 'up', 1],
    ['etl', 'running_too_long', 0],
    ['importer', 'failed', 0],
    ['loop', 'failed', 0],
    ['maint', 'paused', 1],
    ['quiet', 'paused', 1],
  ];
  for (const [service, state, success] of expected) {
    it(`/probe?target=${service} says ${state}`, async () => {
      const response = await handleRequest(get('/probe', { target: service }), runtime);
      assert.equal(response.status, 200);
      assert.equal(stateOf(response.body), state);
      assert.equal(sampleValue(response.body, 'probe_success'), success);
    });
  }

  it('gives a late scheduled job its deadline figures, promtool-clean', async () => {
    const { body } = await handleRequest(get('/probe', { target: 'backup' }), runtime);
    assert.equal(sampleValue(body, 'probe_next_expected_timestamp_seconds'), at('2026-01-10T10:15:00Z'));
    assert.equal(sampleValue(body, 'probe_late_seconds'), 180);
    assert.equal(sampleValue(body, 'probe_freshness_threshold_seconds'), undefined, 'a scheduled service has no threshold');
    assertPromtoolClean(body);
    const nightly = (await handleRequest(get('/probe', { target: 'nightly' }), runtime)).body;
    assert.equal(sampleValue(nightly, 'probe_next_expected_timestamp_seconds'), at('2026-01-11T02:00:00Z'), '03:00 in Berlin is 02:00 UTC in winter');
    assert.equal(sampleValue(nightly, 'probe_late_seconds'), 0);
  });

  it('reports the last run duration and passes the signals through', async () => {
    const { body } = await handleRequest(get('/probe', { target: 'importer' }), runtime);
    assert.equal(sampleValue(body, 'probe_last_run_duration_seconds'), 300);
    assert.match(body, new RegExp(`^${FAILURE_METRIC}\\{service="importer"\\} ${NOW - 100}$`, 'm'));
    assert.match(body, new RegExp(`^${START_METRIC}\\{service="importer"\\} ${NOW - 400}$`, 'm'));
  });

  it('explains the deciding rule with debug=true', async () => {
    const report = async (target: string) => (await handleRequest(get('/probe', { target, debug: 'true' }), runtime)).body;
    assert.match(await report('backup'), /^State: LATE: .*\nWhy: the last heartbeat is 1170s old: the run due at 2026-01-10T10:15:00\.000Z \(\*\/15 \* \* \* \* in Europe\/Berlin\) is 180s past its grace of 120s$/m);
    assert.match(await report('loop'), /^Why: status rule "loop_status == 1" does not hold: loop_status is 0$/m);
    assert.match(await report('etl'), /^Why: a run started at .* is still running after 700s, over max_run_seconds 600$/m);
    assert.match(await report('maint'), /^Why: in a maintenance window until 2026-01-10T11:00:00\.000Z \(<b>db<\/b> & "migration"\)$/m);
  });

  it('/probes carries probe_state per service', async () => {
    const { body } = await handleRequest(get('/probes'), runtime);
    for (const [service, state] of expected) {
      assert.match(body, new RegExp(`^probe_state\\{service="${service}",state="${state}"\\} 1$`, 'm'), `${service} ${state}`);
    }
    assertPromtoolClean(body);
  });

  it('GET /?format=json lists every service with its state and times', async () => {
    const response = await handleRequest(get('/', { format: 'json' }), runtime);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    const report = JSON.parse(response.body) as StatusReport;
    assert.equal(report.pushgateway_up, true);
    assert.equal(report.generated_at, '2026-01-10T10:20:00.000Z');
    assert.deepEqual(report.services.map((s) => [s.name, s.state]), expected.map(([service, state]) => [service, state]));
    const backup = report.services.find((s) => s.name === 'backup');
    assert.deepEqual(
      { last: backup?.last_heartbeat, age: backup?.age_seconds, next: backup?.next_expected, late: backup?.late_seconds, schedule: backup?.schedule },
      { last: '2026-01-10T10:00:30.000Z', age: 1170, next: '2026-01-10T10:15:00.000Z', late: 180, schedule: '*/15 * * * * (Europe/Berlin)' },
    );
    assert.equal(report.services.find((s) => s.name === 'service2')?.last_heartbeat, undefined);
  });

  it('GET / is an HTML page that escapes configured and pushed text', async () => {
    const response = await handleRequest(get('/'), runtime);
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(response.body, /^<!DOCTYPE html>/);
    assert.match(response.body, /<tr data-service="backup" data-state="late">/);
    assert.ok(!response.body.includes('<b>db</b>'), 'the maintenance reason is not markup');
    assert.match(response.body, /&#60;b&#62;db&#60;\/b&#62; &#38; /);
  });
});

describe('clock-skew-proof mode (heartbeat_metric: push_time_seconds)', () => {
  let stack: PushgatewayRuntime;
  let pushgateway: RunningProcess;
  let runtime: Runtime;

  before(async () => {
    stack = await startPushgatewayRuntime((url) => `pushgateway_url: "${url}"
services:
  - {name: skewed, freshness_threshold_seconds: 30}
  - {name: skewed-proof, freshness_threshold_seconds: 30, heartbeat_metric: push_time_seconds}
`);
    ({ pushgateway, runtime } = stack);
  });
  after(() => stack.stop());

  it("judges by the Pushgateway's receive time, not the pusher's clock", async () => {
    // A host whose clock runs an hour behind: its own timestamps look an hour old.
    const behind = Date.now() / 1000 - 3600;
    for (const service of ['skewed', 'skewed-proof']) await push(pushgateway.url, service, { [SUCCESS_METRIC]: behind });
    const probe = async (target: string) => (await handleRequest(get('/probe', { target }), runtime)).body;
    const trusting = await probe('skewed');
    assert.equal(stateOf(trusting), 'late');
    const proof = await probe('skewed-proof');
    assert.equal(stateOf(proof), 'up');
    assert.ok((sampleValue(proof, 'probe_heartbeat_age_seconds') ?? 99) < 30, proof);
    assert.match(proof, new RegExp(`^${SUCCESS_METRIC}\\{service="skewed-proof"\\} `, 'm'), 'the pushed timestamp is passed through for inspection');
  });
});
