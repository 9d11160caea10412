import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import type { GatewayGroup } from '../../lib/core/reap/expiry.ts';
import type { Labels } from '../../lib/core/exposition/exposition-types.ts';
import { createLogger } from '../../lib/edges/logger.ts';
import type { GroupsAccess } from '../../lib/edges/pushgateway/pushgateway-groups.ts';
import { sweep } from '../../lib/runtime/reaper.ts';

// docs/high-availability.md#the-reaper: a sweep goes over every Pushgateway, each group judged by
// its own push time where it is, with the re-read before each DELETE kept.

const NOW_S = 1_800_000_000;
const config = parseConfig('pushgateway_url: [http://a:9091, "http://u:secret@b:9091"]\nexpire_after_seconds: 3600\nservices: [{name: svc}]\n');
const group = (pushTimeSeconds: number): GatewayGroup => ({ labels: { job: 'heartbeat', instance: 'svc' }, pushTimeSeconds, samples: [] });

describe('sweep over several Pushgateways', () => {
  it('deletes the stale copy on one and keeps the fresh copy on the other, re-reading each before its DELETE', async () => {
    const held = new Map<string, GatewayGroup[]>([
      ['http://a:9091', [group(NOW_S - 7200)]],
      ['http://u:secret@b:9091', [group(NOW_S - 10)]],
    ]);
    const calls: string[] = [];
    const pushed: string[] = [];
    const result = await sweep(config, {
      groups: {
        list: async (access: GroupsAccess) => {
          calls.push(`read ${access.pushgatewayUrl}`);
          return held.get(access.pushgatewayUrl) ?? [];
        },
        delete: async (access: GroupsAccess, labels: Labels) => {
          calls.push(`delete ${labels.instance} on ${access.pushgatewayUrl}`);
          held.set(access.pushgatewayUrl, []);
        },
      },
      pusher: { push: async (target) => void pushed.push(target.pushgatewayUrl) },
      clock: () => NOW_S * 1000,
      monotonicMs: () => 0,
      logger: createLogger('error', () => undefined, () => NOW_S * 1000),
    }, { dryRun: false });
    assert.equal(result.success, true);
    assert.equal(result.deleted.length, 1);
    assert.equal(result.groups, 2);
    assert.deepEqual(calls, ['read http://a:9091', 'read http://a:9091', 'delete svc on http://a:9091', 'read http://u:secret@b:9091']);
    assert.deepEqual(held.get('http://u:secret@b:9091')?.length, 1, 'the fresh copy stays');
    assert.deepEqual(pushed, ['http://a:9091', 'http://u:secret@b:9091'], 'the sweep metrics go to every Pushgateway');
  });

  it('fails the sweep naming the Pushgateway that failed, redacted, and still sweeps the others', async () => {
    const calls: string[] = [];
    const result = await sweep(config, {
      groups: {
        list: async (access: GroupsAccess) => {
          calls.push(access.pushgatewayUrl);
          if (access.pushgatewayUrl.includes('@b')) throw new Error('connection refused');
          return [];
        },
        delete: async () => undefined,
      },
      clock: () => NOW_S * 1000,
      monotonicMs: () => 0,
      logger: createLogger('error', () => undefined, () => NOW_S * 1000),
    }, { dryRun: false });
    assert.equal(result.success, false);
    assert.equal(calls.length, 2);
    assert.match(result.error ?? '', /^http:\/\/redacted@b:9091: /);
    assert.ok(!(result.error ?? '').includes('secret'));
  });
});
