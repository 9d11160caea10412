import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import type { GatewayGroup } from '../../lib/core/reap/expiry.ts';
import type { Labels } from '../../lib/core/exposition/exposition-types.ts';
import { createLogger } from '../../lib/edges/logger.ts';
import { REREAD_VALID_MS, sweep } from '../../lib/runtime/reaper.ts';

const NOW_MS = 1_800_000_000_000;
const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const config = parseConfig(`pushgateway_url: http://p:9091\nexpire_after_seconds: 3600\nservices:\n${names.map((n) => `  - name: ${n}\n`).join('')}`);

/** A Pushgateway of expired groups whose reads, DELETEs and monotonic time a test counts and steps. */
function fakeGateway(deleteMs: number, readMs = REREAD_VALID_MS * 2) {
  let monotonic = 0;
  const held = new Map<string, GatewayGroup>(names.map((n) => [n, { labels: { job: 'heartbeat', instance: n }, pushTimeSeconds: NOW_MS / 1000 - 7200, samples: [] }]));
  const calls: string[] = [];
  return {
    held, calls,
    ports: {
      groups: {
        list: async () => {
          calls.push('read');
          monotonic += readMs;
          return [...held.values()];
        },
        delete: async (_access: unknown, labels: Labels) => {
          calls.push(`delete ${labels.instance}`);
          held.delete(labels.instance ?? '');
          monotonic += deleteMs;
        },
      },
      clock: () => NOW_MS,
      monotonicMs: () => monotonic,
      logger: createLogger('error', () => undefined, () => NOW_MS),
    },
  };
}

describe('sweep: re-reads before deleting', () => {
  it('re-reads after deciding, and again once REREAD_VALID_MS has passed since the last re-read', async () => {
    const gateway = fakeGateway(REREAD_VALID_MS * 0.4);
    const result = await sweep(config, gateway.ports, { dryRun: false });
    assert.equal(result.deleted.length, 7);
    assert.deepEqual(gateway.calls, [
      'read', 'read', 'delete a', 'delete b', 'delete c', 'read', 'delete d', 'delete e', 'delete f', 'read', 'delete g',
    ]);
  });

  it('re-reads before every DELETE when a read takes less than a DELETE (a small Pushgateway)', async () => {
    const gateway = fakeGateway(3, 2);
    const result = await sweep(config, gateway.ports, { dryRun: false });
    assert.equal(result.deleted.length, 7);
    assert.deepEqual(gateway.calls, ['read', ...names.flatMap((name) => ['read', `delete ${name}`])]);
  });

  it('keeps a group pushed again before a re-read, and deletes nothing on a dry run', async () => {
    const gateway = fakeGateway(1);
    const result = await sweep(config, {
      ...gateway.ports,
      beforeReread: () => {
        gateway.held.set('c', { labels: { instance: 'c', job: 'heartbeat' }, pushTimeSeconds: NOW_MS / 1000, samples: [] });
      },
    }, { dryRun: false });
    assert.deepEqual(result.deleted.map((expired) => expired.service), ['a', 'b', 'd', 'e', 'f', 'g']);
    assert.equal(result.kept, 1);
    assert.ok(gateway.held.has('c'));

    const dry = fakeGateway(1);
    const preview = await sweep(config, dry.ports, { dryRun: true });
    assert.equal(preview.deleted.length, 7);
    assert.deepEqual(dry.calls, ['read']);
  });
});
