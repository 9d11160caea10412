import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../support/processes.ts';

// A full garbage collection must not throw away the index's optimized code (lib/core/shape-anchors.ts,
// docs/performance.md#after-a-full-collection): before the objects each read makes were kept, every
// read that followed one ran unoptimized, at about 3.5 times the CPU. Read from V8 itself in a child
// process (%GetOptimizationStatus), not from a timing.

/** V8's OptimizationStatus bit for a function with optimized code attached (src/runtime/runtime.h). */
const OPTIMIZED = 1 << 4;

function statusesAround(scenario: 'reused' | 'fresh'): { before: Record<string, number>; after: Record<string, number> } {
  const script = join(PROJECT_ROOT, 'test', 'support', 'optimization-after-gc.ts');
  const output = execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', script, scenario], { cwd: PROJECT_ROOT, timeout: 120_000 });
  return JSON.parse(output.toString()) as { before: Record<string, number>; after: Record<string, number> };
}

describe('the index stays optimized across a full garbage collection', () => {
  for (const scenario of ['reused', 'fresh'] as const) {
    it(`keeps the scanner's and the service table's optimized code (${scenario === 'reused' ? 'a process reusing its slots' : 'a new slot per text'})`, () => {
      const { before, after } = statusesAround(scenario);
      assert.deepEqual(Object.keys(after), ['scanSampleLine', 'scanStreamedExposition', 'buildServiceTable']);
      for (const [name, bits] of Object.entries(before)) assert.ok((bits & OPTIMIZED) !== 0, `${name} was optimized before the collection (status ${bits.toString(2)})`);
      for (const [name, bits] of Object.entries(after)) assert.ok((bits & OPTIMIZED) !== 0, `${name} lost its optimized code in the collection (status ${bits.toString(2)})`);
    });
  }
});
