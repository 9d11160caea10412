import assert from 'node:assert/strict';
import { bestCpuOf } from './event-loop-turns.ts';

/** A body of the lines `line(0)`, `line(1)`, … up to about `bytes` bytes, each ending with a line feed. */
export function linesBody(bytes: number, line: (index: number) => string): string {
  const lines: string[] = [];
  let size = 0;
  for (let index = 0; size < bytes; index++) {
    const text = line(index);
    lines.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Asserts that `run` spends under 8 times as long per byte on each of `bodies` as on `plain` (CPU
 * time, the best of `rounds`, the two side by side): linear time, whatever the shape, with room for
 * a shared machine's noise, where a quadratic path is hundreds of times slower at these sizes.
 */
export function assertLinearPerByte(bodies: Readonly<Record<string, string>>, plain: string, run: (text: string) => unknown, rounds: number): void {
  for (const [name, body] of Object.entries(bodies)) {
    const [plainMs, hostileMs] = bestCpuOf(rounds, () => run(plain), () => run(body));
    const ratio = hostileMs / Buffer.byteLength(body) / (plainMs / Buffer.byteLength(plain));
    assert.ok(ratio < 8, `${name}: ${ratio.toFixed(1)}× the time per byte of a plain body (${hostileMs.toFixed(1)} ms vs ${plainMs.toFixed(1)} ms)`);
  }
}
