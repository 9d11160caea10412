import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheckConfigCommand } from '../../lib/cli/check-config-command.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { ConfigError } from '../../lib/core/errors.ts';
import { discoveredServices, discoverServices, isDiscoverableName } from '../../lib/core/discovery/discovered-services.ts';
import { runToEnd } from '../../lib/core/sliced-work.ts';
import { heartbeatPushersOf, type Snapshot } from '../../lib/core/snapshot/snapshot.ts';
import { escapeLabelValue, renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { evaluateProbe } from '../../lib/core/probe/evaluate-probe.ts';
import { buildAllProbesMetrics } from '../../lib/core/report/probe-metrics.ts';
import { buildServiceDiscovery, exporterOrigin, renderServiceDiscovery, scrapeSchedule } from '../../lib/core/report/service-discovery.ts';
import { SnapshotSlot } from '../../lib/core/snapshot/snapshot-slot.ts';
import { discoveredIn, jobMatcher } from '../../lib/runtime/discovery.ts';
import { buildSnapshot } from '../support/build-snapshot.ts';
import { promtoolCheckMetrics } from '../support/promtool.ts';

// discover_services, discover_jobs and GET /sd as pure functions (docs/discovery.md).

const URL_LINE = 'pushgateway_url: http://127.0.0.1:9091\n';

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('config was accepted');
}

async function snapshotOf(body: string) {
  const slot = new SnapshotSlot();
  const bytes = Buffer.from(body);
  slot.begin(bytes.length);
  slot.append(bytes);
  return buildSnapshot(slot);
}

const heartbeatLine = (labels: string) => `loop_heartbeat_timestamp_seconds{${labels}} 1764000000\n`;

describe('discovery config', () => {
  it('is absent unless discover_services is true, and its keys only apply with it', () => {
    assert.equal(parseConfig(URL_LINE).discovery, undefined);
    assert.equal(parseConfig(`${URL_LINE}discover_services: false\n`).discovery, undefined);
    assert.deepEqual(parseConfig(`${URL_LINE}discover_services: true\n`).discovery, { jobPatterns: [], maxServices: 1000 });
    assert.deepEqual(problemsOf(`${URL_LINE}discover_jobs: [a]\nmax_discovered_services: 5\n`), [
      'discover_jobs: only applies with discover_services: true', 'max_discovered_services: only applies with discover_services: true',
    ]);
  });

  it('names the path of each unusable discover_jobs pattern', () => {
    const problems = problemsOf(`${URL_LINE}discover_services: true\ndiscover_jobs: ['^ok$', '(', '(a)\\1', '(?=x)y', 'a{1000}', 7, '']\nmax_discovered_services: 0\n`);
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.match(problems[0] ?? '', /^discover_jobs\[1\]: not a regular expression/);
    assert.match(problems[1] ?? '', /^discover_jobs\[2\]: backreferences cannot run in linear time/);
    assert.match(problems[2] ?? '', /^discover_jobs\[3\]: lookaheads and lookbehinds/);
    assert.match(problems[3] ?? '', /^discover_jobs\[4\]: counted repetitions/);
    assert.match(problems[4] ?? '', /^discover_jobs\[5\]: must be a non-empty regular expression string, got 7/);
    assert.match(problems[5] ?? '', /^discover_jobs\[6\]: must be a non-empty/);
    assert.match(problems[6] ?? '', /^max_discovered_services: must be a whole number between 1 and 100000 services, got 0/);
    assert.deepEqual(problems.filter((problem) => problem.includes('\n')), []);
  });

  it('anchors each pattern at both ends and runs a catastrophic one in linear time', () => {
    const matches = jobMatcher({ jobPatterns: ['batch-.*', '(a+)+'], maxServices: 10 });
    assert.deepEqual(['batch-1', 'x-batch-1', 'aaaa', 'aaab'].map(matches), [true, false, true, false]);
    // Exponential for a backtracking engine; the linear one answers at once (a test has no timing goal: it just ends).
    assert.equal(matches(`${'a'.repeat(5000)}b`), false);
  });
});

