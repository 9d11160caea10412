import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PROJECT_ROOT } from '../support/processes.ts';

// Node's nextTick entries keep one hidden class across full collections (lib/edges/tick-shape.ts,
// docs/performance.md#the-warm-path): read from V8 itself in a child process (%HaveSameMap), not from a timing.

describe('keepTickShape', () => {
  it('keeps a real nextTick entry through full collections, later entries share its hidden class, and no hook stays on', () => {
    const script = join(PROJECT_ROOT, 'test', 'support', 'tick-shape-after-gc.ts');
    const output = execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--import', 'tsx', script], { cwd: PROJECT_ROOT, timeout: 60_000 });
    assert.deepEqual(JSON.parse(output.toString()), { alive: true, sameMap: true, hooksOff: true });
  });
});
