import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lambdaBuild, staticInputs } from '../support/lambda-build.ts';

// docs/deploying.md#cold-start: a one-Pushgateway probe without discover_services or check-ins
// loads none of their code at init; each loads on first use (row 1 of `npm run bench`).

/** Check-ins, the merge of several Pushgateways, discover_services, `/sd` and `debug=true`'s report: none runs in a plain probe. */
const LAZY = [
  'lib/http/check-in-route.ts',
  'lib/runtime/check-in.ts',
  'lib/runtime/push-signal.ts',
  'lib/edges/pushgateway/pushgateway-fanout.ts',
  'lib/edges/pushgateway/pushgateway-pusher.ts',
  'lib/core/snapshot/merged-snapshot.ts',
  'lib/runtime/discovery.ts',
  'lib/core/discovery/discovered-services.ts',
  'lib/edges/linear-regexp.ts',
  'lib/core/report/service-discovery.ts',
  'lib/core/report/debug-report.ts',
];

describe('the Lambda entry at init, features a plain probe does not use', () => {
  it('loads no check-in, merge, discovery, /sd or debug report module; each stays reachable through import()', async () => {
    const metafile = await lambdaBuild();
    const atInit = staticInputs(metafile, 'import-statement');
    assert.ok(atInit.has('lib/http/routes.ts') && atInit.has('lib/edges/cache/gateway-snapshots.ts'), 'the route table and the snapshot caches load at init');
    assert.deepEqual(LAZY.filter((input) => atInit.has(input)), [], 'loaded at init');
    const reachable = staticInputs(metafile, 'any');
    assert.deepEqual(LAZY.filter((input) => !reachable.has(input)), [], 'not in the bundle at all');
  });
});
