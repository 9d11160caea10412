import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startProcess, type RunningProcess, type TempDir } from './processes.ts';

export interface QueryResult { metric: Record<string, string>; value: [number, string] }

/** A real Prometheus on a free loopback port, its config and TSDB in `dir`; stop it by its PID. */
export async function startPrometheus(dir: TempDir, configYaml: string): Promise<RunningProcess> {
  const configFile = await dir.file('prometheus.yml', configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { readyUrl: `${url}/-/ready`, url, port, timeoutMs: 60_000 },
  );
}

/** The `data` of a Prometheus API answer, which must be a success. */
export async function prometheusApi<T>(prometheusUrl: string, path: string): Promise<T> {
  const body = (await (await fetch(`${prometheusUrl}${path}`)).json()) as { status: string; data: T };
  assert.equal(body.status, 'success');
  return body.data;
}

export const query = async (prometheusUrl: string, promql: string): Promise<QueryResult[]> =>
  (await prometheusApi<{ result: QueryResult[] }>(prometheusUrl, `/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

/** A loop that runs `pushOnce` every second, as a live job pushes heartbeats, until stopped. */
export function heartbeatLoop(pushOnce: () => Promise<void>): { stop(): Promise<void> } {
  let pushing = true;
  const loop = (async () => {
    while (pushing) {
      await pushOnce();
      await sleep(1000);
    }
  })();
  return {
    stop: async () => {
      pushing = false;
      await loop;
    },
  };
}

/** Polls until `check` holds of the value `read` gives, failing with the last value. */
export async function pollUntil<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs: number, onFailure?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await sleep(500);
  }
  assert.fail(`${what} not reached within ${timeoutMs} ms; last: ${JSON.stringify(last)}${onFailure === undefined ? '' : `\n${onFailure()}`}`);
}

/** Polls a PromQL query until it returns exactly `expected` as its single value. */
export const waitForValue = (prometheusUrl: string, promql: string, expected: string, timeoutMs: number): Promise<QueryResult[]> =>
  pollUntil(() => query(prometheusUrl, promql), (result) => result.length === 1 && result[0]?.value[1] === expected, `${promql} = ${expected}`, timeoutMs);
