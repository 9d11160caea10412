import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PushgatewayPusher } from '../../lib/edges/pushgateway/pushgateway-pusher.ts';
import { startPushgateway, type RunningProcess } from '../support/processes.ts';
import { pushedGroups } from '../support/pushgateway-groups.ts';

describe('groupingKeyPath against a real Pushgateway', () => {
  let pushgateway: RunningProcess;
  const client = new PushgatewayPusher();
  before(async () => {
    pushgateway = await startPushgateway();
  });
  after(async () => {
    await client.close();
    await pushgateway?.stop();
  });

  it('round-trips odd values: the group Pushgateway stores has exactly the labels pushed', async () => {
    const values = ['a/b', 'ä ö', '', '%', '.', '..', 'a+b', 'x?y#z', '/', 'ends/', 'quote"back\\slash', 'Προμηθεύς', '=', '@base64'];
    for (const [index, value] of values.entries()) {
      const job = index % 2 === 0 ? 'roundtrip' : `odd/${value}`;
      await client.push(
        { pushgatewayUrl: pushgateway.url, job, labels: [['instance', `i${index}`], ['value', value]], timeoutMs: 5000 },
        [{ name: 'roundtrip_index', help: 'which case', type: 'gauge', samples: [{ value: index }] }],
      );
    }
    const groups = await pushedGroups(pushgateway.url);
    for (const [index, value] of values.entries()) {
      const group = groups.find((candidate) => candidate.labels.instance === `i${index}`);
      const job = index % 2 === 0 ? 'roundtrip' : `odd/${value}`;
      assert.deepEqual(group?.labels, { job, instance: `i${index}`, value }, `value ${JSON.stringify(value)}`);
      assert.equal(group?.families.get('roundtrip_index')?.samples[0]?.value, index);
    }
    assert.equal(groups.length, values.length);
  });
});
