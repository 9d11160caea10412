import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CliCommand, PushOptions } from '../../lib/cli/cli-command.ts';
import { parseCli } from '../../lib/cli/parse-cli.ts';

const env = { PUSHGATEWAY_URL: 'http://pushgateway:9091' };

function push(argv: string[], environment: Parameters<typeof parseCli>[1] = env): PushOptions {
  const command = parseCli(argv, environment);
  assert.equal(command.kind, 'push', JSON.stringify(command));
  return (command as Extract<CliCommand, { kind: 'push' }>).options;
}

function usageError(argv: string[], environment: Parameters<typeof parseCli>[1] = env): string {
  const command = parseCli(argv, environment);
  assert.equal(command.kind, 'usage-error', JSON.stringify(command));
  const { message } = command as Extract<CliCommand, { kind: 'usage-error' }>;
  assert.ok(!message.includes('\n'), `one line: ${message}`);
  return message;
}

describe('parseCli › push', () => {
  it('defaults to a success push to job heartbeat, instance = service, from PUSHGATEWAY_URL', () => {
    assert.deepEqual(push(['push', '--service', 'nightly-backup']), {
      pushgatewayUrls: ['http://pushgateway:9091'], bearerToken: undefined, service: 'nightly-backup', heartbeatMetric: 'loop_heartbeat_timestamp_seconds', job: 'heartbeat',
      labels: [['instance', 'nightly-backup']], signal: 'success', command: undefined, timeoutSeconds: 10,
    });
  });

  it('takes --pushgateway over PUSHGATEWAY_URL, and the bearer token from the environment', () => {
    const options = push(['push', '--service', 's', '--pushgateway', 'https://u:p@pg.example:9091'], { ...env, PUSHGATEWAY_BEARER_TOKEN: 't0k' });
    assert.deepEqual(options.pushgatewayUrls, ['https://u:p@pg.example:9091']);
    assert.equal(options.bearerToken, 't0k');
  });

  it('reads --start, --fail, --job, --instance, repeated --label and --timeout', () => {
    assert.equal(push(['push', '--service', 's', '--start']).signal, 'start');
    assert.equal(push(['push', '--service', 's', '--fail']).signal, 'failure');
    const options = push(['push', '--service', 's', '--job', 'cron', '--instance', 'host-1', '--label', 'env=prod', '--label', 'q=a=b', '--label', 'empty=', '--timeout', '2.5']);
    assert.equal(options.job, 'cron');
    assert.deepEqual(options.labels, [['instance', 'host-1'], ['env', 'prod'], ['q', 'a=b'], ['empty', '']]);
    assert.equal(options.timeoutSeconds, 2.5);
    assert.equal(push(['push', '--service', 's', '--heartbeat-metric', 'backup_last_success_seconds']).heartbeatMetric, 'backup_last_success_seconds');
  });

  it('takes everything after -- as the command, untouched (its own flags and another --)', () => {
    const options = push(['push', '--service', 's', '--', 'sh', '-c', 'exit 3', '--start', '--']);
    assert.deepEqual(options.command, ['sh', '-c', 'exit 3', '--start', '--']);
    assert.equal(options.signal, 'success');
  });

  it('rejects bad arguments with one line naming the problem', () => {
    assert.match(usageError(['push']), /--service NAME is required/);
    assert.match(usageError(['push', '--service', '']), /--service NAME is required/);
    assert.match(usageError(['push', '--service', 's'], {}), /no Pushgateway URL: pass --pushgateway URL or set PUSHGATEWAY_URL/);
    assert.match(usageError(['push', '--service', 's', '--pushgateway', 'pushgateway:9091']), /--pushgateway must be an http:\/\/ or https:\/\/ URL, got "pushgateway:9091"/);
    assert.match(usageError(['push', '--service', 's'], { PUSHGATEWAY_URL: 'ftp://x' }), /PUSHGATEWAY_URL must be an http/);
    assert.match(usageError(['push', '--service', 's', '--start', '--fail']), /--start or --fail, not both/);
    assert.match(usageError(['push', '--service', 's', '--start', '--', 'true']), /--start and --fail push one signal by hand/);
    assert.match(usageError(['push', '--service', 's', '--']), /nothing to run after --/);
    assert.match(usageError(['push', '--service', 's', 'backup.sh']), /unexpected argument "backup.sh" \(put the command to run after --\)/);
    assert.match(usageError(['push', '--service', 's', '--label', 'novalue']), /--label takes NAME=VALUE/);
    assert.match(usageError(['push', '--service', 's', '--label', 'bad-name=x']), /not a Prometheus label name/);
    assert.match(usageError(['push', '--service', 's', '--label', 'instance=x']), /use --instance/);
    assert.match(usageError(['push', '--service', 's', '--label', 'service=x']), /service label is set from --service/);
    assert.match(usageError(['push', '--service', 's', '--label', 'job=x']), /set by the job/);
    assert.match(usageError(['push', '--service', 's', '--label', 'a=1', '--label', 'a=2']), /--label a given twice/);
    // Names of Object.prototype's members are ordinary label names, not reserved ones.
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const command = parseCli(['push', '--service', 's', '--label', `${name}=x`], { PUSHGATEWAY_URL: 'http://pg:9091' });
      assert.equal(command.kind, 'push', `--label ${name}=x: ${JSON.stringify(command)}`);
    }
    assert.equal(usageError(['push', '--service', 's', '--timeout', '0']), 'push: --timeout must be decimal seconds such as 10 or 2.5, from 0.1 to 300, got "0"');
    assert.match(usageError(['push', '--service', 's', '--timeout', 'soon']), /--timeout must be decimal seconds such as 10 or 2.5, from 0.1 to 300, got "soon"/);
    // Beyond Node's timer range a timeout would fire after 1 ms (3000000) or throw a RangeError (5000000).
    assert.match(usageError(['push', '--service', 's', '--timeout', '3000000']), /--timeout must be decimal seconds such as 10 or 2.5, from 0.1 to 300, got "3000000"/);
    assert.match(usageError(['push', '--service', 's', '--timeout', '5000000']), /--timeout must be decimal seconds such as 10 or 2\.5, from 0\.1 to 300/);
    // Decimal seconds only: no hex, exponent, sign or blank.
    for (const value of ['0x10', '1e1', '+5', ' 5', '5 ', '.5', '']) {
      assert.equal(usageError(['push', '--service', 's', `--timeout=${value}`]), `push: --timeout must be decimal seconds such as 10 or 2.5, from 0.1 to 300, got ${JSON.stringify(value)}`, value);
    }
    assert.equal(usageError(['push', '--service', 's', '--timeout', '-1']), 'push: option \'--timeout\' argument is ambiguous (a value starting with "-" goes as --timeout=VALUE)');
    assert.match(usageError(['push', '--service', 's', '--job', '']), /--job must not be empty/);
    assert.match(usageError(['push', '--service', 's', '--heartbeat-metric', 'not-a-name']), /--heartbeat-metric must be a metric name other than the start, failure and duration signals, got "not-a-name"/);
    assert.match(usageError(['push', '--service', 's', '--heartbeat-metric', 'loop_start_timestamp_seconds']), /--heartbeat-metric must be a metric name other than/);
    assert.equal(usageError(['push', '--service', 's', '--frobnicate']), "push: unknown option '--frobnicate'");
    assert.equal(usageError(['push', '--service']), "push: option '--service <value>' argument missing");
  });

  it('never echoes a URL that may hold credentials', () => {
    const message = usageError(['push', '--service', 's', '--pushgateway', 'user:secret@pg:9091']);
    assert.ok(!message.includes('secret'), message);
  });
});

