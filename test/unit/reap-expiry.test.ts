import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { attributeGroup, expiredGroups, stillExpired, type GatewayGroup, type GroupSample } from '../../lib/core/reap/expiry.ts';
import { ConfigError } from '../../lib/core/errors.ts';

const NOW = 1_800_000_000;
const HEARTBEAT = 'loop_heartbeat_timestamp_seconds';

const config = parseConfig(`
pushgateway_url: http://pushgateway:9091
expire_after_seconds: 3600
services:
  - name: svc
  - name: batch
    job: cron
    expire_after_seconds: 7200
  - name: never
    expire_after_seconds: 86400
  - name: kept
    paused: true
  - name: nightly
    schedule: "0 3 * * *"
    grace_seconds: 600
  - name: long-run
    max_run_seconds: 36000
  - name: fleet
    replicas: 2
`);
const noExpiry = parseConfig('pushgateway_url: http://pushgateway:9091\nservices:\n  - name: svc\n');

function group(labels: Record<string, string>, ageSeconds: number | undefined, samples: GroupSample[] = []): GatewayGroup {
  return { labels, pushTimeSeconds: ageSeconds === undefined ? undefined : NOW - ageSeconds, samples };
}
const beat = (service?: string): GroupSample => ({ name: HEARTBEAT, service });

describe('expire_after_seconds in the config', () => {
  it('is a top-level default each service may override; unset means never', () => {
    assert.equal(config.expireAfterSeconds, 3600);
    assert.equal(config.services.get('svc')?.expireAfterSeconds, 3600);
    assert.equal(config.services.get('batch')?.expireAfterSeconds, 7200);
    assert.equal(noExpiry.services.get('svc')?.expireAfterSeconds, undefined);
  });

  it('is validated like every numeric key, one line per problem with its path', () => {
    try {
      parseConfig('pushgateway_url: http://p:9091\nexpire_after_seconds: 5\nservices:\n  - name: a\n    expire_after_seconds: "1h"\n');
      assert.fail('accepted');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.problems, [
        'expire_after_seconds: must be between 60 and 31622400 seconds (366 days), got 5',
        'services[0].expire_after_seconds: must be a positive number or never, got "1h"',
      ]);
    }
  });
});

describe('attributeGroup: only groups the probe itself would read for one configured service', () => {
  it('step 1: job and instance of a configured service, whatever other grouping labels', () => {
    assert.equal(attributeGroup(group({ job: 'heartbeat', instance: 'svc' }, 0), config)?.name, 'svc');
    assert.equal(attributeGroup(group({ job: 'heartbeat', instance: 'svc', region: 'eu' }, 0), config)?.name, 'svc');
    assert.equal(attributeGroup(group({ job: 'cron', instance: 'batch' }, 0), config)?.name, 'batch');
    // The right instance under another job is not the service's group.
    assert.equal(attributeGroup(group({ job: 'heartbeat', instance: 'batch' }, 0), config), undefined);
  });

  it('step 2: the heartbeat metric labelled service="<name>", in any group (replicas)', () => {
    assert.equal(attributeGroup(group({ job: 'workers', instance: 'host-1' }, 0, [beat('fleet')]), config)?.name, 'fleet');
  });

  it('step 2 claims nothing by a run signal or an ok_when metric: the probe reads those only from the heartbeat\'s group', () => {
    assert.equal(attributeGroup(group({ job: 'x' }, 0, [{ name: 'loop_start_timestamp_seconds', service: 'svc' }]), config), undefined);
    const watched = parseConfig('pushgateway_url: http://p:9091\nexpire_after_seconds: 3600\nservices:\n  - name: svc\n    ok_when: ["loop_queue_depth < 1000"]\n');
    const monitor = group({ job: 'queue-monitor', instance: 'host-7' }, 7200, [{ name: 'loop_queue_depth', service: 'svc' }, { name: 'queue_monitor_up', service: undefined }]);
    assert.equal(attributeGroup(monitor, watched), undefined);
    assert.equal(expiredGroups([monitor], watched, NOW).expired.length, 0);
  });

  it('never: an unconfigured service, another service\'s samples, two claimants, only unrelated metrics', () => {
    assert.equal(attributeGroup(group({ job: 'heartbeat', instance: 'unknown' }, 0), config), undefined);
    assert.equal(attributeGroup(group({ job: 'w', instance: 'h' }, 0, [beat('unknown')]), config), undefined);
    assert.equal(attributeGroup(group({ job: 'w', instance: 'h' }, 0, [beat('svc'), beat('fleet')]), config), undefined);
    assert.equal(attributeGroup(group({ job: 'w', instance: 'h' }, 0, [beat('svc'), { name: 'other', service: 'unknown' }]), config), undefined);
    assert.equal(attributeGroup(group({ job: 'heartbeat', instance: 'svc' }, 0, [beat('fleet')]), config), undefined);
    assert.equal(attributeGroup(group({ job: 'w', instance: 'h' }, 0, [{ name: 'unrelated', service: 'svc' }]), config), undefined);
  });
});

