import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startCheckInServer, send, type CheckInServer } from '../support/check-in-server.ts';
import { getText, startPushgateway, tempDir, type RunningProcess, type TempDir } from '../support/processes.ts';

// Check-ins with discover_services and with sharded services, against real Pushgateways:
// docs/check-ins.md#discovered-services and docs/high-availability.md#sharding.

const KEY = 'push-key-1';

const groupsOf = async (pushgateway: RunningProcess): Promise<string> => (await getText(`${pushgateway.url}/metrics`)).body;

describe('check-ins of discovered and sharded services', () => {
  let first: RunningProcess;
  let second: RunningProcess;
  let dir: TempDir;
  let server: CheckInServer;

  before(async () => {
    [first, second] = await Promise.all([startPushgateway(), startPushgateway()]);
    dir = await tempDir();
    const config = await dir.file('config.yml', `pushgateway_url: ["${first.url}", "${second.url}"]
scrape_interval_seconds: 1
discover_services: true
max_discovered_services: 2
services:
  - name: sharded
    freshness_threshold_seconds: 3600
    pushgateways: ["${second.url}"]
  - name: everywhere
    freshness_threshold_seconds: 3600
`);
    server = await startCheckInServer({ CONFIG_FILE: config, PUSH_TOKEN: KEY });
  });
  after(async () => {
    await server?.close();
    await Promise.all([first?.stop(), second?.stop()]);
    await dir?.remove();
  });

  it('pushes a sharded service only to its own Pushgateway, any other to every one', async () => {
    assert.equal((await send(server.url, `/ping/${KEY}/sharded`)).status, 200);
    assert.equal((await send(server.url, `/ping/${KEY}/everywhere`)).status, 200);
    const [onFirst, onSecond] = await Promise.all([groupsOf(first), groupsOf(second)]);
    assert.match(onSecond, /^loop_heartbeat_timestamp_seconds\{instance="sharded",job="heartbeat",service="sharded"\} /m);
    assert.doesNotMatch(onFirst, /instance="sharded"/);
    for (const body of [onFirst, onSecond]) assert.match(body, /^loop_heartbeat_timestamp_seconds\{instance="everywhere",job="heartbeat",service="everywhere"\} /m);
  });

  it('accepts an unconfigured name discovery would take, up to max_discovered_services, then answers 404', async () => {
    const pushed = await send(server.url, `/ping/${KEY}/new-one`);
    assert.deepEqual([pushed.status, pushed.body], [200, 'OK\n']);
    assert.match(await groupsOf(first), /^loop_heartbeat_timestamp_seconds\{instance="new-one",job="heartbeat",service="new-one"\} /m);
    // Past the snapshot interval, so the next check-in's read sees new-one discovered.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    assert.equal((await send(server.url, `/ping/${KEY}/new-two`)).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // Two discovered: the cap is reached, a third name is refused and nothing is pushed for it.
    const refused = await send(server.url, `/ping/${KEY}/new-three`);
    assert.equal(refused.status, 404);
    assert.match(refused.body, /^unknown service "new-three": not a configured or discoverable service/);
    assert.doesNotMatch(await groupsOf(first) + await groupsOf(second), /new-three/);
    // A name already discovered is still accepted at the cap.
    assert.equal((await send(server.url, `/ping/${KEY}/new-one/fail`)).status, 200);
  });

  it('refuses a name discovery could never take (a control character)', async () => {
    const refused = await send(server.url, `/ping/${KEY}/bad%0Aname`);
    assert.equal(refused.status, 404);
    assert.doesNotMatch(await groupsOf(first), /bad/);
  });
});
