import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExporterConfig } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { FIRST_LOAD_RETRY_SECONDS, ReloadingValue } from '../../lib/edges/cache/reloading-value.ts';
import { createLogger } from '../../lib/edges/logger.ts';

const config = (ttl: number, name: string) => parseConfig(`pushgateway_url: http://pg:9091\nconfig_ttl_seconds: ${ttl}\nservices: [{name: ${name}}]\n`);
const quiet = createLogger('error', () => undefined, () => 0);
const reloading = (load: () => Promise<ExporterConfig>, clock: () => number, source: string) =>
  new ReloadingValue({ load, ttlSeconds: (c) => c.configTtlSeconds, clock, monotonicMs: () => 0, logger: quiet, what: 'config', source });

describe('ReloadingValue (the config source)', () => {
  it('retries a failed first load after a few seconds, not a whole TTL', async () => {
    let now = 0;
    let calls = 0;
    let fail = true;
    const source = reloading(async () => {
      calls += 1;
      if (fail) throw new Error('ThrottlingException: Rate exceeded');
      return config(60, 'a');
    }, () => now, 'test');
    const first = await source.read();
    assert.equal(first.value, undefined);
    assert.match(first.error ?? '', /Rate exceeded/);
    fail = false;
    now = FIRST_LOAD_RETRY_SECONDS * 1000 - 1;
    assert.equal((await source.read()).value, undefined);
    now = FIRST_LOAD_RETRY_SECONDS * 1000;
    assert.equal((await source.read()).value?.services.has('a'), true);
    assert.equal(calls, 2);
  });

  it('answers from the last good config when a due reload outlasts the wait', async () => {
    let now = 0;
    let release: (value: ExporterConfig) => void = () => undefined;
    let slow = false;
    const source = reloading(
      () => (slow ? new Promise<ExporterConfig>((resolve) => { release = resolve; }) : Promise.resolve(config(30, 'a'))),
      () => now, 'ssm:/x',
    );
    await source.read();
    slow = true;
    now = 30_000;
    const started = performance.now();
    const read = await source.read(30);
    assert.ok(performance.now() - started < 1000);
    assert.equal(read.value?.services.has('a'), true);
    assert.equal(read.error, undefined, 'a reload still running is no failure');
    release(config(30, 'b'));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await source.read(30)).value?.services.has('b'), true);
  });
});
