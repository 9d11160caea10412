import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupingKeyError } from '../../lib/core/errors.ts';
import { groupingKeyPath, labelNameProblem } from '../../lib/core/push/grouping-key.ts';

describe('groupingKeyPath', () => {
  const cases: [string, string, [string, string][], string][] = [
    ['plain values as they are', 'heartbeat', [['instance', 'service1']], '/metrics/job/heartbeat/instance/service1'],
    ['a job alone', 'batch', [], '/metrics/job/batch'],
    ['labels in the order given', 'heartbeat', [['instance', 'a'], ['env', 'prod']], '/metrics/job/heartbeat/instance/a/env/prod'],
    ['a value with "/" as base64url', 'heartbeat', [['instance', 'a/b']], '/metrics/job/heartbeat/instance@base64/YS9i'],
    ['the README example /var/tmp', 'directory_cleaner', [['path', '/var/tmp']], '/metrics/job/directory_cleaner/path@base64/L3Zhci90bXA'],
    ['an empty value as @base64/=', 'example', [['first_label', ''], ['second_label', 'foobar']], '/metrics/job/example/first_label@base64/=/second_label/foobar'],
    ['"." and ".." as base64 (a router would resolve them as path steps)', 'j', [['a', '.'], ['b', '..']], '/metrics/job/j/a@base64/Lg/b@base64/Li4'],
    ['non-ASCII and spaces percent-encoded', 'titan', [['name', 'Προμηθεύς ä']], `/metrics/job/titan/name/${encodeURIComponent('Προμηθεύς ä')}`],
    ['"%", "?", "#", "+" percent-encoded', 'j', [['v', '%?#+']], '/metrics/job/j/v/%25%3F%23%2B'],
    ['a job with "/" as job@base64', 'team/backup', [['instance', 'x']], '/metrics/job@base64/dGVhbS9iYWNrdXA/instance/x'],
  ];
  for (const [name, job, labels, expected] of cases) {
    it(`encodes ${name}`, () => assert.equal(groupingKeyPath(job, labels), expected));
  }

  it('rejects what Pushgateway would reject, before any request', () => {
    const rejects = (job: string, labels: [string, string][], message: RegExp) =>
      assert.throws(() => groupingKeyPath(job, labels), (error: unknown) => error instanceof GroupingKeyError && error.code === 'GROUPING_KEY_INVALID' && message.test(error.message));
    rejects('', [], /job must not be empty/);
    rejects('j', [['in-valid', 'x']], /not a Prometheus label name/);
    rejects('j', [['1abc', 'x']], /not a Prometheus label name/);
    rejects('j', [['__name', 'x']], /reserved/);
    rejects('j', [['job', 'x']], /set by the job/);
    rejects('j', [['a', '1'], ['a', '2']], /given twice/);
    rejects('j', [['a', '\ud800']], /not valid Unicode/);
  });

  it('names the problem of a label name in one line', () => {
    assert.equal(labelNameProblem('env'), undefined);
    assert.equal(labelNameProblem('_x9'), undefined);
    assert.match(labelNameProblem('a b') ?? '', /^label name "a b" is not a Prometheus label name/);
  });
});