describe('pushgateway-exporter check-config', () => {
  it('says when discovery is on, with its jobs and cap, and says nothing more when it is off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgx-discovery-'));
    try {
      await writeFile(join(dir, 'on.yml'), `${URL_LINE}discover_services: true\ndiscover_jobs: ['batch-.*']\nmax_discovered_services: 50\nservices: [{name: a}]\n`);
      await writeFile(join(dir, 'off.yml'), `${URL_LINE}services: [{name: a}]\n`);
      let out = '';
      const code = await runCheckConfigCommand(['on.yml', 'off.yml'], {}, dir, { stdout: (text) => { out += text; }, stderr: (text) => { out += text; } });
      assert.equal(code, 0, out);
      assert.equal(out, 'on.yml: OK (1 service; discover_services on: jobs matching "batch-.*", at most 50 discovered)\noff.yml: OK (1 service)\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('discoverServices', () => {
  const config = parseConfig(`${URL_LINE}discover_services: true\nmax_discovered_services: 3\nservices:\n  - name: configured\n    freshness_threshold_seconds: 99\n`);
  const all = () => true;

  it('keeps names not configured, well-formed and short, sorted, and cuts at max_discovered_services', () => {
    const pushers = ['zeta', 'configured', 'beta', '', 'a\nb', 'x'.repeat(201), '\uD800', 'alpha', 'beta', 'gamma'].map((name) => ({ name, job: 'heartbeat' }));
    const discovery = discoverServices(config, pushers, all);
    assert.deepEqual([...discovery.services.keys()], ['alpha', 'beta', 'gamma']);
    assert.equal(discovery.overCap, 1);
    const alpha = discovery.services.get('alpha');
    assert.equal(alpha?.discovered, true);
    assert.equal(alpha?.freshnessThresholdSeconds, config.defaults.freshnessThresholdSeconds);
    assert.equal(alpha?.job, 'heartbeat');
  });

  it('asks the job matcher once per distinct job, and never for a job over 256 characters', () => {
    const filtered = parseConfig(`${URL_LINE}discover_services: true\ndiscover_jobs: [keep]\n`);
    const asked: string[] = [];
    const matcher = (job: string) => {
      asked.push(job);
      return job === 'keep';
    };
    const pushers = [{ name: 'a', job: 'keep' }, { name: 'b', job: 'drop' }, { name: 'c', job: 'keep' }, { name: 'd', job: 'k'.repeat(257) }];
    assert.deepEqual([...discoverServices(filtered, pushers, matcher).services.keys()], ['a', 'c']);
    assert.deepEqual(asked, ['keep', 'drop']);
  });

  it('finds instances under defaults.job and service labels in any group, once per snapshot', async () => {
    const snapshot = await snapshotOf([
      heartbeatLine('instance="by-group",job="heartbeat"'),
      heartbeatLine('instance="h1",job="workers",service="by-label"'),
      heartbeatLine('instance="other-job",job="workers"'),
      'some_other_metric{instance="no-heartbeat",job="heartbeat"} 1\n',
    ].join(''));
    const open = parseConfig(`${URL_LINE}discover_services: true\n`);
    const discovery = discoveredServices(open, snapshot, all);
    assert.deepEqual([...discovery.services.keys()], ['by-group', 'by-label']);
    assert.equal(discoveredIn(open, snapshot), discoveredIn(open, snapshot));
  });
});

describe('Snapshot.heartbeatPushers', () => {
  it('finds no pusher by an empty service label, which a later line of its series may also drop', async () => {
    const body = `${heartbeatLine('instance="",job="x",service=""')}${heartbeatLine('instance="",job="x"')}${heartbeatLine('instance="i",job="y",service=""')}${heartbeatLine('instance="",job="heartbeat"')}`;
    const indexed = await snapshotOf(body);
    const walked: Snapshot = { groups: indexed.groups, samplesOfService: (name, metric) => indexed.samplesOfService(name, metric), families: indexed.families, sampleCount: indexed.sampleCount };
    for (const snapshot of [indexed, walked]) {
      assert.deepEqual(runToEnd(heartbeatPushersOf(snapshot, 'loop_heartbeat_timestamp_seconds', 'heartbeat')), [{ name: '', job: 'heartbeat', instance: '' }]);
    }
  });

  it('finds what a walk of the groups finds (property-based)', async () => {
    const value = fc.oneof(fc.constantFrom('heartbeat', 'w', 'a"b', 'x\\y', 'n\nl', ''), fc.string({ maxLength: 6 }));
    const line = fc.record({ metric: fc.constantFrom('loop_heartbeat_timestamp_seconds', 'other_metric'), job: value, instance: value, service: fc.option(value, { nil: undefined }) });
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), async (lines) => {
      const body = lines.map(({ metric, job, instance, service }) => {
        const labels = [`instance="${escapeLabelValue(instance)}"`, `job="${escapeLabelValue(job)}"`, ...(service === undefined ? [] : [`service="${escapeLabelValue(service)}"`])];
        return `${metric}{${labels.join(',')}} 1\n`;
      }).join('');
      const indexed = await snapshotOf(body);
      // The same snapshot without the member: discovery falls back to walking its groups.
      const walked: Snapshot = { groups: indexed.groups, samplesOfService: (name, metric) => indexed.samplesOfService(name, metric), families: indexed.families, sampleCount: indexed.sampleCount };
      const distinct = (snapshot: Snapshot) => [...new Set(runToEnd(heartbeatPushersOf(snapshot, 'loop_heartbeat_timestamp_seconds', 'heartbeat')).map((pusher) => JSON.stringify([pusher.name, pusher.job])))].sort();
      assert.deepEqual(distinct(indexed), distinct(walked));
    }), { numRuns: 200 });
  });
});

