// The suite's port picker (test/support/processes.ts): ports for child processes come from outside
// the kernel's ephemeral range, each reserved across test processes until its process exits, so that
// neither another test file nor any connect() or listen(0) can take one before its child binds it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, PORT_RESERVATIONS, PROJECT_ROOT, reservePort, testPortRange } from '../support/processes.ts';

const runNode = promisify(execFile);
const reservation = (port: number): string => join(PORT_RESERVATIONS, String(port));

/** A port in the test range no process has reserved (or has a stale file for). */
function unreservedPort(): number {
  const { low, high } = testPortRange();
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (!existsSync(reservation(port))) return port;
  }
}

describe('freePort', () => {
  it('takes its ports from outside the kernel\'s ephemeral range', () => {
    const [ephemeralLow = NaN, ephemeralHigh = NaN] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const { low, high } = testPortRange();
    assert.ok(low >= 1024 && low < high && high <= 65_536, `${low}-${high}`);
    assert.ok(high <= ephemeralLow || low > ephemeralHigh, `[${low}, ${high}) overlaps the ephemeral range ${ephemeralLow}-${ephemeralHigh}`);
  });

  it('hands out distinct ports in that range, each reserved by a lock file and bindable', async () => {
    const { low, high } = testPortRange();
    const ports = await Promise.all(Array.from({ length: 40 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length, `a port handed out twice: ${ports.join(', ')}`);
    for (const port of ports) {
      assert.ok(port >= low && port < high, `${port} is outside [${low}, ${high})`);
      assert.ok(existsSync(reservation(port)), `${port} has no reservation`);
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never reserves a port twice, nor one another process holds, but takes over a reservation over an hour old', () => {
    const mine = unreservedPort();
    assert.equal(reservePort(mine), true);
    assert.equal(reservePort(mine), false, 'reserved twice by the same process');

    const held = unreservedPort();
    writeFileSync(reservation(held), '');
    try {
      assert.equal(reservePort(held), false, 'a port another process holds was reserved');
    } finally {
      rmSync(reservation(held), { force: true });
    }

    const stale = unreservedPort();
    writeFileSync(reservation(stale), '');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(reservation(stale), twoHoursAgo, twoHoursAgo);
    assert.equal(reservePort(stale), true, 'a stale reservation was not taken over');
  });

  it('releases a process\'s reservations when it exits', async () => {
    const script = "import { freePort } from './test/support/processes.ts'; console.log(await freePort());";
    const { stdout } = await runNode(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
    const port = Number(stdout.trim());
    const { low, high } = testPortRange();
    assert.ok(Number.isInteger(port) && port >= low && port < high, stdout);
    assert.equal(existsSync(reservation(port)), false, `the reservation of ${port} outlived its process`);
  });
});
