import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { freePort, PROJECT_ROOT, pushHeartbeat } from '../support/processes.ts';
import { eventually } from '../support/eventually.ts';
import { pushedGroup, valueOf, type PushedGroup } from '../support/pushgateway-groups.ts';
import { assertNoStack, cliOnPushgateway, runCli, startCli } from '../support/cli-run.ts';

describe('pushgateway-exporter CLI (the built bundle) against a real Pushgateway', () => {
  const cli = cliOnPushgateway();
  const group = (service: string): Promise<PushedGroup | undefined> => pushedGroup(cli.pushgateway.url, { job: 'heartbeat', instance: service });

  describe('push', () => {
    it('exits 1 with one line naming the fix when the name is held untyped elsewhere (an older CLI, a bare curl line)', async () => {
      const untyped = `${cli.pushgateway.url}/metrics/job/heartbeat/instance/pushed-untyped`;
      assert.equal((await fetch(untyped, { method: 'PUT', body: `${SUCCESS_METRIC}{service="pushed-untyped"} 1\n` })).status, 200);
      try {
        const run = await runCli(['push', '--service', 'typed'], cli.env);
        assert.equal(run.code, 1);
        assert.equal(run.stderr, `pushgateway-exporter: push failed: Pushgateway at ${cli.pushgateway.url} answered HTTP 400 to POST /metrics/job/heartbeat/instance/typed: type conflict: another group holds ${SUCCESS_METRIC} as untyped, this push sends it as gauge; fix: send "# TYPE ${SUCCESS_METRIC} gauge" from every pusher (a body with no # TYPE line, as older pushgateway-exporter versions and bare curl lines send, is untyped), then delete the groups still holding it as untyped (docs/pushing.md)\n`);
      } finally {
        // The other tests push these names as gauges: the untyped group must go.
        assert.equal((await fetch(untyped, { method: 'DELETE' })).status, 202);
      }
    });

    it('pushes beside heartbeats pushed as docs/pushing.md says (# TYPE gauge), as client libraries do', async () => {
      await pushHeartbeat(cli.pushgateway.url, 'by-curl', Date.now() / 1000);
      const run = await runCli(['push', '--service', 'beside-curl', '--', 'true'], cli.env);
      assert.deepEqual(run, { code: 0, stdout: '', stderr: '' });
      await pushHeartbeat(cli.pushgateway.url, 'by-curl', Date.now() / 1000);
    });

    it('pushes a success, a start and a failure by hand, silently, each keeping the others', async () => {
      const before = Date.now() / 1000;
      for (const flag of [[], ['--start'], ['--fail']]) {
        const run = await runCli(['push', '--service', 'by-hand', ...flag], cli.env);
        assert.deepEqual(run, { code: 0, stdout: '', stderr: '' }, flag.join(' '));
      }
      const pushed = await group('by-hand');
      for (const metric of [SUCCESS_METRIC, START_METRIC, FAILURE_METRIC]) {
        const value = valueOf(pushed, metric) ?? 0;
        assert.ok(value >= Math.floor(before) && value <= Date.now() / 1000 + 1, `${metric} = ${value}`);
        assert.deepEqual(pushed?.families.get(metric)?.samples[0]?.labels, { job: 'heartbeat', instance: 'by-hand', service: 'by-hand' });
      }
      assert.equal(valueOf(pushed, RUN_DURATION_METRIC), undefined, 'no duration without a timed run');
    });

    it('honours --pushgateway, --job, --instance and --label in the grouping key', async () => {
      const run = await runCli(['push', '--service', 'labelled', '--pushgateway', cli.pushgateway.url, '--job', 'cron', '--instance', 'host/1', '--label', 'env=prod', '--label', 'note='], {});
      assert.equal(run.code, 0, run.stderr);
      const pushed = await pushedGroup(cli.pushgateway.url, { job: 'cron', instance: 'host/1', env: 'prod', note: '' });
      assert.equal(pushed?.families.get(SUCCESS_METRIC)?.samples[0]?.labels.service, 'labelled');
    });

    it('wraps a failing command: start, then failure with its duration; exits with its code', async () => {
      const run = await runCli(['push', '--service', 'wrapped-fail', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3'], cli.env);
      assert.equal(run.code, 3);
      assert.equal(run.stdout, 'out\n');
      assert.equal(run.stderr, 'err\n');
      const pushed = await group('wrapped-fail');
      const start = valueOf(pushed, START_METRIC) ?? Number.NaN;
      const failure = valueOf(pushed, FAILURE_METRIC) ?? Number.NaN;
      const duration = valueOf(pushed, RUN_DURATION_METRIC) ?? Number.NaN;
      assert.ok(start <= failure, `start ${start} ≤ failure ${failure}`);
      assert.ok(duration >= 0 && duration <= failure - start + 0.01, `duration ${duration}`);
      assert.equal(valueOf(pushed, SUCCESS_METRIC), undefined, 'a failed run is no heartbeat');
    });

    it('wraps a succeeding command: success and duration pushed; an earlier failure and the start stay (POST)', async () => {
      assert.equal((await runCli(['push', '--service', 'wrapped-ok', '--fail'], cli.env)).code, 0);
      const failedAt = valueOf(await group('wrapped-ok'), FAILURE_METRIC);
      const run = await runCli(['push', '--service', 'wrapped-ok', '--', 'sh', '-c', 'echo "args: $*"', 'sh', 'a b', '--fail'], cli.env);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, 'args: a b --fail\n');
      const pushed = await group('wrapped-ok');
      const start = valueOf(pushed, START_METRIC) ?? Number.NaN;
      const heartbeat = valueOf(pushed, SUCCESS_METRIC) ?? Number.NaN;
      assert.ok(start <= heartbeat, `start ${start} ≤ heartbeat ${heartbeat}`);
      assert.ok((valueOf(pushed, RUN_DURATION_METRIC) ?? -1) >= 0);
      assert.equal(valueOf(pushed, FAILURE_METRIC), failedAt, 'the earlier failure is still in the group');
    });

    it("pushes a wrapped command's success under --heartbeat-metric, for a service with its own heartbeat_metric", async () => {
      const run = await runCli(['push', '--service', 'custom-metric', '--heartbeat-metric', 'backup_last_success_seconds', '--', 'true'], cli.env);
      assert.equal(run.code, 0, run.stderr);
      const pushed = await group('custom-metric');
      assert.ok((valueOf(pushed, 'backup_last_success_seconds') ?? 0) > Date.now() / 1000 - 60);
      assert.equal(valueOf(pushed, SUCCESS_METRIC), undefined);
      assert.ok(valueOf(pushed, START_METRIC) !== undefined);
    });

    it('exits 127 for a command that does not exist, and pushes a failure', async () => {
      const run = await runCli(['push', '--service', 'not-found', '--', 'no-such-command-pgx'], cli.env);
      assert.equal(run.code, 127);
      assert.equal(run.stderr, 'pushgateway-exporter: cannot run "no-such-command-pgx": command not found\n');
      assert.ok(valueOf(await group('not-found'), FAILURE_METRIC) !== undefined);
    });

    it('passes SIGTERM on to the command, pushes the failure, and exits 128 + 15', async () => {
      const { child, done } = startCli(['push', '--service', 'terminated', '--', 'sleep', '60'], cli.env);
      // The start push lands while the command runs: once it is there, the command is running.
      await eventually(10_000, async () => assert.notEqual(valueOf(await group('terminated'), START_METRIC), undefined, 'no start push within 10 s'), 50);
      child.kill('SIGTERM');
      const run = await done;
      assert.equal(run.code, 143, run.stderr);
      assert.ok(valueOf(await group('terminated'), FAILURE_METRIC) !== undefined);
    });

    it('lets a Ctrl-C sent to the process group reach the command once, then pushes its outcome', async () => {
      // The command counts the SIGINTs it gets, then exits 3: forwarding them too would make it 2.
      const script = 'n=0; trap \'n=$((n+1))\' INT; echo ready; while [ $n -lt 1 ]; do sleep 0.05; done; sleep 0.5; echo "got $n"; exit 3';
      const { child, done } = startCli(['push', '--service', 'interrupted', '--', 'sh', '-c', script], cli.env, PROJECT_ROOT, true);
      // "ready" is printed once the trap is set: from then on the command counts a SIGINT.
      const ready = new Promise<void>((resolve, reject) => {
        let seen = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('ready\n')) resolve();
        });
        child.once('close', () => reject(new Error('the command ended before it was ready')));
      });
      await eventually(10_000, async () => assert.notEqual(valueOf(await group('interrupted'), START_METRIC), undefined, 'no start push within 10 s'), 50);
      await ready;
      process.kill(-(child.pid ?? 0), 'SIGINT');
      const run = await done;
      assert.equal(run.stdout, 'ready\ngot 1\n', run.stderr);
      assert.equal(run.code, 3);
      assert.ok(valueOf(await group('interrupted'), FAILURE_METRIC) !== undefined, 'the wrapper outlived the Ctrl-C and pushed the failure');
    });

    it('reports a command killed by a signal as 128 + its number', async () => {
      const run = await runCli(['push', '--service', 'killed', '--', 'sh', '-c', 'kill -KILL $$'], cli.env);
      assert.equal(run.code, 137);
    });

    it('still runs a wrapped command and keeps its exit code when the Pushgateway is down, with one warning line per failed push', async () => {
      const down = `http://127.0.0.1:${await freePort()}`;
      const run = await runCli(['push', '--service', 'offline', '--timeout', '2', '--', 'sh', '-c', 'echo ran; exit 5'], { PUSHGATEWAY_URL: down });
      assert.equal(run.code, 5);
      assert.equal(run.stdout, 'ran\n');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, run.stderr);
      assert.match(lines[0] ?? '', new RegExp(`^pushgateway-exporter: warning: could not push the start of "offline": cannot push to Pushgateway at ${down}: .*ECONNREFUSED`));
      assert.match(lines[1] ?? '', /^pushgateway-exporter: warning: could not push the failure of "offline": /);
      assertNoStack(run.stderr);
    });

    it('exits 1 with one line when a standalone push fails, never showing the password', async () => {
      const down = `http://ops:hunter2@127.0.0.1:${await freePort()}`;
      const run = await runCli(['push', '--service', 'offline'], { PUSHGATEWAY_URL: down });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^pushgateway-exporter: push failed: cannot push to Pushgateway at http:\/\/redacted@127\.0\.0\.1:\d+: .*ECONNREFUSED.*\n$/);
      assert.ok(!run.stderr.includes('hunter2'));
      assertNoStack(run.stderr);
    });
  });

});
