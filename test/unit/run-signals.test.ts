import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExposition } from '../../lib/core/exposition/exposition-parser.ts';
import { renderExposition } from '../../lib/core/exposition/exposition-renderer.ts';
import { signalFamilies } from '../../lib/core/push/run-signals.ts';
import { FAILURE_METRIC, RUN_DURATION_METRIC, START_METRIC, SUCCESS_METRIC } from '../../lib/core/probe/signal-metrics.ts';
import { assertPromtoolClean } from '../support/promtool.ts';
import { FIXED_HASH_SEED } from '../support/fixed-hash-seed.ts';

const body = (families: ReturnType<typeof signalFamilies>) => renderExposition(families);

describe('signalFamilies', () => {
  it('pushes a success as the heartbeat, with the duration when a run was timed', () => {
    const text = body(signalFamilies({ kind: 'success', atSeconds: 1764000000.1234567, durationSeconds: 12.3456 }, 'nightly-backup'));
    assert.equal(text, [
      `# HELP ${SUCCESS_METRIC} Unix time when the last run finished successfully (the heartbeat).`,
      `# TYPE ${SUCCESS_METRIC} gauge`,
      `${SUCCESS_METRIC}{service="nightly-backup"} 1764000000.123`,
      `# HELP ${RUN_DURATION_METRIC} How long the last finished run took, in seconds.`,
      `# TYPE ${RUN_DURATION_METRIC} gauge`,
      `${RUN_DURATION_METRIC}{service="nightly-backup"} 12.346`,
      '',
    ].join('\n'));
  });

  it('pushes a start alone, and a failure with or without a duration', () => {
    const names = (text: string) => parseExposition(text, FIXED_HASH_SEED).samples.map((sample) => sample.name);
    assert.deepEqual(names(body(signalFamilies({ kind: 'start', atSeconds: 1 }, 's'))), [START_METRIC]);
    assert.deepEqual(names(body(signalFamilies({ kind: 'failure', atSeconds: 1 }, 's'))), [FAILURE_METRIC]);
    assert.deepEqual(names(body(signalFamilies({ kind: 'failure', atSeconds: 1, durationSeconds: 0 }, 's'))), [FAILURE_METRIC, RUN_DURATION_METRIC]);
    assert.deepEqual(names(body(signalFamilies({ kind: 'success', atSeconds: 1 }, 's'))), [SUCCESS_METRIC]);
  });

  it("pushes a success under the service's own heartbeat_metric when given one; the other signals keep their names", () => {
    const names = (text: string) => parseExposition(text, FIXED_HASH_SEED).samples.map((sample) => sample.name);
    assert.deepEqual(names(body(signalFamilies({ kind: 'success', atSeconds: 1, durationSeconds: 2 }, 's', 'backup_last_success_seconds'))), ['backup_last_success_seconds', RUN_DURATION_METRIC]);
    assert.deepEqual(names(body(signalFamilies({ kind: 'failure', atSeconds: 1 }, 's', 'backup_last_success_seconds'))), [FAILURE_METRIC]);
  });

  it('escapes the service name, ends with a newline, and passes promtool', () => {
    const hostile = 'svc"} 1\nprobe_success 1\\';
    const text = body(signalFamilies({ kind: 'failure', atSeconds: 1764000000, durationSeconds: 3 }, hostile));
    assert.ok(text.endsWith('\n'));
    const samples = parseExposition(text, FIXED_HASH_SEED).samples;
    assert.equal(samples.length, 2);
    assert.ok(samples.every((sample) => sample.labels.service === hostile));
    assertPromtoolClean(text);
  });
});
