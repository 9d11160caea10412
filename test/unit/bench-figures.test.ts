// The pure helpers of `npm run bench` (scripts/bench/figures.ts): the static import graph it follows
// to count what the Lambda loads at init, the per-package split, the platform's log lines and the
// cost arithmetic of docs/cost.md.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytesByPackage, median, monthlyCost, packageOf, percentile, platformLogBytes, PLATFORM_LINES, PRICES, staticClosure, staticImports } from '../../scripts/bench/figures.ts';

describe('bench figures: the static import graph of built files', () => {
  it('finds minified and spaced static imports and re-exports, not dynamic import() nor bare or node: specifiers', () => {
    const source = [
      "import { createRequire as __createRequire } from 'node:module';",
      'import{a as b,c as d}from"./chunks/chunk-A.mjs";import"./chunks/side-B.mjs";',
      'import * as ns from "../up/C.mjs"; import def from \'./D.mjs\';',
      'export{x}from"./E.mjs";export*from"./F.mjs";',
      'const lazy=()=>import("./chunks/ssm-G.mjs");const u=import.meta.url;import"undici";',
      'import{a}from"./chunks/chunk-A.mjs";',
    ].join('\n');
    assert.deepEqual(staticImports(source), ['./chunks/chunk-A.mjs', './chunks/side-B.mjs', '../up/C.mjs', './D.mjs', './E.mjs', './F.mjs']);
  });

  it('follows static imports transitively from the entry, relative to each file, once each', () => {
    const files: Record<string, string> = {
      'probe.mjs': 'import{a}from"./chunks/a.mjs";const s=()=>import("./chunks/sdk.mjs");',
      'chunks/a.mjs': 'import{b}from"./b.mjs";import{a2}from"../probe.mjs";',
      'chunks/b.mjs': 'import{a}from"./a.mjs";',
      'chunks/sdk.mjs': 'import{b}from"./b.mjs";',
    };
    const read = (file: string) => {
      const text = files[file];
      if (text === undefined) throw new Error(`unexpected read of ${file}`);
      return text;
    };
    assert.deepEqual(staticClosure('probe.mjs', read), ['probe.mjs', 'chunks/a.mjs', 'chunks/b.mjs']);
  });
});

describe('bench figures: bytes per package', () => {
  it('names the package of an esbuild input, scoped and nested included; our sources are ours', () => {
    assert.equal(packageOf('node_modules/undici/lib/web/fetch/index.js'), 'undici');
    assert.equal(packageOf('node_modules/@aws-sdk/client-ssm/dist-es/index.js'), '@aws-sdk/client-ssm');
    assert.equal(packageOf('node_modules/a/node_modules/yaml/dist/index.js'), 'yaml');
    assert.equal(packageOf('lib/core/snapshot/index-slot.ts'), 'ours');
  });

  it('adds up only the wanted outputs, counting unclaimed bytes (banner, glue) as ours', () => {
    const outputs = {
      '.build-staging/1-2/probe.mjs': { bytes: 1000, inputs: { 'node_modules/undici/index.js': { bytesInOutput: 600 }, 'functions/probe.ts': { bytesInOutput: 300 } } },
      '.build-staging/1-2/chunks/c.mjs': { bytes: 200, inputs: { 'node_modules/yaml/dist/index.js': { bytesInOutput: 200 } } },
      '.build-staging/1-2/chunks/sdk.mjs': { bytes: 5000, inputs: { 'node_modules/@aws-sdk/client-ssm/index.js': { bytesInOutput: 5000 } } },
    };
    assert.deepEqual(bytesByPackage(outputs, '.build-staging/1-2', ['probe.mjs', 'chunks/c.mjs']), [['undici', 600], ['ours', 400], ['yaml', 200]]);
  });
});

describe('bench figures: the Lambda platform lines', () => {
  it('counts START, END and REPORT in the text format, and nothing when a JSON system log level of WARN drops them', () => {
    const text = PLATFORM_LINES.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
    assert.ok(text > 150 && text < 300, `${text}`);
    assert.equal(platformLogBytes(undefined), text);
    assert.equal(platformLogBytes({ LogFormat: 'Text' }), text);
    assert.equal(platformLogBytes({ LogFormat: 'JSON', SystemLogLevel: 'INFO' }), text);
    assert.equal(platformLogBytes({ LogFormat: 'JSON', SystemLogLevel: 'WARN' }), 0);
    assert.equal(platformLogBytes({ LogFormat: 'JSON', SystemLogLevel: 'ERROR' }), 0);
  });
});

describe('bench figures: statistics and the monthly cost', () => {
  it('takes the median and nearest-rank percentiles', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99), 10);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 6);
    assert.ok(Number.isNaN(median([])));
  });

  it('bills each request at least 1 ms, adds the cold inits, and prices requests, GB-s and log bytes', () => {
    // Reads that cost nothing (readMs 0): every request billed its 1 ms minimum.
    const cost = monthlyCost(5, { initMs: 199.2, warmMs: 0.03, readMs: 0, cacheSeconds: 3, logBytesPerRequest: 100, coldStartsPerMonth: 360, memoryMb: 128 });
    assert.equal(cost.requests, 518_400);
    assert.equal(cost.billedSeconds, (518_400 * 1 + 360 * 200) / 1000);
    assert.equal(cost.requestUsd, 0.5184 * PRICES.requestUsdPerMillion);
    assert.equal(cost.durationUsd, cost.billedSeconds * 0.125 * PRICES.arm64UsdPerGbSecond);
    assert.equal(cost.logBytes, 51_840_000);
    assert.equal(cost.logUsd, (51_840_000 / 1024 ** 3) * 0.5);
    assert.equal(cost.totalUsd, cost.requestUsd + cost.durationUsd + cost.logUsd);
    assert.equal(monthlyCost(15, { initMs: 0, warmMs: 2.5, readMs: 0, cacheSeconds: 3, logBytesPerRequest: 0, coldStartsPerMonth: 0, memoryMb: 128 }).billedSeconds, (172_800 * 3) / 1000);
  });

  it('bills a read of the Pushgateway every max(scrape interval, scrape_interval_seconds) per container, at warm + read time', () => {
    const inputs = { initMs: 199.2, warmMs: 0.03, readMs: 250.4, logBytesPerRequest: 0, coldStartsPerMonth: 360, memoryMb: 128 };
    // Scrapes every 5 s, snapshot kept 3 s: every request finds it expired and reads (251 ms billed).
    const everyScrape = monthlyCost(5, { ...inputs, cacheSeconds: 3 });
    assert.equal(everyScrape.reads, 518_400);
    assert.equal(everyScrape.billedSeconds, (518_400 * 251 + 360 * 200) / 1000);
    // Kept 60 s: one read a minute (43,200 a month) at 251 ms, the other 475,200 requests at 1 ms.
    const perMinute = monthlyCost(5, { ...inputs, cacheSeconds: 60 });
    assert.equal(perMinute.reads, 43_200);
    assert.equal(perMinute.billedSeconds, (475_200 * 1 + 43_200 * 251 + 360 * 200) / 1000);
    assert.equal(perMinute.durationUsd, perMinute.billedSeconds * 0.125 * PRICES.arm64UsdPerGbSecond);
    // A read that fits in the same billed millisecond costs nothing more.
    assert.equal(monthlyCost(15, { ...inputs, readMs: 0.5, cacheSeconds: 3 }).billedSeconds, (172_800 * 1 + 360 * 200) / 1000);
  });
});
