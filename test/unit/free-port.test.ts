// The suite's port picker (test/support/processes.ts): ports for child processes come from below the
// kernel's ephemeral range, each reserved across test processes until its process exits, so that
// neither another test file nor any connect() or listen(0) can take one before its child binds it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, PORT_RESERVATIONS, PROJECT_ROOT } from '../support/processes.ts';

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort', () => {
  it('hands out distinct ports below the ephemeral range, each reserved by a lock file and bindable', async () => {
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length, `a port handed out twice: ${ports.join(', ')}`);
    for (const port of ports) {
      assert.ok(port >= 10_000 && port < Math.max(ephemeralLow, 12_000), `${port} is outside [10000, ${ephemeralLow})`);
      assert.ok(existsSync(join(PORT_RESERVATIONS, String(port))), `${port} has no reservation`);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('releases a process\'s reservations when it exits', async () => {
    const script = "import { freePort } from './test/support/processes.ts'; console.log(await freePort());";
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
    const port = Number(stdout.trim());
    assert.ok(Number.isInteger(port) && port >= 10_000, stdout);
    assert.equal(existsSync(join(PORT_RESERVATIONS, String(port))), false, `the reservation of ${port} outlived its process`);
  });
});
