// Pure helpers of `npm run bench`: statistics, the static import graph of the built files, the
// per-package split of their bytes, the Lambda platform's log lines and the cost table
// (docs/performance.md, docs/cost.md). No I/O here: test/unit/bench-figures.test.ts covers them.
import { posix } from 'node:path';

export interface Row {
  readonly name: string;
  readonly measured: string;
  readonly baseline: string;
  readonly ratio: number | undefined;
  readonly target: string;
  readonly met: boolean | undefined;
  readonly raw: Record<string, number | string | readonly number[]>;
}

/**
 * The freshness threshold of the bench's configs. The bench pushes its heartbeats once, at the
 * start, and runs for minutes: an hour keeps every probe it measures a healthy one.
 */
export const BENCH_FRESHNESS_SECONDS = 3600;

/** The config of a bench probe: any target the Pushgateway holds, read every `scrapeSeconds`. */
export const benchConfig = (scrapeSeconds: number): string =>
  `pushgateway_url: "http://unused:9091"\nallow_unlisted_targets: true\nscrape_interval_seconds: ${scrapeSeconds}\ndefaults:\n  freshness_threshold_seconds: ${BENCH_FRESHNESS_SECONDS}\n`;

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/** The median of the per-round ratios a / b: on a machine whose speed changes, each round compares like with like. */
export const perRoundRatio = (a: readonly number[], b: readonly number[]): number => median(a.map((value, i) => value / (b[i] as number)));

/** A duration for the table, in milliseconds with two decimals. */
export const ms = (value: number): string => `${value.toFixed(2)} ms`;

/** The value at fraction `p` of an ascending array (nearest rank, clamped). */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/**
 * The relative specifiers of a built ES module's static `import … from "./x"`, `import "./x"` and
 * `export … from "./x"` statements, in order, without duplicates. A dynamic `import("./x")` is not
 * one: its module loads only when that code runs, not at init. Bare and `node:` specifiers are left
 * out (built-ins come from Node's own snapshot; the bundle has no node_modules).
 */
export function staticImports(source: string): string[] {
  const found = new Set<string>();
  const statement = /(?<![\w$.])(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?(["'])(\.{1,2}\/[^"'\n]+)\1/g;
  for (const match of source.matchAll(statement)) {
    const specifier = match[2];
    if (specifier !== undefined) found.add(specifier);
  }
  return [...found];
}

/**
 * The files `entry` loads at init: itself and every file reached through static imports,
 * paths relative to the build folder ('probe.mjs', 'chunks/chunk-X.mjs').
 */
export function staticClosure(entry: string, read: (path: string) => string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const specifier of staticImports(read(file))) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier));
      if (!seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen];
}

/** The npm package an esbuild input path belongs to ('undici', '@aws-sdk/client-ssm'), or 'ours'. */
export function packageOf(inputPath: string): string {
  const parts = inputPath.split('/');
  const last = parts.lastIndexOf('node_modules');
  if (last === -1) return 'ours';
  const name = parts[last + 1] ?? 'ours';
  return name.startsWith('@') ? `${name}/${parts[last + 2] ?? ''}` : name;
}

export interface MetafileOutputs {
  readonly [outputPath: string]: { readonly bytes: number; readonly inputs: { readonly [inputPath: string]: { readonly bytesInOutput: number } } };
}

/**
 * Bytes per package of the given output files (paths relative to the build's outdir), from an
 * esbuild metafile whose output keys start with `outdir`. What no input claims (the banner, the
 * glue between modules) counts as 'ours'. Largest first.
 */
