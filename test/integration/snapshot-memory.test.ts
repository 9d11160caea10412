import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { CONFIG_DEFAULTS } from '../../lib/core/config/config-types.ts';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';
import { hostileBody } from '../support/hostile-bodies.ts';

const LAMBDA_MEMORY_MIB = 128;

/**
 * A body of exactly `bytes` in the worst shape for memory — the most index per byte: tiny lines,
 * each its own group — with service1's heartbeat as its very last line, so the probe needs all of it.
 */
function worstBody(bytes: number, heartbeatSeconds: number): Buffer {
  const heartbeat = `loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat"} ${heartbeatSeconds}\n`;
  const room = bytes - heartbeat.length;
  const filler = hostileBody('tiny-groups', room);
  const lines = filler.slice(0, filler.lastIndexOf('\n', room - 1) + 1);
  // A comment pads the body to the exact size.
  const padding = room - lines.length;
  const pad = padding === 0 ? '' : padding === 1 ? '\n' : `#${' '.repeat(padding - 2)}\n`;
  return Buffer.from(lines + pad + heartbeat);
}

/**
 * A body of at most `bytes` in the worst shape for what a probe materializes: one group, service1's
 * own, of lines with 100 labels each (the attack's "widegroup"), its heartbeat first.
 */
function wideGroupBody(bytes: number, heartbeatSeconds: number): Buffer {
  const heartbeat = `loop_heartbeat_timestamp_seconds{instance="service1",job="heartbeat"} ${heartbeatSeconds}\n`;
  const labels = Array.from({ length: 100 }, (_, k) => `l${k}="v",`).join('');
  const parts = [heartbeat];
  let size = heartbeat.length;
  for (let i = 0; ; i++) {
    const line = `m{${labels}instance="service1",job="heartbeat",k="${i}"} 1\n`;
    if (size + line.length > bytes) break;
    parts.push(line);
    size += line.length;
  }
  return Buffer.from(parts.join(''));
}

interface ProbeLine {
  readonly round: number;
  readonly target: string;
  readonly status: number;
  readonly success: number;
  readonly up: number;
  readonly found: number;
  readonly hwmMiB: number;
}

const SHAPES = [
  ['tiny groups', worstBody],
  ['one group of 100-label lines, the probed one', wideGroupBody],
] as const;

for (const [shape, bodyOf] of SHAPES) describe(`the Lambda handler in ${LAMBDA_MEMORY_MIB} MB with a body at the default max_body_bytes: ${shape}`, () => {
  let server: Server;
  let dir: TempDir;
  let served = 0;
  const body = bodyOf(CONFIG_DEFAULTS.maxBodyBytes, Math.floor(Date.now() / 1000));

  before(async () => {
    // A fixed body from node:http: a real Pushgateway would take minutes to ingest a million groups.
    server = createServer((_request, response) => {
      served += 1;
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dir = await tempDir();
  });
  after(async () => {
    server.close();
    await dir.remove();
  });

  it('answers every probe correctly through three refreshes, and its peak resident memory stays under 128 MB', async (t) => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    // max_body_bytes is left to its default; scrape_interval_seconds makes each round a new read.
    const config = await dir.file('config.yml', [
      `pushgateway_url: "http://127.0.0.1:${port}"`,
      'scrape_interval_seconds: 0.2',
      'timeout_seconds: 30',
      'services:',
      '  - name: service1',
      '    freshness_threshold_seconds: 86400',
      '  - name: service2',
      '',
    ].join('\n'));
    // Rejects, with the handler process's stderr, when it exits non-zero.
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [`--max-old-space-size=${LAMBDA_MEMORY_MIB}`, join(PROJECT_ROOT, 'test', 'support', 'lambda-memory-child.mjs')], {
      env: { ...process.env, CONFIG_FILE: config, LOG_LEVEL: 'error', ROUNDS: '4', PAUSE_MS: '400', TARGETS: 'service1,service2' },
    });

    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as ProbeLine & { done?: boolean });
    const probes = lines.filter((line) => line.done !== true);
    assert.equal(probes.length, 8);
    for (const probe of probes) {
      assert.equal(probe.status, 200, JSON.stringify(probe));
      assert.equal(probe.up, 1, `the read of the ${body.length}-byte body failed: ${JSON.stringify(probe)}\n${stderr.slice(-2000)}`);
      assert.deepEqual([probe.success, probe.found], probe.target === 'service1' ? [1, 1] : [0, 0], JSON.stringify(probe));
    }
    assert.ok(served >= 4, `${served} reads: the first and at least three refreshes`);
    const peak = lines.at(-1)?.hwmMiB ?? Number.POSITIVE_INFINITY;
    t.diagnostic(`peak resident memory ${peak.toFixed(1)} MiB, ${served} reads of ${body.length} bytes`);
    assert.ok(peak <= LAMBDA_MEMORY_MIB, `peak resident memory ${peak.toFixed(1)} MiB with a ${(body.length / 1048576).toFixed(1)} MiB body`);
  });
});
