import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { handleRequest } from '../../lib/http/routes.ts';
import { pushHeartbeat } from '../support/processes.ts';
import { startPushgatewayRuntime, type PushgatewayRuntime } from '../support/pushgateway-runtime.ts';
import { get } from '../support/route-request.ts';

const seriesOf = (body: string, metric: string): string[] => body.split('\n').filter((line) => line.startsWith(`${metric}{`)).sort();

describe('labels and services named like Object.prototype members, through a real Pushgateway', () => {
  let stack: PushgatewayRuntime;
  let runtime: Runtime;

  before(async () => {
    stack = await startPushgatewayRuntime((url) => `pushgateway_url: "${url}"
services:
  - name: constructor
  - name: __proto__
  - name: toString
`);
    const { pushgateway } = stack;
    ({ runtime } = stack);
    const now = Math.floor(Date.now() / 1000);
    // Series that differ only in a label Pushgateway accepts but a plain object already "has".
    await pushHeartbeat(pushgateway.url, 'constructor', now, {
      extra: 'x{constructor="1"} 1\nx{constructor="2"} 2\ny{toString="a",valueOf="b"} 3\ny{toString="a",valueOf="c"} 4\nz{hasOwnProperty="1"} 5\nz 6\n',
    });
    await pushHeartbeat(pushgateway.url, '__proto__', now, { extra: 'x{isPrototypeOf="1"} 7\nx{propertyIsEnumerable="1"} 8\n' });
  });
  after(() => stack.stop());

  it('/probes keeps every such label, so no two series collapse into one', async () => {
    const response = await handleRequest(get('/probes'), runtime);
    assert.equal(response.status, 200, response.body);
    assert.deepEqual(seriesOf(response.body, 'x'), [
      'x{service="__proto__",isPrototypeOf="1"} 7',
      'x{service="__proto__",propertyIsEnumerable="1"} 8',
      'x{service="constructor",constructor="1"} 1',
      'x{service="constructor",constructor="2"} 2',
    ]);
    assert.deepEqual(seriesOf(response.body, 'y'), ['y{service="constructor",toString="a",valueOf="b"} 3', 'y{service="constructor",toString="a",valueOf="c"} 4']);
    assert.deepEqual(seriesOf(response.body, 'z'), ['z{service="constructor",hasOwnProperty="1"} 5', 'z{service="constructor"} 6']);
    assert.deepEqual(seriesOf(response.body, 'probe_success'), [
      'probe_success{service="__proto__"} 1',
      'probe_success{service="constructor"} 1',
      'probe_success{service="toString"} 0',
    ]);
  });

  it('/probe answers the same series for one target', async () => {
    const response = await handleRequest(get('/probe', { target: 'constructor' }), runtime);
    assert.equal(response.status, 200, response.body);
    assert.deepEqual(seriesOf(response.body, 'x'), ['x{constructor="1"} 1', 'x{constructor="2"} 2']);
    assert.deepEqual(seriesOf(response.body, 'y'), ['y{toString="a",valueOf="b"} 3', 'y{toString="a",valueOf="c"} 4']);
    const proto = await handleRequest(get('/probe', { target: '__proto__' }), runtime);
    assert.match(proto.body, /^probe_success 1$/m);
    assert.deepEqual(seriesOf(proto.body, 'x'), ['x{isPrototypeOf="1"} 7', 'x{propertyIsEnumerable="1"} 8']);
  });
});
