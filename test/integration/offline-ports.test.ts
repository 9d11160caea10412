// `npm start` (serverless-offline) with one of its ports taken names the variable that chose it,
// in one line, before building; `serverless offline start` itself stops with the same line.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bareEnv, runCommand } from '../support/doc-commands.ts';
import { freePort, PROJECT_ROOT } from '../support/processes.ts';

/** A command with only the variables it is given (beside PATH and the like), as a user's shell would run it. */
const run = (command: string, args: readonly string[], env: NodeJS.ProcessEnv) => runCommand(command, args, bareEnv(env), 90_000);

/** Holds a loopback port, as a second `npm start` or `npm run local` would. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const port = await freePort();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, server };
}

describe('npm start with a port already taken', () => {
  let held: { port: number; server: Server };

  before(async () => {
    held = await holdPort();
  });
  after(() => held?.server.close());

  it('names OFFLINE_LAMBDA_PORT in one line, before building, when the Lambda port is taken', async () => {
    const result = await run('npm', ['start', '--silent'], { PORT: String(await freePort()), OFFLINE_LAMBDA_PORT: String(held.port) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^cannot start serverless-offline: port ${held.port} on 127\\.0\\.0\\.1 \\(OFFLINE_LAMBDA_PORT, its internal Lambda port\\) is already in use; set OFFLINE_LAMBDA_PORT to a free port(, e\\.g\\. OFFLINE_LAMBDA_PORT=\\d+ npm start)?\\n$`));
    assert.equal(result.stdout, '', 'nothing built, nothing started');
  });

  it('names PORT in one line when the HTTP port is taken', async () => {
    const result = await run('npm', ['start', '--silent'], { PORT: String(held.port), OFFLINE_LAMBDA_PORT: String(await freePort()) });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^cannot start serverless-offline: port ${held.port} on 127\\.0\\.0\\.1 \\(PORT, its HTTP port\\) is already in use; set PORT to a free port.*\\n$`));
  });

  it('names both variables when they hold the same port, and PORT when it is no port number', async () => {
    const port = String(await freePort());
    const same = await run('npm', ['start', '--silent'], { PORT: port, OFFLINE_LAMBDA_PORT: port });
    assert.deepEqual([same.code, same.stderr], [1, `cannot start serverless-offline: OFFLINE_LAMBDA_PORT and PORT are both ${port}; give OFFLINE_LAMBDA_PORT another port\n`]);
    const word = await run('npm', ['start', '--silent'], { PORT: 'http', OFFLINE_LAMBDA_PORT: String(await freePort()) });
    assert.deepEqual([word.code, word.stderr], [1, 'cannot start serverless-offline: PORT must be a port number (0-65535), got "http"\n']);
  });

  it('stops `serverless offline start` itself with the same line (the plugin in serverless.yml)', async () => {
    const serverless = join(PROJECT_ROOT, 'node_modules', '.bin', 'serverless');
    const result = await run(serverless, ['offline', 'start', '--stage', 'local'], { PORT: String(await freePort()), OFFLINE_LAMBDA_PORT: String(held.port) });
    assert.notEqual(result.code, 0);
    assert.match(`${result.stdout}${result.stderr}`, new RegExp(`^cannot start serverless-offline: port ${held.port} on 127\\.0\\.0\\.1 \\(OFFLINE_LAMBDA_PORT, its internal Lambda port\\) is already in use`, 'm'));
    assert.doesNotMatch(`${result.stdout}${result.stderr}`, /Offline \[http for lambda\] listening|EADDRINUSE/, 'stopped before serverless-offline listened');
  });

  it("checks the ports serverless.yml gives serverless-offline, with serverless.yml's defaults", async () => {
    const yml = await readFile(join(PROJECT_ROOT, 'serverless.yml'), 'utf8');
    const script = createRequire(import.meta.url)(join(PROJECT_ROOT, 'scripts', 'serverless-offline-ports.cjs')) as {
      OFFLINE_PORTS: { variable: string; option: string; fallback: number }[]; DEFAULT_HOST: string;
    };
    for (const { variable, option, fallback } of script.OFFLINE_PORTS) {
      assert.match(yml, new RegExp(`^ {4}${option}: \\$\\{env:${variable}, ${fallback}\\}$`, 'm'));
    }
    assert.match(yml, new RegExp(`^ {4}host: \\$\\{env:HOST, '${script.DEFAULT_HOST.replaceAll('.', '\\.')}'\\}$`, 'm'));
    assert.match(yml, /^ {2}- \.\/scripts\/serverless-offline-ports\.cjs$/m);
  });
});