describe('GET /sd answers', () => {
  it('takes the exporter address from Host and the scheme from the entry point or X-Forwarded-Proto', () => {
    assert.deepEqual(exporterOrigin('exporter:9116', undefined, false), { scheme: 'http', address: 'exporter:9116' });
    assert.deepEqual(exporterOrigin('Exporter.Example.org', undefined, false), { scheme: 'http', address: 'exporter.example.org:80' });
    assert.deepEqual(exporterOrigin('abc.lambda-url.eu-west-1.on.aws', undefined, true), { scheme: 'https', address: 'abc.lambda-url.eu-west-1.on.aws:443' });
    assert.deepEqual(exporterOrigin('10.0.0.1:8443', 'https, http', false), { scheme: 'https', address: '10.0.0.1:8443' });
    assert.deepEqual(exporterOrigin('[::1]:9116', undefined, false), { scheme: 'http', address: '[::1]:9116' });
    for (const host of [undefined, '', 'a b', 'evil.com/x', 'host:0', 'host:65536', 'host:9x', '-x', 'x..y', 'a@b', '[zz]', `${'a'.repeat(64)}.com`, 'host:9116\r\nX: y', '"q"']) {
      const origin = exporterOrigin(host, undefined, false);
      assert.ok('problem' in origin, String(host));
      assert.ok(!origin.problem.includes('\n'), origin.problem);
    }
  });

  it('gives each service its target group, scrape settings for slow services, and marks https and discovery', () => {
    const config = parseConfig(`${URL_LINE}services:\n  - name: fast\n  - name: hourly\n    freshness_threshold_seconds: 3600\n  - name: nightly\n    schedule: "0 3 * * *"\n`);
    const discovered = { ...[...config.services.values()][0]!, name: 'found', discovered: true as const };
    const groups = buildServiceDiscovery([...config.services.values(), discovered], { scheme: 'https', address: 'x.on.aws:443' }, config);
    assert.deepEqual(groups, [
      { targets: ['x.on.aws:443'], labels: { __metrics_path__: '/probe', __param_target: 'fast', __scheme__: 'https', instance: 'fast', service: 'fast' } },
      {
        targets: ['x.on.aws:443'],
        labels: { __metrics_path__: '/probe', __param_target: 'hourly', __scheme__: 'https', __scrape_interval__: '60s', __scrape_timeout__: '6s', instance: 'hourly', service: 'hourly' },
      },
      {
        targets: ['x.on.aws:443'],
        labels: { __metrics_path__: '/probe', __param_target: 'nightly', __scheme__: 'https', __scrape_interval__: '60s', __scrape_timeout__: '6s', instance: 'nightly', service: 'nightly' },
      },
      { targets: ['x.on.aws:443'], labels: { __metrics_path__: '/probe', __param_target: 'found', __scheme__: 'https', instance: 'found', service: 'found', discovered: 'true' } },
    ]);
    const http = buildServiceDiscovery([...config.services.values()].slice(0, 1), { scheme: 'http', address: 'e:9116' }, config);
    assert.equal(http[0]?.labels.__scheme__, undefined);
    assert.equal(scrapeSchedule(config.services.get('fast')!, { timeoutSeconds: 300 }), undefined);
    assert.deepEqual(scrapeSchedule(config.services.get('nightly')!, { timeoutSeconds: 300 }), { interval: '60s', timeout: '60s' });
  });
});

describe('hostile discovered names', () => {
  it('never break the /sd JSON nor the /probes exposition (promtool check metrics as the judge)', async () => {
    const config = parseConfig(`${URL_LINE}discover_services: true\n`);
    const name = fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
      fc.constantFrom('"', '\\', '\\n', '}', '{a="b"}', '# HELP x y', '<script>', 'a b', '\u2028', '\u{1F600}', 'instance', 'service'),
    );
    await fc.assert(fc.asyncProperty(fc.uniqueArray(name, { minLength: 1, maxLength: 20 }), async (names) => {
      const body = names.map((value) => heartbeatLine(`job="w",service="${escapeLabelValue(value)}"`)).join('');
      const snapshot = await snapshotOf(body);
      const discovery = discoveredServices(config, snapshot, () => true);
      const expected = names.filter(isDiscoverableName).sort();
      assert.deepEqual([...discovery.services.keys()], expected);
      const sd = renderServiceDiscovery(buildServiceDiscovery(discovery.services.values(), { scheme: 'http', address: 'e:9116' }, config));
      assert.equal(sd.split('\n').length, 2);
      assert.deepEqual((JSON.parse(sd) as { labels: { service: string } }[]).map((group) => group.labels.service), expected);
      if (expected.length === 0) return;
      const evaluations = [...discovery.services.values()].map((service) => evaluateProbe(config, snapshot, service, service.name, 1764000001, undefined));
      const text = renderExposition(buildAllProbesMetrics(evaluations, { pushgatewayUp: true, snapshotAgeSeconds: 0, durationSeconds: 0.001, configReloadSuccessful: true }, snapshot));
      const checked = promtoolCheckMetrics(text);
      assert.equal(checked.status, 0, `${checked.output}\n${text}`);
    }), { numRuns: 25 });
  });
});
