import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONFIG_DEFAULTS } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { serviceFromDefaults } from '../../lib/core/config/parse-service.ts';
import { resolveService } from '../../lib/core/config/resolve-service.ts';

const URL_LINE = 'pushgateway_url: http://pg:9091\nallow_unlisted_targets: true\n';

describe('resolveService', () => {
  it('gives an unlisted target exactly what a listed service with only a name gets', () => {
    const configs = [
      `${URL_LINE}services: [{name: listed}]\n`,
      `${URL_LINE}default_freshness_threshold_seconds: 42\nservices: [{name: listed}]\n`,
      `${URL_LINE}defaults: {job: loops, heartbeat_metric: app_seconds, freshness_threshold_seconds: 15, grace_seconds: 60, timezone: Europe/Berlin, max_run_seconds: 900}
services: [{name: listed}]\n`,
    ];
    for (const text of configs) {
      const config = parseConfig(text);
      assert.deepEqual(resolveService(config, 'unlisted'), { ...config.services.get('listed'), name: 'unlisted' }, text);
    }
  });

  it('answers a listed target with its configured service, and an unlisted one only when allowed', () => {
    const config = parseConfig(`${URL_LINE}services: [{name: a, job: batch}]\n`);
    assert.equal(resolveService(config, 'a'), config.services.get('a'));
    assert.equal(resolveService({ ...config, allowUnlistedTargets: false }, 'b'), undefined);
    assert.equal(resolveService(config, 'b')?.job, CONFIG_DEFAULTS.job);
  });
});

describe('serviceFromDefaults', () => {
  it('takes job, heartbeat metric, freshness threshold and max run from the defaults, and sets nothing else', () => {
    const defaults = { job: 'loops', heartbeatMetric: 'app_seconds', freshnessThresholdSeconds: 15, graceSeconds: 60, timezone: 'Europe/Berlin', maxRunSeconds: 900 };
    assert.deepEqual(serviceFromDefaults('svc', defaults), {
      name: 'svc', job: 'loops', heartbeatMetric: 'app_seconds', freshnessThresholdSeconds: 15, schedule: undefined,
      replicas: undefined, maxRunSeconds: 900, okWhen: [], paused: false, maintenance: [],
    });
  });
});
