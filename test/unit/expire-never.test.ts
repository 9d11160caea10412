import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { expiredGroups, type GatewayGroup } from '../../lib/core/reap/expiry.ts';
import { ConfigError } from '../../lib/core/errors.ts';

const NOW = 1_800_000_000;
const HEARTBEAT = 'loop_heartbeat_timestamp_seconds';

const config = parseConfig(`
pushgateway_url: http://pushgateway:9091
expire_after_seconds: 3600
services:
  - name: retired
  - name: archive
    expire_after_seconds: never
  - name: own
    expire_after_seconds: 7200
`);

const dead = (instance: string): GatewayGroup =>
  ({ labels: { job: 'heartbeat', instance }, pushTimeSeconds: NOW - 30 * 86_400, samples: [{ name: HEARTBEAT, service: instance }] });

function problemsOf(yaml: string): readonly string[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  return assert.fail('accepted');
}

describe('services[].expire_after_seconds: never', () => {
  it('opts one service out of the top-level expiry; the others keep theirs', () => {
    assert.equal(config.services.get('retired')?.expireAfterSeconds, 3600);
    assert.equal(config.services.get('archive')?.expireAfterSeconds, undefined);
    assert.equal(config.services.get('own')?.expireAfterSeconds, 7200);
  });

  it('keeps the service\'s groups however old, while the top-level expiry deletes the others', () => {
    const decision = expiredGroups([dead('retired'), dead('archive'), dead('own')], config, NOW);
    assert.deepEqual(decision.expired.map((expired) => expired.service).sort(), ['own', 'retired']);
  });

  it('is accepted with no top-level expiry too (then it changes nothing)', () => {
    const alone = parseConfig('pushgateway_url: http://p:9091\nservices:\n  - name: a\n    expire_after_seconds: never\n');
    assert.equal(alone.services.get('a')?.expireAfterSeconds, undefined);
  });

  it('names never in the problem of any other string, and keeps the range for numbers', () => {
    assert.deepEqual(problemsOf('pushgateway_url: http://p:9091\nservices:\n  - name: a\n    expire_after_seconds: Never\n  - name: b\n    expire_after_seconds: 10\n'), [
      'services[0].expire_after_seconds: must be a positive number or never, got "Never"',
      'services[1].expire_after_seconds: must be between 60 and 31622400 seconds (366 days), got 10',
    ]);
  });

  it('is a per-service word only: at the top level, leaving the key out already means never', () => {
    assert.deepEqual(problemsOf('pushgateway_url: http://p:9091\nexpire_after_seconds: never\n'), [
      'expire_after_seconds: must be a positive number, got "never"',
    ]);
  });
});
