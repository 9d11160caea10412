import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PROJECT_ROOT, pushHeartbeat, startPushgateway, type RunningProcess } from '../support/processes.ts';

interface ColdReport {
  readonly status: number;
  readonly success: boolean;
  readonly stderrMade: boolean;
  readonly loaded: string[];
}

/**
 * A fresh node that imports dist/probe.mjs as the Lambda runtime does and answers one probe, then
 * reports on stdout what the import and the probe loaded and whether process.stderr was ever made.
 */
const COLD_PROBE = `
const made = Object.getOwnPropertyDescriptor(process, 'stderr');
let stderrMade = false;
Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get() { stderrMade = true; return made.get.call(process); } });
const before = new Set(process.moduleLoadList);
const { handler } = await import(${JSON.stringify(pathToFileURL(join(PROJECT_ROOT, 'dist', 'probe.mjs')).href)});
const result = await handler({ rawPath: '/probe', rawQueryString: 'target=service1', headers: {}, requestContext: { http: { method: 'GET' } } });
const loaded = process.moduleLoadList.filter((name) => !before.has(name));
process.getBuiltinModule('node:fs').writeSync(1, JSON.stringify({ status: result.statusCode, success: result.body.includes('probe_success 1'), stderrMade, loaded }) + '\\n');
// The keep-alive connection to the Pushgateway would hold the process open.
process.exit(0);
`;

const run = promisify(execFile);

/** Rejects, with the child's stderr, when the cold probe exits non-zero. */
async function coldProbe(pushgatewayUrl: string): Promise<{ report: ColdReport; stderr: string }> {
  // The bundled config.yml (the pre-parsed path), as the bench's cold probe.
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', COLD_PROBE], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, CONFIG_FILE: 'config.yml', PUSHGATEWAY_URL: pushgatewayUrl },
  });
  return { report: JSON.parse(stdout) as ColdReport, stderr };
}

// docs/performance.md#the-cold-starts-clock-and-log-line, docs/performance.md#the-cold-starts-timers
describe('a cold Lambda start (dist/probe.mjs in a fresh node) answering one probe', () => {
  let pushgateway: RunningProcess;
  before(async () => {
    pushgateway = await startPushgateway();
  });
  after(() => pushgateway.stop());

  it('writes its config loaded line to fd 2 without making process.stderr, and never loads perf_hooks or node:timers/promises', async () => {
    await pushHeartbeat(pushgateway.url, 'service1', Date.now() / 1000);
    const { report, stderr } = await coldProbe(pushgateway.url);
    assert.equal(report.status, 200);
    assert.equal(report.success, true);
    assert.equal(report.stderrMade, false);
    const unwanted = report.loaded.filter((name) => /^NativeModule (perf_hooks|timers\/promises|internal\/perf\/(performance|usertiming|nodetiming))$/.test(name));
    assert.deepEqual(unwanted, []);
    // The import and the probe did load node:http, so the list is the real one.
    assert.ok(report.loaded.includes('NativeModule http'), report.loaded.join(', '));
    const lines = stderr.split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines.map((line) => {
      const { level, msg, outcome } = JSON.parse(line) as Record<string, unknown>;
      return { level, msg, outcome };
    }), [{ level: 'info', msg: 'config loaded', outcome: 'success' }]);
  });
});
