import { join } from 'node:path';
import { freePort, PROJECT_ROOT, startProcess, type RunningProcess, type TempDir } from './processes.ts';

/**
 * `npm run serve`'s server (the built dist/server/server.mjs) on a free port, reading
 * `pushgatewayUrl` anew every half second, so reads run all through a test and every probe judges
 * a fresh snapshot.
 */
export async function startServer(dir: TempDir, name: string, pushgatewayUrl: string, logLevel: 'info' | 'error'): Promise<RunningProcess> {
  const config = await dir.file(`${name}.yml`, [
    `pushgateway_url: "${pushgatewayUrl}"`,
    'scrape_interval_seconds: 0.5',
    'timeout_seconds: 30',
    'services:',
    '  - name: service1',
    '    freshness_threshold_seconds: 3600',
    '',
  ].join('\n'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess(process.execPath, [join(PROJECT_ROOT, 'dist', 'server', 'server.mjs')], {
    readyUrl: `${url}/-/healthy`, url, port,
    env: { PORT: String(port), HOST: '127.0.0.1', CONFIG_FILE: config, LOG_LEVEL: logLevel },
  });
}

/** One request, timed; a request that fails (the server stalled past the timeout, or died) counts as never answered. */
export async function timed(url: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = await response.text();
    return { ms: performance.now() - started, status: response.status, body };
  } catch (error) {
    return { ms: Number.POSITIVE_INFINITY, status: 0, body: String(error) };
  }
}
