import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExporterConfig } from '../../lib/core/config/config-types.ts';
import { parseConfig } from '../../lib/core/config/parse-config.ts';
import { FIRST_LOAD_RETRY_SECONDS, parsedOnChange, ReloadingValue } from '../../lib/edges/cache/reloading-value.ts';
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

describe('parsedOnChange', () => {
  const live = new AbortController().signal;

  it('parses a text once: the same text gives back the same value, a changed one is parsed again', async () => {
    let text = 'a';
    const parsed: string[] = [];
    const load = parsedOnChange(async () => text, (given) => {
      parsed.push(given);
      return { name: given };
    });
    const first = await load(live);
    assert.equal(await load(live), first, 'the same text: the same object');
    text = 'b';
    const second = await load(live);
    assert.deepEqual(second, { name: 'b' });
    assert.notEqual(second, first);
    text = 'a';
    assert.notEqual(await load(live), first, 'only the last text is kept');
    assert.deepEqual(parsed, ['a', 'b', 'a']);
  });

  it('parses a text that failed again, and fails with its error again', async () => {
    let text = 'bad';
    let parses = 0;
    const load = parsedOnChange(async () => text, (given) => {
      parses += 1;
      if (given === 'bad') throw new Error('services[0].name: required');
      return given;
    });
    await assert.rejects(load(live), /services\[0\]\.name: required/);
    await assert.rejects(load(live), /services\[0\]\.name: required/);
    assert.equal(parses, 2);
    text = 'good';
    assert.equal(await load(live), 'good');
  });

  it('fails with the read\'s error and keeps the last text for the next read', async () => {
    let fail = false;
    let parses = 0;
    const load = parsedOnChange(async () => {
      if (fail) throw new Error('cannot read config file /x.yml: no such file');
      return 'a';
    }, (given) => {
      parses += 1;
      return { given };
    });
    const first = await load(live);
    fail = true;
    await assert.rejects(load(live), /no such file/);
    fail = false;
    assert.equal(await load(live), first);
    assert.equal(parses, 1);
  });

  it('does not remember what a load given up read: the text in force stays the one remembered', async () => {
    let text = 'a';
    let parses = 0;
    const load = parsedOnChange(async () => text, (given) => {
      parses += 1;
      return { given };
    });
    const first = await load(live);
    const givenUp = new AbortController();
    givenUp.abort();
    text = 'b';
    assert.deepEqual(await load(givenUp.signal), { given: 'b' });
    text = 'a';
    assert.equal(await load(live), first, 'still the value in force: not parsed again');
    assert.equal(parses, 2);
  });
});

describe('ReloadingValue log lines', () => {
  /** A config source over `texts()` that reloads every second, logging at debug into `lines`. */
  const logged = (texts: () => string) => {
    let now = 0;
    const lines: { level: string; msg: string; outcome: string; unchanged?: boolean; services?: number }[] = [];
    const logger = createLogger('debug', (line) => lines.push(JSON.parse(line) as (typeof lines)[number]), () => now);
    const source = new ReloadingValue<ExporterConfig>({
      load: parsedOnChange(async () => texts(), (text) => parseConfig(text)),
      ttlSeconds: () => 1, clock: () => now, monotonicMs: () => now, logger, what: 'config', source: '/x/config.yml',
      describe: (config) => ({ services: config.services.size }),
    });
    const readAt = async (ms: number) => {
      now = ms;
      return source.read();
    };
    return { lines, readAt };
  };
  const yaml = (...names: string[]) => `pushgateway_url: http://pg:9091\nconfig_ttl_seconds: 1\nservices: [${names.map((name) => `{name: ${name}}`).join(', ')}]\n`;

  it('logs the first load and each change at info, a reload that changed nothing at debug', async () => {
    let text = yaml('a');
    const { lines, readAt } = logged(() => text);
    const first = await readAt(0);
    assert.equal((await readAt(1_000)).value, first.value, 'the unchanged reload keeps the value in force');
    text = yaml('a', 'b');
    assert.equal((await readAt(2_000)).value?.services.size, 2);
    await readAt(3_000);
    assert.deepEqual(lines.map(({ level, msg, outcome, unchanged, services }) => ({ level, msg, outcome, unchanged, services })), [
      { level: 'info', msg: 'config loaded', outcome: 'success', unchanged: undefined, services: 1 },
      { level: 'debug', msg: 'config loaded', outcome: 'success', unchanged: true, services: 1 },
      { level: 'info', msg: 'config loaded', outcome: 'success', unchanged: undefined, services: 2 },
      { level: 'debug', msg: 'config loaded', outcome: 'success', unchanged: true, services: 2 },
    ]);
  });

  it('counts and logs no outcome for a load it gave up, whenever that load ends', async () => {
    let now = 0;
    const lines: string[] = [];
    const outcomes: string[] = [];
    const logger = createLogger('debug', (line) => {
      const { level, msg } = JSON.parse(line) as { level: string; msg: string };
      lines.push(`${level} ${msg}`);
    }, () => now);
    const a = config(1, 'a');
    let release: (value: ExporterConfig) => void = () => undefined;
    const loads: (() => Promise<ExporterConfig>)[] = [
      async () => a,
      () => new Promise<ExporterConfig>((resolve) => { release = resolve; }),
      async () => { throw new Error('AccessDeniedException'); },
      async () => a,
    ];
    const source = new ReloadingValue<ExporterConfig>({
      load: () => (loads.shift() as () => Promise<ExporterConfig>)(),
      ttlSeconds: () => 1, clock: () => now, monotonicMs: () => now, logger, what: 'config', source: 'ssm:/x',
      onLoad: (outcome) => outcomes.push(outcome),
    });
    await source.read();
    now = 1_000;
    assert.equal((await source.read(5)).value, a, 'the hanging reload: the value in force answers');
    now = 40_000;
    assert.match((await source.read()).error ?? '', /AccessDeniedException/, 'the hanging load given up, the next one failed');
    release(a);
    await new Promise((resolve) => setImmediate(resolve));
    now = 41_000;
    assert.equal((await source.read()).value, a);
    assert.deepEqual(lines, ['info config loaded', 'error config load failed', 'debug config load given up', 'info config loaded']);
    assert.deepEqual(outcomes, ['success', 'failure', 'success']);
  });

  it('logs the first good load after a failed one at info, even when it gives back the config in force', async () => {
    let text = yaml('a');
    const { lines, readAt } = logged(() => text);
    const first = await readAt(0);
    text = 'services: [';
    const failed = await readAt(1_000);
    assert.equal(failed.value, first.value, 'the last good config stays in force');
    assert.match(failed.error ?? '', /yaml/i);
    text = yaml('a');
    assert.equal((await readAt(2_000)).value, first.value);
    await readAt(3_000);
    assert.deepEqual(lines.map(({ level, msg }) => `${level} ${msg}`), ['info config loaded', 'error config load failed', 'info config loaded', 'debug config loaded']);
  });
});