describe('parseCli › check-config, probe, help, version', () => {
  it('reads check-config FILE...', () => {
    assert.deepEqual(parseCli(['check-config', 'config.yml'], {}), { kind: 'check-config', files: ['config.yml'] });
    assert.deepEqual(parseCli(['check-config', 'a.yml', 'b.yml'], {}), { kind: 'check-config', files: ['a.yml', 'b.yml'] });
    assert.match(usageError(['check-config']), /name the config file/);
    assert.equal(usageError(['check-config', 'a.yml', '']), 'check-config: a FILE must not be empty');
  });

  it('reads probe --target [--config]', () => {
    assert.deepEqual(parseCli(['probe', '--target', 'service1'], {}), { kind: 'probe', target: 'service1', configFile: undefined });
    assert.deepEqual(parseCli(['probe', '--target', 'service1', '--config', 'c.yml'], {}), { kind: 'probe', target: 'service1', configFile: 'c.yml' });
    assert.match(usageError(['probe']), /--target NAME is required/);
    assert.match(usageError(['probe', '--target', 's', 'extra']), /^probe: unexpected argument 'extra'/);
  });

  it('answers help and version in their usual spellings', () => {
    for (const argv of [['help'], ['--help'], ['-h'], ['push', '--help'], ['probe', '-h'], ['check-config', '--help']]) {
      assert.deepEqual(parseCli(argv, {}), { kind: 'help' }, argv.join(' '));
    }
    for (const argv of [['--version'], ['-V'], ['version']]) assert.deepEqual(parseCli(argv, {}), { kind: 'version' });
  });

  it('rejects a missing or unknown command in one line', () => {
    assert.equal(usageError([]), 'missing command');
    assert.equal(usageError(['pusj']), 'unknown command "pusj" (commands: push, check-config, probe, reap, help)');
    assert.equal(usageError(['--verbose']), 'unknown option "--verbose"');
  });
});
