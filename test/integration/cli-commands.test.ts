import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { PROJECT_ROOT, pushHeartbeat } from '../support/processes.ts';
import { assertNoStack, cliOnPushgateway, CLI, runCli } from '../support/cli-run.ts';

describe('pushgateway-exporter CLI (the built bundle): check-config, probe and usage', () => {
  const cli = cliOnPushgateway();

  describe('check-config', () => {
    it('prints FILE: OK (N services) for a valid config', async () => {
      const file = await cli.dir.file('good.yml', 'pushgateway_url: "http://pushgateway:9091"\nservices:\n  - name: a\n  - name: b\n');
      const run = await runCli(['check-config', file]);
      assert.deepEqual(run, { code: 0, stdout: `${file}: OK (2 services)\n`, stderr: '' });
    });

    it('honours PUSHGATEWAY_URL as the exporter does', async () => {
      const file = await cli.dir.file('no-url.yml', 'services:\n  - name: a\n');
      assert.equal((await runCli(['check-config', file])).code, 1);
      const run = await runCli(['check-config', file], { PUSHGATEWAY_URL: 'http://pushgateway:9091' });
      assert.deepEqual(run, { code: 0, stdout: `${file}: OK (1 service)\n`, stderr: '' });
    });

    it('lists every problem by path, one per line, and exits 1', async () => {
      const file = await cli.dir.file('broken.yml', 'pushgateway_url: "http://pushgateway:9091"\nservices:\n  - name: a\n    freshness_threshold_seconds: abc\n  - name: a\n');
      const run = await runCli(['check-config', 'broken.yml'], {}, cli.dir.path);
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      const lines = run.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, run.stderr);
      assert.match(lines[0] ?? '', /^broken\.yml: services\[0\]\.freshness_threshold_seconds: must be a positive number, got "abc"$/);
      assert.match(lines[1] ?? '', /^broken\.yml: services\[1\]\.name: duplicate service name "a"/);
    });

    it('says in one line that a file cannot be read', async () => {
      const run = await runCli(['check-config', join(cli.dir.path, 'missing.yml')]);
      assert.deepEqual(run, { code: 1, stdout: '', stderr: `${join(cli.dir.path, 'missing.yml')}: cannot read: no such file\n` });
    });

    it('refuses a named pipe at once, and quotes a file name that holds a line break', async () => {
      const fifo = join(cli.dir.path, 'pipe.yml');
      execFileSync('mkfifo', [fifo]);
      assert.deepEqual(await runCli(['check-config', fifo]), { code: 1, stdout: '', stderr: `${fifo}: cannot read: is a named pipe (FIFO), not a file\n` });
      const odd = 'evil\nok.yml: OK (9 services)\nx.yml';
      await cli.dir.file(odd, 'pushgateway_url: "http://pushgateway:9091"\nservices: []\n');
      const run = await runCli(['check-config', odd], {}, cli.dir.path);
      assert.deepEqual(run, { code: 0, stdout: `${JSON.stringify(odd)}: OK (0 services)\n`, stderr: '' });
    });
  });

  describe('probe', () => {
    let config: string;
    before(async () => {
      config = await cli.dir.file('probe.yml', `pushgateway_url: "${cli.pushgateway.url}"
services:
  - name: fresh-service
    freshness_threshold_seconds: 300
  - name: stale-service
    freshness_threshold_seconds: 5
  - name: never-pushed
`);
    });

    it('exits 0 with probe_success 1 after a fresh heartbeat', async () => {
      assert.equal((await runCli(['push', '--service', 'fresh-service'], cli.env)).code, 0);
      const run = await runCli(['probe', '--target', 'fresh-service', '--config', config]);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.match(run.stdout, /^probe_success 1$/m);
      assert.match(run.stdout, /^probe_heartbeat_found 1$/m);
      assert.equal(run.stderr, '', 'no log lines unless LOG_LEVEL is set');
    });

    it('exits 1 with probe_success 0 for a stale or missing heartbeat', async () => {
      await pushHeartbeat(cli.pushgateway.url, 'stale-service', Date.now() / 1000 - 3600);
      const stale = await runCli(['probe', '--target', 'stale-service'], { CONFIG_FILE: config });
      assert.equal(stale.code, 1, stale.stdout + stale.stderr);
      assert.match(stale.stdout, /^probe_success 0$/m);
      assert.match(stale.stdout, /^probe_heartbeat_found 1$/m);
      const missing = await runCli(['probe', '--target', 'never-pushed', '--config', config]);
      assert.equal(missing.code, 1);
      assert.match(missing.stdout, /^probe_success 0$/m);
      assert.match(missing.stdout, /^probe_heartbeat_found 0$/m);
    });

    it('exits 2 with the one-line reason when there is no probe answer', async () => {
      const unknown = await runCli(['probe', '--target', 'not-configured', '--config', config]);
      assert.equal(unknown.code, 2);
      assert.equal(unknown.stdout, '');
      assert.match(unknown.stderr, /^pushgateway-exporter: no probe answer \(HTTP 404\): unknown target "not-configured".*\n$/);
      const noConfig = await runCli(['probe', '--target', 'x', '--config', join(cli.dir.path, 'missing.yml')]);
      assert.equal(noConfig.code, 2);
      assert.match(noConfig.stderr, /^pushgateway-exporter: no probe answer \(HTTP 503\): no config loaded: .*missing\.yml.*\n$/);
      assertNoStack(noConfig.stderr);
    });

    it('answers even when the exporter guards its routes with a token', async () => {
      const run = await runCli(['probe', '--target', 'fresh-service', '--config', config], { AUTH_TOKEN: 'only-for-http-callers' });
      assert.equal(run.code, 0, run.stderr);
    });
  });

  describe('usage', () => {
    it('rejects bad arguments with exit 2, one error line, then the usage, and no stack', async () => {
      for (const args of [[], ['frobnicate'], ['push', '--service', 'x', '--bogus'], ['push', '--service'], ['probe'], ['check-config']]) {
        const run = await runCli(args, cli.env);
        assert.equal(run.code, 2, args.join(' '));
        assert.equal(run.stdout, '');
        const [first, second, third] = run.stderr.split('\n');
        assert.match(first ?? '', /^pushgateway-exporter: \S/);
        assert.equal(second, '');
        assert.match(third ?? '', /^Usage: pushgateway-exporter <command>/);
        assertNoStack(run.stderr);
      }
    });

    it('prints the usage for --help and the version for --version, exit 0', async () => {
      const help = await runCli(['--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: pushgateway-exporter <command>/);
      assert.match(help.stdout, /push --service NAME/);
      const { version } = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.deepEqual(await runCli(['--version']), { code: 0, stdout: `pushgateway-exporter ${version}\n`, stderr: '' });
    });

    it('is the package bin: an executable file with a node shebang', async () => {
      const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      assert.equal(join(PROJECT_ROOT, pkg.bin['pushgateway-exporter'] ?? ''), CLI);
      await access(CLI, constants.X_OK);
      assert.match(await readFile(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    });
  });
});
