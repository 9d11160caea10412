import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { escapeHelp, escapeLabelValue, formatLabels, formatValue, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { buildProbeMetrics } from '../../lib/core/report/probe-metrics.ts';
import { indexSnapshot } from '../../lib/core/snapshot/index-slot.ts';
import { serviceConfig } from '../support/service-config.ts';
import { promtoolCheckMetrics as promtoolCheck } from '../support/promtool.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const service = serviceConfig();

describe('escapeLabelValue / formatLabels', () => {
  it('escapes backslashes, quotes and newlines', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    assert.equal(formatLabels({ x: 'say "hi"\n', y: '' }), '{x="say \\"hi\\"\\n",y=""}');
    assert.equal(formatLabels({}), '');
    assert.equal(escapeHelp('a\\b\nc "q"'), 'a\\\\b\\nc "q"');
  });

  it('round-trips hostile values through the parser unchanged', () => {
    const hostile = 'x"} 1\nprobe_success 1\n# \\ \u2028 ü';
    const text = renderExposition([{ name: 'm', help: 'h', type: 'gauge', samples: [{ labels: { v: hostile }, value: 1 }] }]);
    assert.equal(text.split('\n').length, 4);
    assert.equal(parseExposition(text, FIXED_HASH_SEED).samples[0]?.labels.v, hostile);
  });

  it('writes own labels only, whatever their names and whatever an object inherits', () => {
    const labels = Object.create(null) as Record<string, string>;
    labels['constructor'] = '1';
    labels['__proto__'] = '2';
    assert.equal(formatLabels(labels), '{constructor="1",__proto__="2"}');
    // An enumerable member of a prototype (polluted, or a class's) is not a label of this sample.
    const inherited = Object.assign(Object.create({ injected: 'x' }) as Record<string, string>, { a: '1' });
    assert.equal(formatLabels(inherited), '{a="1"}');
  });
});

describe('formatValue', () => {
  it('writes NaN and infinities as the format spells them', () => {
    assert.deepEqual([Number.NaN, Infinity, -Infinity, 1.5, 1764000000].map(formatValue), ['NaN', '+Inf', '-Inf', '1.5', '1764000000']);
  });
});

describe('buildProbeMetrics + renderExposition', () => {
  const snapshot = indexSnapshot(
      [
        '# HELP loop_errors_total Errors.',
        '# TYPE loop_errors_total counter',
        'loop_errors_total{instance="service1",job="heartbeat",kind="db \\"main\\"\\nprobe_success 1"} 3',
        '# TYPE loop_heartbeat_timestamp_seconds untyped',
        'loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat",service="service1"} 1000',
        '# TYPE probe_success gauge',
        'probe_success{instance="service1",job="heartbeat"} 1',
        '# TYPE push_failure_time_seconds gauge',
        'push_failure_time_seconds{instance="service1",job="heartbeat"} 0',
        '# TYPE push_time_seconds gauge',
        'push_time_seconds{instance="service1",job="heartbeat"} 1000.25',
        '',
      ].join('\n'), FIXED_HASH_SEED,
  );

  it('renders a fresh probe that promtool check metrics finds clean', () => {
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, service, 'service1', 1002);
    const text = renderExposition(buildProbeMetrics(evaluation, { pushgatewayUp: true, snapshotAgeSeconds: 0.5, durationSeconds: 0.002, configReloadSuccessful: true }, snapshot));
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, check.output);
    assert.equal(check.output.trim(), '');
    assert.match(text, /^probe_success 1$/m);
    assert.match(text, /^probe_heartbeat_timestamp_seconds 1000$/m);
    assert.match(text, /^probe_heartbeat_age_seconds 2$/m);
    assert.match(text, /^probe_push_time_seconds 1000.25$/m);
    assert.match(text, /^probe_snapshot_age_seconds 0.5$/m);
    // Pass-through: job/instance removed, the pushed value escaped, Pushgateway's own times and a shadowing probe_success dropped.
    assert.match(text, /^loop_errors_total\{kind="db \\"main\\"\\nprobe_success 1"\} 3$/m);
    assert.equal(text.match(/^probe_success /gm)?.length, 1);
    assert.doesNotMatch(text, /push_time_seconds\{|push_failure_time_seconds|loop_heartbeat_timestamp_seconds/);
  });

  it('omits timestamp and age when no heartbeat was found, and stays promtool-clean', () => {
    const evaluation = evaluateProbe({ maxClockSkewSeconds: 300 }, snapshot, { ...service, name: 'service2' }, 'service2', 1002);
    const text = renderExposition(buildProbeMetrics(evaluation, { pushgatewayUp: false, snapshotAgeSeconds: undefined, durationSeconds: 0.001, configReloadSuccessful: false }, snapshot));
    assert.equal(promtoolCheck(text).status, 0);
    assert.match(text, /^probe_success 0$/m);
    assert.match(text, /^probe_heartbeat_found 0$/m);
    assert.match(text, /^probe_pushgateway_up 0$/m);
    assert.match(text, /^probe_config_last_reload_successful 0$/m);
    assert.doesNotMatch(text, /probe_heartbeat_timestamp_seconds|probe_heartbeat_age_seconds|probe_snapshot_age_seconds|probe_push_time_seconds/);
  });

  it('has promtool flag an injected line and a lint problem (so the clean checks above mean something)', () => {
    assert.notEqual(promtoolCheck('# HELP x y\n# TYPE x gauge\nx{a="1\n"} 1\n').status, 0);
    const lint = promtoolCheck('# HELP x y\n# TYPE x counter\nx 1\n');
    assert.notEqual(lint.status, 0);
    assert.match(lint.output, /_total/);
  });
});