export function bytesByPackage(outputs: MetafileOutputs, outdir: string, files: readonly string[]): Array<[string, number]> {
  const wanted = new Set(files);
  const totals = new Map<string, number>();
  const add = (name: string, bytes: number) => totals.set(name, (totals.get(name) ?? 0) + bytes);
  for (const [key, output] of Object.entries(outputs)) {
    if (!wanted.has(posix.relative(outdir, key))) continue;
    let claimed = 0;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      add(packageOf(input), bytesInOutput);
      claimed += bytesInOutput;
    }
    add('ours', output.bytes - claimed);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

// The platform's lines per invocation in the text log format, as AWS's Node.js logging page shows
// them (a UUID request id; REPORT with a short duration at 128 MB, no init line: a warm call).
const REQUEST_ID = 'c793869b-ee49-115b-a5b6-4fd21e8dedac';
export const PLATFORM_LINES = [
  `START RequestId: ${REQUEST_ID} Version: $LATEST\n`,
  `END RequestId: ${REQUEST_ID}\n`,
  `REPORT RequestId: ${REQUEST_ID}\tDuration: 2.08 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n`,
] as const;

export interface LoggingConfig {
  readonly LogFormat?: string;
  readonly SystemLogLevel?: string;
  readonly ApplicationLogLevel?: string;
}

/**
 * Bytes of the platform's START/END/REPORT lines one warm invocation writes, under the function's
 * LoggingConfig: none when the JSON format's system log level is WARN or above (those lines are
 * INFO). Otherwise the text lines' size: JSON records are larger, so this is a floor there.
 */
export function platformLogBytes(config: LoggingConfig | undefined): number {
  const level = (config?.SystemLogLevel ?? 'INFO').toUpperCase();
  if ((config?.LogFormat ?? 'Text').toUpperCase() === 'JSON' && (level === 'WARN' || level === 'ERROR')) return 0;
  return PLATFORM_LINES.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
}

/** Prices the cost page uses (docs/cost.md says where they come from). */
export const PRICES = {
  region: 'us-east-1',
  requestUsdPerMillion: 0.2,
  arm64UsdPerGbSecond: 0.0000133334,
  logsUsdPerGb: 0.5,
} as const;

export interface CostInputs {
  /** Billed init of one cold container, ms (Lambda bills it on managed runtimes). */
  readonly initMs: number;
  /** One warm invocation answered from the cached snapshot, ms, before rounding up to Lambda's 1 ms billing unit. */
  readonly warmMs: number;
  /**
   * What a read of the Pushgateway adds to the invocation that finds the snapshot expired, ms
   * (the bench's row 3: a probe that must read the 10k-group Pushgateway).
   */
  readonly readMs: number;
  /**
   * How long one read serves a warm container: the config's `scrape_interval_seconds`. A
   * container reads once every max(scrape interval, this), so at a scrape interval at least this
   * long every invocation reads (a Lambda does not read ahead: it is frozen between requests).
   */
  readonly cacheSeconds: number;
  /** Log bytes one healthy invocation writes (ours and the platform's). */
  readonly logBytesPerRequest: number;
  /** Cold inits per month the scheme pays (containers × recycles). */
  readonly coldStartsPerMonth: number;
  readonly memoryMb: number;
}

export interface CostLine {
  readonly requests: number;
  /** Invocations that read the Pushgateway first. */
  readonly reads: number;
  readonly billedSeconds: number;
  readonly logBytes: number;
  readonly requestUsd: number;
  readonly durationUsd: number;
  readonly logUsd: number;
  readonly totalUsd: number;
}

export const SECONDS_PER_MONTH = 30 * 24 * 3600;

/**
 * One month of scrapes every `intervalSeconds`, one request each, for one warm container, priced
 * at PRICES: a read every max(`intervalSeconds`, `cacheSeconds`) billed at `warmMs + readMs`, the
 * other requests at `warmMs`, each invocation rounded up to the millisecond, and the cold inits.
 */
export function monthlyCost(intervalSeconds: number, inputs: CostInputs): CostLine {
  const requests = SECONDS_PER_MONTH / intervalSeconds;
  const reads = SECONDS_PER_MONTH / Math.max(intervalSeconds, inputs.cacheSeconds);
  const billedMs = (requests - reads) * Math.max(1, Math.ceil(inputs.warmMs))
    + reads * Math.max(1, Math.ceil(inputs.warmMs + inputs.readMs))
    + inputs.coldStartsPerMonth * Math.ceil(inputs.initMs);
  const billedSeconds = billedMs / 1000;
  const logBytes = requests * inputs.logBytesPerRequest;
  const requestUsd = (requests / 1e6) * PRICES.requestUsdPerMillion;
  const durationUsd = billedSeconds * (inputs.memoryMb / 1024) * PRICES.arm64UsdPerGbSecond;
  const logUsd = (logBytes / 1024 ** 3) * PRICES.logsUsdPerGb;
  return { requests, reads, billedSeconds, logBytes, requestUsd, durationUsd, logUsd, totalUsd: requestUsd + durationUsd + logUsd };
}

/** Rows as a Markdown table. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['figure', 'measured', 'baseline', 'ratio', 'target', 'met'];
  const lines = rows.map((row) => [row.name, row.measured, row.baseline, row.ratio === undefined ? '—' : `${row.ratio.toFixed(2)}×`, row.target, row.met === undefined ? '—' : row.met ? 'yes' : 'NO']);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [format(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(format)].join('\n');
}
