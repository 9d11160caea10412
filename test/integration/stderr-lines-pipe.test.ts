import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { transform } from 'esbuild';
import { PROJECT_ROOT, tempDir, type TempDir } from '../support/processes.ts';

const LINES = 4_000;

/**
 * A child that writes LINES log lines of about 220 bytes (880 KB, more than a pipe holds) with
 * production's stderrLines() while this process does not read its stderr, then reports on stdout
 * whether process.stderr was made after the writer loaded and how many chunks went through it.
 * `nonBlocking`: the child makes process.stderr first, which leaves fd 2 non-blocking (libuv's
 * pipe), so a full pipe answers EAGAIN.
 */
const child = (writerUrl: string, nonBlocking: boolean) => `
const { writeSync } = process.getBuiltinModule('node:fs');
const made = Object.getOwnPropertyDescriptor(process, 'stderr');
let touched = false;
let streamed = 0;
const counted = (stream) => { const write = stream.write.bind(stream); stream.write = (chunk) => { streamed += 1; return write(chunk); }; return stream; };
let stream;
Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get() { touched = true; return (stream ??= counted(made.get.call(process))); } });
if (${nonBlocking}) process.stderr;
touched = false;
const { stderrLines } = await import(${JSON.stringify(writerUrl)});
const writeLine = stderrLines();
writeSync(1, 'writing\\n');
for (let i = 0; i < ${LINES}; i++) writeLine(JSON.stringify({ i, pad: 'x'.repeat(200) }));
writeSync(1, JSON.stringify({ touched, streamed }) + '\\n');
`;

/** Runs the child, reading its stderr only 300 ms after it starts writing; its report and the lines it wrote. */
async function runChild(writerUrl: string, nonBlocking: boolean): Promise<{ report: { touched: boolean; streamed: number }; lines: string[]; code: number | null }> {
  const process_ = spawn(process.execPath, ['--input-type=module', '-e', child(writerUrl, nonBlocking)], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const stderr: Buffer[] = [];
  process_.stderr.pause();
  process_.stdout.on('data', (chunk: Buffer) => {
    if (stdout === '') setTimeout(() => process_.stderr.on('data', (data: Buffer) => stderr.push(data)).resume(), 300);
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => process_.on('close', resolve));
  const reportLine = stdout.split('\n').find((line) => line.startsWith('{'));
  assert.ok(reportLine !== undefined, `no report; stdout ${JSON.stringify(stdout)}, stderr ${Buffer.concat(stderr).toString().slice(0, 300)}`);
  return { report: JSON.parse(reportLine) as { touched: boolean; streamed: number }, lines: Buffer.concat(stderr).toString().split('\n'), code };
}

const assertAllInOrder = (lines: string[]) => {
  assert.equal(lines.pop(), '', 'the last line ends in a newline');
  assert.equal(lines.length, LINES);
  lines.forEach((line, index) => assert.equal((JSON.parse(line) as { i: number }).i, index));
};

describe('log lines through a real pipe that its reader leaves full for a while', () => {
  // The child runs plain node on the module's JavaScript: tsx's loader makes process.stderr, which leaves fd 2 non-blocking.
  let dir: TempDir;
  let writerUrl: string;
  before(async () => {
    dir = await tempDir();
    const { code } = await transform(await readFile(join(PROJECT_ROOT, 'lib', 'edges', 'stderr-lines.ts'), 'utf8'), { loader: 'ts', format: 'esm' });
    writerUrl = pathToFileURL(await dir.file('stderr-lines.mjs', code)).href;
  });
  after(() => dir.remove());

  it('blocks on a blocking fd 2 until the reader drains it: every line, in order, and process.stderr never made', async () => {
    const { report, lines, code } = await runChild(writerUrl, false);
    assert.equal(code, 0);
    assertAllInOrder(lines);
    assert.deepEqual(report, { touched: false, streamed: 0 });
  });

  it('on a non-blocking fd 2, goes on through process.stderr from the first EAGAIN: every line, in order', async () => {
    const { report, lines, code } = await runChild(writerUrl, true);
    assert.equal(code, 0);
    assertAllInOrder(lines);
    // Some lines went straight to the fd before the pipe filled, the rest through the stream.
    assert.ok(report.streamed > 0 && report.streamed < LINES, `chunks through the stream: ${report.streamed}`);
  });
});
