// promtool (Debian's prometheus package) as the judge of what Prometheus accepts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/** `promtool check metrics` on an exposition text: its exit status and everything it printed. */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Fails unless `promtool check metrics` passes the text, lint included. */
export function assertPromtoolClean(text: string): void {
  const check = promtoolCheckMetrics(text);
  assert.equal(check.status, 0, check.output);
}

/** Runs promtool with `args` in `cwd` (check config, check rules, test rules): exit status and output. */
export function runPromtool(args: readonly string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