describe('expiredGroups', () => {
  it('deletes attributed groups older than their service\'s expiry, oldest first', () => {
    const decision = expiredGroups([
      group({ job: 'heartbeat', instance: 'svc' }, 3601),
      group({ job: 'heartbeat', instance: 'svc', region: 'eu' }, 3599),
      group({ job: 'cron', instance: 'batch' }, 7000),
      group({ job: 'workers', instance: 'host-2' }, 90_000, [beat('fleet')]),
      group({ job: 'heartbeat', instance: 'unknown' }, 90_000),
      group({ job: 'heartbeat', instance: 'never' }, 86_000),
    ], config, NOW);
    assert.deepEqual(decision.expired.map((expired) => [expired.service, expired.ageSeconds, expired.expireAfterSeconds]), [
      ['fleet', 90_000, 3600], ['svc', 3601, 3600],
    ]);
    assert.equal(decision.unattributed, 1);
  });

  it('never without expire_after_seconds, for a paused service, or one in maintenance', () => {
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'svc' }, 1e6)], noExpiry, NOW).expired.length, 0);
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'kept' }, 1e6)], config, NOW).expired.length, 0);
    const inMaintenance = parseConfig(`pushgateway_url: http://p:9091\nexpire_after_seconds: 60\nservices:\n  - name: svc\n    maintenance:\n      - from: "2020-01-01T00:00:00Z"\n        to: "2099-01-01T00:00:00Z"\n`);
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'svc' }, 1e6)], inMaintenance, NOW).expired.length, 0);
  });

  it('never before the probe calls the group late, nor while a run may still be going', () => {
    // Daily at 03:00: a push from just after the last run is not late until tomorrow's run plus grace.
    const lastRun = Math.floor(NOW / 86_400) * 86_400 + 3 * 3600 - 86_400;
    const nightly = { labels: { job: 'heartbeat', instance: 'nightly' }, pushTimeSeconds: lastRun + 60, samples: [] };
    assert.equal(expiredGroups([nightly], config, lastRun + 86_000).expired.length, 0);
    assert.equal(expiredGroups([nightly], config, lastRun + 86_400 + 601).expired.length, 1);
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'long-run' }, 30_000)], config, NOW).expired.length, 0);
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'long-run' }, 36_001)], config, NOW).expired.length, 1);
  });

  it('never a group whose push failed within its expiry: push_failure_time_seconds is what operators alert on', () => {
    const failed = (failedAgo: number): GatewayGroup => ({ ...group({ job: 'heartbeat', instance: 'svc' }, 90_000), pushFailureTimeSeconds: NOW - failedAgo });
    assert.equal(expiredGroups([failed(600)], config, NOW).expired.length, 0);
    assert.equal(expiredGroups([failed(3600)], config, NOW).expired.length, 0);
    assert.equal(expiredGroups([failed(3601)], config, NOW).expired.length, 1);
  });

  it('never a group without a usable push time', () => {
    assert.equal(expiredGroups([group({ job: 'heartbeat', instance: 'svc' }, undefined)], config, NOW).expired.length, 0);
    assert.equal(expiredGroups([{ labels: { job: 'heartbeat', instance: 'svc' }, pushTimeSeconds: Number.NaN, samples: [] }], config, NOW).expired.length, 0);
  });
});

describe('stillExpired: the re-read just before a DELETE', () => {
  const chosen = expiredGroups([group({ job: 'heartbeat', instance: 'svc' }, 4000)], config, NOW).expired[0];
  it('keeps a group pushed again, gone, or no longer attributed', () => {
    assert.ok(chosen !== undefined);
    assert.equal(stillExpired(chosen, group({ job: 'heartbeat', instance: 'svc' }, 4000), config, NOW), true);
    assert.equal(stillExpired(chosen, group({ job: 'heartbeat', instance: 'svc' }, 1), config, NOW), false);
    assert.equal(stillExpired(chosen, undefined, config, NOW), false);
    assert.equal(stillExpired(chosen, group({ job: 'heartbeat', instance: 'svc' }, 4000, [beat('unknown')]), config, NOW), false);
  });
});
