// The Grafana dashboard's JSON model (local/grafana/) and its provisioning files, checked for
// structure. Its expressions are evaluated against a real Prometheus in
// test/integration/alerts-dashboard.test.ts.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DASHBOARD_METRICS, loadDashboard, metricNames, PROBE_JOB, SERVICE_QUERY, substituteVariables } from '../support/monitoring-files.ts';
import { asList, asRecord, asString } from '../support/parsed-shapes.ts';
import { PROJECT_ROOT } from '../support/processes.ts';

describe('Grafana dashboard JSON model', () => {
  it('has a uid, a title, a schemaVersion Grafana 10-12 reads, and the datasource and service variables', async () => {
    const { model, variables } = await loadDashboard();
    assert.equal(model.uid, 'pushgateway-exporter');
    assert.equal(typeof model.title, 'string');
    assert.ok(typeof model.schemaVersion === 'number' && model.schemaVersion >= 36 && model.schemaVersion <= 41, `schemaVersion ${String(model.schemaVersion)}`);
    const names = variables.map((variable) => variable.name);
    assert.equal(new Set(names).size, names.length, `duplicate variables: ${names.join(', ')}`);
    const datasource = variables.find((variable) => variable.name === 'datasource');
    assert.ok(datasource, 'a datasource variable');
    assert.equal(datasource.type, 'datasource');
    assert.equal(datasource.query, 'prometheus');
    const service = variables.find((variable) => variable.name === 'service');
    assert.ok(service, 'a service variable');
    assert.equal(service.type, 'query');
    assert.deepEqual(service.datasource, { type: 'prometheus', uid: '${datasource}' });
    assert.equal(service.definition, SERVICE_QUERY);
    assert.equal(asRecord(service.query, 'service query').query, SERVICE_QUERY);
    assert.equal(service.includeAll, true);
    assert.equal(service.allValue, '.*');
  });

  it('every panel has a unique id, the datasource variable, targets with unique refIds and expressions, and a place on the grid', async () => {
    const { panels } = await loadDashboard();
    assert.ok(panels.length >= 10, `${panels.length} panels`);
    const ids = panels.map((panel) => panel.id);
    assert.ok(ids.every((id) => Number.isInteger(id)), `ids ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, ids.length, `duplicate panel ids: ${ids.join(', ')}`);
    const cells = new Set<string>();
    for (const panel of panels) {
      const title = asString(panel.title, 'title');
      assert.notEqual(title, '');
      assert.match(String(panel.type), /^(timeseries|state-timeline|table|stat)$/, `${title} type`);
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, `${title} datasource`);
      const targets = asList(panel.targets, `${title} targets`).map((target) => asRecord(target, `${title} target`));
      assert.ok(targets.length > 0, `${title} has no target`);
      const refIds = targets.map((target) => asString(target.refId, `${title} refId`));
      assert.equal(new Set(refIds).size, refIds.length, `${title} duplicate refIds`);
      for (const target of targets) {
        assert.deepEqual(target.datasource, { type: 'prometheus', uid: '${datasource}' }, `${title} target datasource`);
        assert.notEqual(asString(target.expr, `${title} expr`).trim(), '');
        // A probe panel follows the service picker.
        if (String(target.expr).includes(`job="${PROBE_JOB}"`)) assert.match(String(target.expr), /instance=~"\$service"/, `${title}: ${String(target.expr)}`);
      }
      const grid = asRecord(panel.gridPos, `${title} gridPos`);
      const [x, y, w, h] = [grid.x, grid.y, grid.w, grid.h].map(Number) as [number, number, number, number];
      assert.ok(x >= 0 && w > 0 && x + w <= 24 && y >= 0 && h > 0, `${title} gridPos ${JSON.stringify(grid)}`);
      for (let row = y; row < y + h; row += 1) {
        for (let column = x; column < x + w; column += 1) {
          const cell = `${row}:${column}`;
          assert.ok(!cells.has(cell), `${title} overlaps another panel at row ${row}, column ${column}`);
          cells.add(cell);
        }
      }
    }
  });

  it('charts every metric it is meant to, and uses no undefined variable', async () => {
    const { expressions } = await loadDashboard();
    const charted = new Set(expressions.flatMap(({ expr }) => metricNames(expr)));
    for (const metric of DASHBOARD_METRICS) assert.ok(charted.has(metric), `no panel charts ${metric}`);
    for (const { expr } of expressions) substituteVariables(expr);
    assert.ok(expressions.some(({ expr }) => /histogram_quantile\(0\.99,/.test(expr)), 'a p99 of the read duration');
    assert.ok(expressions.some(({ expr }) => /rate\(pushgateway_exporter_probes_total\[\$__rate_interval\]\)/.test(expr)));
  });

  it('the provisioning files load this dashboard from a Prometheus data source at http://prometheus:9090', async () => {
    const provisioning = join(PROJECT_ROOT, 'local/grafana/provisioning');
    const datasourceFiles = (await readdir(join(provisioning, 'datasources'))).filter((file) => file.endsWith('.yml'));
    assert.ok(datasourceFiles.length > 0, 'no datasource provisioning file');
    const datasources = (await Promise.all(datasourceFiles.map((file) => readFile(join(provisioning, 'datasources', file), 'utf8'))))
      .flatMap((text) => asList(asRecord(parse(text), 'datasources file').datasources, 'datasources').map((d) => asRecord(d, 'datasource')));
    const prometheus = datasources.find((datasource) => datasource.type === 'prometheus');
    assert.ok(prometheus, 'a prometheus data source');
    assert.equal(prometheus.url, 'http://prometheus:9090');
    assert.equal(prometheus.isDefault, true, 'the default, so ${datasource} starts on it');

    const providerFiles = (await readdir(join(provisioning, 'dashboards'))).filter((file) => file.endsWith('.yml'));
    assert.ok(providerFiles.length > 0, 'no dashboard provisioning file');
    const providers = (await Promise.all(providerFiles.map((file) => readFile(join(provisioning, 'dashboards', file), 'utf8'))))
      .flatMap((text) => asList(asRecord(parse(text), 'providers file').providers, 'providers').map((p) => asRecord(p, 'provider')));
    // docker-compose.yml mounts local/grafana/dashboards at this path (checked in local-stack.test.ts).
    assert.ok(providers.some((provider) => provider.type === 'file' && asRecord(provider.options, 'options').path === '/etc/grafana/dashboards'));
  });
});
