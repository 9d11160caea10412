// The alerting rules (local/alerts.yml): promtool checks them and runs their unit tests
// (local/alerts.test.yml); each alert says what is down. Evaluated against a real Prometheus in
// test/integration/alerts-dashboard.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALERT_NAMES, loadAlertRules, PROBE_JOB } from '../support/monitoring-files.ts';
import { asRecord } from '../support/parsed-shapes.ts';
import { PROJECT_ROOT } from '../support/processes.ts';
import { runPromtool } from '../support/promtool.ts';

describe('alerting rules: promtool', () => {
  it('promtool check rules finds the five rules and no problem', () => {
    const { status, output } = runPromtool(['check', 'rules', 'alerts.yml'], join(PROJECT_ROOT, 'local'));
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS: 5 rules found/);
    assert.doesNotMatch(output, /WARNING|FAILED|error/i, output);
  });

  it('promtool test rules passes alerts.test.yml', () => {
    const { status, output } = runPromtool(['test', 'rules', 'alerts.test.yml'], join(PROJECT_ROOT, 'local'));
    assert.equal(status, 0, output);
    assert.match(output, /SUCCESS/);
    assert.doesNotMatch(output, /FAILED/, output);
  });

  it('each alert has a severity, a summary and a description naming what is down', async () => {
    const rules = await loadAlertRules();
    assert.deepEqual(rules.map((rule) => rule.alert).sort(), ALERT_NAMES);
    for (const rule of rules) {
      const name = String(rule.alert);
      assert.match(String(asRecord(rule.labels, `${name} labels`).severity), /^(critical|warning)$/, name);
      const annotations = asRecord(rule.annotations, `${name} annotations`);
      assert.ok(typeof annotations.summary === 'string' && annotations.summary !== '', `${name} summary`);
      assert.ok(typeof annotations.description === 'string' && annotations.description !== '', `${name} description`);
      assert.match(`${annotations.summary} ${annotations.description}`, /\$labels\.(instance|job)/, `${name} names the target or job`);
      assert.match(String(rule.expr), new RegExp(PROBE_JOB), `${name} reads the probe job`);
    }
    const byName = new Map(rules.map((rule) => [String(rule.alert), rule]));
    assert.equal(byName.get('HeartbeatDown')?.for, '15s');
    // The reason is no label: an alert is its label set, so a reason that changes (late ->
    // running_too_long) would restart the `for:`. The annotations look it up in probe_state.
    const heartbeatDown = byName.get('HeartbeatDown');
    assert.doesNotMatch(String(heartbeatDown?.expr), /state|group_left/, 'HeartbeatDown labels do not depend on the probe state');
    const heartbeatAnnotations = asRecord(heartbeatDown?.annotations, 'HeartbeatDown annotations');
    for (const key of ['summary', 'description']) {
      const text = String(heartbeatAnnotations[key]);
      assert.match(text, /probe_state\{.*\|\s*query\b/, `HeartbeatDown ${key} looks up the probe state`);
      assert.doesNotMatch(text, /\$labels\.state/, `HeartbeatDown ${key} does not read a state label`);
    }
  });
});
