// `npm run serve` says at start, in one plain line on stderr, what will stop it from probing: a
// config that does not load (it keeps answering 503 until the file is fixed) or a Pushgateway it
// cannot read. With both fine, stderr holds JSON log lines only.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bareEnv } from '../support/doc-commands.ts';
import {
  freePort, getText, PROJECT_ROOT, pushHeartbeat, sampleValue, startProcess, startPushgateway, tempDir, type RunningProcess, type TempDir,
} from '../support/processes.ts';
import { eventually as retry } from '../support/eventually.ts';

/** The server bundle `npm run serve` runs after its build (built once by `npm test`). */
async function startServer(env: NodeJS.ProcessEnv): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'server', 'server.mjs')], {
    readyUrl: `${url}/-/healthy`, url, port, env: bareEnv({ PORT: String(port), HOST: '127.0.0.1', ...env }),
  });
}

/** The lines of the output that are not JSON log lines. */
const plainLines = (output: string): string[] => output.split('\n').filter((line) => line !== '' && !line.startsWith('{'));

/** Output lines arrive within milliseconds: poll often. */
const eventually = (timeoutMs: number, check: () => Promise<void> | void): Promise<void> => retry(timeoutMs, check, 100);

describe('npm run serve at start', () => {
  let pushgateway: RunningProcess;
  let dir: TempDir;
  const servers: RunningProcess[] = [];

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await pushgateway?.stop();
    await dir?.remove();
  });

  it('prints an invalid config in one line, answers 503 until the file is fixed, then probes', async () => {
    const config = await dir.file('typo.yml', `pushgateway_url: "${pushgateway.url}"\nscrape_intervall_seconds: 3\nservices:\n  - name: service1\n    freshness_threshold_seconds: 30\n`);
    const server = await startServer({ CONFIG_FILE: config });
    servers.push(server);
    await eventually(10_000, () => assert.deepEqual(plainLines(server.output()), [
      `invalid config in ${config}: scrape_intervall_seconds: unknown key; did you mean scrape_interval_seconds? — probes answer HTTP 503 until the config is fixed (re-read every 5 s)`,
    ]));
    assert.equal((await getText(`${server.url}/probe?target=service1`)).status, 503);
    assert.equal((await getText(`${server.url}/-/healthy`)).status, 200);

    await writeFile(config, `pushgateway_url: "${pushgateway.url}"\nscrape_interval_seconds: 3\nservices:\n  - name: service1\n    freshness_threshold_seconds: 30\n`);
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    await eventually(15_000, async () => {
      const probe = await getText(`${server.url}/probe?target=service1`);
      assert.equal(probe.status, 200, probe.body);
      assert.equal(sampleValue(probe.body, 'probe_success'), 1, probe.body);
    });
  });

  it('prints a missing config file in one line, naming CONFIG_FILE', async () => {
    const server = await startServer({ CONFIG_FILE: join(dir.path, 'absent.yml') });
    servers.push(server);
    await eventually(10_000, () => assert.deepEqual(plainLines(server.output()), [
      `cannot read config file ${join(dir.path, 'absent.yml')}: no such file (set CONFIG_FILE to the config path) — probes answer HTTP 503 until the config is fixed (re-read every 5 s)`,
    ]));
  });

  it('with the shipped config.yml outside Docker, warns that the name pushgateway needs PUSHGATEWAY_URL', async () => {
    const server = await startServer({});
    servers.push(server);
    await eventually(15_000, () => {
      const [line, ...more] = plainLines(server.output());
      assert.deepEqual(more, []);
      assert.match(line ?? '', /^warning: Pushgateway at http:\/\/pushgateway:9091 is unreachable: .*pushgateway.* — probes answer probe_success 0 until it can be read$/);
      // Where the resolver answers at all (ENOTFOUND or EAI_AGAIN), the line says what to set.
      if (/ENOTFOUND|EAI_AGAIN/.test(line ?? '')) assert.match(line ?? '', /\(the name pushgateway resolves only inside the Docker compose network; elsewhere set PUSHGATEWAY_URL, e.g\. PUSHGATEWAY_URL=http:\/\/127\.0\.0\.1:9091 for the local stack\)/);
    });
  });

  it('logs ready, and prints nothing else, when the config loads and the Pushgateway answers', async () => {
    const config = await dir.file('good.yml', `pushgateway_url: "${pushgateway.url}"\nservices:\n  - name: service1\n`);
    const server = await startServer({ CONFIG_FILE: config });
    servers.push(server);
    await eventually(10_000, () => assert.match(server.output(), /"msg":"ready","services":1,"pushgateway_url":"http:\/\/127\.0\.0\.1:\d+"/));
    assert.deepEqual(plainLines(server.output()), []);
  });
});
