import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { base64ByteLength, MAX_CHECK_IN_BODY_BYTES, readSuffix, redactCheckInPath, splitCheckInPath } from '../../lib/core/push/check-in.ts';
import { CheckInRate } from '../../lib/core/push/check-in-rate.ts';

const offlinePlugin = createRequire(import.meta.url)('../../scripts/serverless-offline-exact-paths.cjs') as { MAX_CHECK_IN_BODY_BYTES: number };

describe('splitCheckInPath', () => {
  it('reads /ping/<key>/<service>[/<suffix>] when the key is in the path', () => {
    assert.deepEqual(splitCheckInPath('/ping/k3y/backup', false), { key: 'k3y', service: 'backup', suffix: undefined });
    assert.deepEqual(splitCheckInPath('/ping/k3y/backup/fail', false), { key: 'k3y', service: 'backup', suffix: 'fail' });
  });

  it('reads /ping/<service>[/<suffix>] when the key comes as Authorization: Bearer', () => {
    assert.deepEqual(splitCheckInPath('/ping/backup', true), { key: undefined, service: 'backup', suffix: undefined });
    assert.deepEqual(splitCheckInPath('/ping/backup/start', true), { key: undefined, service: 'backup', suffix: 'start' });
  });

  it('percent-decodes each segment, so a key or a service may hold any character', () => {
    assert.deepEqual(splitCheckInPath('/ping/a%2Fb%25/svc%20one/0', false), { key: 'a/b%', service: 'svc one', suffix: '0' });
  });

  it('is no route for any other shape: too few or too many segments, an empty one, bad percent-encoding', () => {
    for (const [path, header] of [
      ['/ping/', false], ['/ping/k3y', false], ['/ping/k3y/svc/fail/extra', false], ['/ping/k3y//fail', false], ['/ping/k3y/svc/', false],
      ['/ping/a/b/c', true], ['/ping/', true], ['/ping/%zz/svc', false], ['/ping/k/%C0%AF', false], ['/pingk/svc', false], ['/ping', false],
    ] as const) {
      assert.equal(splitCheckInPath(path, header), undefined, `${path} (key in header: ${header})`);
    }
  });
});

describe('readSuffix: the Healthchecks suffixes as run signals', () => {
  it('maps none, /start, /fail and exit codes 0-255', () => {
    const table: [string | undefined, string][] = [
      [undefined, 'success'], ['start', 'start'], ['fail', 'failure'], ['0', 'success'], ['1', 'failure'], ['2', 'failure'], ['255', 'failure'],
    ];
    for (const [suffix, signal] of table) assert.deepEqual(readSuffix(suffix), { kind: 'signal', signal }, String(suffix));
  });

  it('answers an exit code out of 0-255 (or written with a leading zero) as a bad request, any other word as unknown', () => {
    for (const suffix of ['256', '1000', '007', '00', '99999999999999999999']) assert.equal(readSuffix(suffix).kind, 'bad-exit-code', suffix);
    for (const suffix of ['log', 'START', 'Fail', '-1', '+1', '1.0', 'success']) assert.equal(readSuffix(suffix).kind, 'unknown', suffix);
    assert.deepEqual(readSuffix('256'), { kind: 'bad-exit-code', problem: 'exit code must be a whole number from 0 to 255, got "256"' });
  });
});

describe('redactCheckInPath', () => {
  it('replaces the segment after /ping/ whatever the form, and leaves other paths alone', () => {
    assert.equal(redactCheckInPath('/ping/s3cret/backup/fail'), '/ping/<redacted>/backup/fail');
    assert.equal(redactCheckInPath('/ping/s3cret'), '/ping/<redacted>');
    assert.equal(redactCheckInPath('/probe'), '/probe');
  });

  it('replaces everything after a near miss\'s ping, where the key may sit in any segment', () => {
    const table: [string, string][] = [
      ['//ping/s3cret/backup', '//ping/<redacted>'],
      ['/./ping/s3cret/backup', '/./ping/<redacted>'],
      ['/%70ing/s3cret/backup', '/%70ing/<redacted>'],
      ['/PING/s3cret/backup/fail', '/PING/<redacted>'],
      ['/ping//s3cret/backup', '/ping/<redacted>'],
      ['/ping/./s3cret/backup', '/ping/<redacted>'],
      ['/x/ping/s3cret', '/x/ping/<redacted>'],
      ['/ping%2Fs3cret%2Fbackup', '/<redacted>'],
      ['/ping;x/s3cret', '/<redacted>'],
      ['/x/Ping.s3cret', '/x/<redacted>'],
      ['/ping', '/ping'],
      ['/pingk/s3cret', '/pingk/s3cret'],
      ['/ping2/s3cret', '/ping2/s3cret'],
      ['/%zz/ping%/s3cret', '/%zz/ping%/s3cret'],
    ];
    for (const [path, shown] of table) assert.equal(redactCheckInPath(path), shown, path);
  });
});

describe('the body limit', () => {
  it('counts a base64 body\'s bytes without decoding it', () => {
    for (const bytes of [0, 1, 2, 3, 4, 10, MAX_CHECK_IN_BODY_BYTES + 1]) {
      assert.equal(base64ByteLength(Buffer.alloc(bytes, 7).toString('base64')), bytes);
    }
  });

  it('is the same under serverless-offline (its plugin answers 413 before reading the body)', () => {
    assert.equal(offlinePlugin.MAX_CHECK_IN_BODY_BYTES, MAX_CHECK_IN_BODY_BYTES);
  });
});

describe('CheckInRate', () => {
  it('admits one push per service and signal per window, telling when to retry', () => {
    const rate = new CheckInRate(1000, 10);
    assert.deepEqual(rate.admit('svc', 'success', 0), { admitted: true });
    assert.deepEqual(rate.admit('svc', 'success', 400), { admitted: false, retryAfterSeconds: 1 });
    // Another signal of the same service has its own window: a quick job's start and success both land.
    assert.deepEqual(rate.admit('svc', 'start', 400), { admitted: true });
    assert.deepEqual(rate.admit('other', 'success', 400), { admitted: true });
    assert.deepEqual(rate.admit('svc', 'success', 1000), { admitted: true });
  });

  it('frees the window of a push that failed, so its retry is admitted', () => {
    const rate = new CheckInRate(1000, 10);
    rate.admit('svc', 'failure', 0);
    rate.forget('svc', 'failure');
    assert.deepEqual(rate.admit('svc', 'failure', 1), { admitted: true });
  });

  it('never holds more than its bound, whatever names arrive: past it, check-ins wait for the window', () => {
    const rate = new CheckInRate(1000, 100);
    let refused = 0;
    for (let i = 0; i < 10_000; i += 1) if (!rate.admit(`name-${i}`, 'success', i / 100).admitted) refused += 1;
    assert.ok(rate.size <= 100, `size ${rate.size}`);
    assert.ok(refused > 0);
    // Once the window has passed, the old names are pruned and new ones admitted.
    assert.deepEqual(rate.admit('late', 'success', 10_000), { admitted: true });
    assert.equal(rate.size, 1);
  });

  it('remembers a long name by its first 200 characters (bounded bytes)', () => {
    const rate = new CheckInRate(1000, 10);
    rate.admit('x'.repeat(100_000), 'success', 0);
    assert.equal(rate.admit(`${'x'.repeat(200)}y`, 'success', 1).admitted, false);
  });
});
