import { createServer, type Server } from 'node:http';
import { after, before } from 'node:test';
import { type Runtime } from '../../lib/runtime/runtime.ts';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import { freePort, startPushgateway, tempDir, type RunningProcess, type TempDir } from './processes.ts';

/** Two services with 5 s thresholds, a 3 s snapshot interval and 20 s of stale fallback. */
export const routesConfigText = (pushgatewayUrl: string, extra = ''): string => `pushgateway_url: "${pushgatewayUrl}"
scrape_interval_seconds: 3
max_stale_seconds: 20
${extra}
services:
  - name: service1
    freshness_threshold_seconds: 5
  - name: service2
    freshness_threshold_seconds: 5
`;

/** A runtime with a hand-driven clock, so cache expiry is tested without sleeping. */
export interface DrivenRuntime {
  readonly runtime: Runtime;
  advance(ms: number): void;
  nowSeconds(): number;
}

export interface RoutesFixture {
  /** The real Pushgateway the describe block shares. */
  readonly pushgateway: RunningProcess;
  readonly dir: TempDir;
  /** A runtime on `routesConfigText(url, extra)`, closed after the block. */
  setup(extra?: string, url?: string): Promise<DrivenRuntime>;
  /** A runtime with a hand-driven clock on a config file, closed after the block. */
  runtimeFor(configFile: string, startMs?: number): DrivenRuntime;
  /** Closes a runtime made elsewhere after the block. */
  track(runtime: Runtime): Runtime;
  /** A loopback HTTP server standing in for a Pushgateway that misbehaves; closed after the block. */
  fakePushgateway(handler: Parameters<typeof createServer>[1]): Promise<string>;
}

/**
 * Registers before/after hooks in the calling describe block: one real Pushgateway and a temp
 * directory for the block, every runtime and fake server it makes closed at its end.
 */
export function routesOnPushgateway(): RoutesFixture {
  let pushgateway: RunningProcess | undefined;
  let dir: TempDir | undefined;
  const runtimes: Runtime[] = [];
  const servers: Server[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} used before the block's before hook ran`);
    return value;
  };

  before(async () => {
    pushgateway = await startPushgateway();
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.close()));
    for (const server of servers) { server.closeAllConnections(); server.close(); }
    await pushgateway?.stop();
    await dir?.remove();
  });

  const fixture: RoutesFixture = {
    get pushgateway() { return started(pushgateway, 'pushgateway'); },
    get dir() { return started(dir, 'dir'); },
    async setup(extra = '', url = fixture.pushgateway.url) {
      const file = await fixture.dir.file(`config-${runtimes.length}.yml`, routesConfigText(url, extra));
      return fixture.runtimeFor(file);
    },
    runtimeFor(configFile, startMs = Date.now()) {
      let now = startMs;
      const runtime = fixture.track(runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error' }, { cwd: '/', clock: () => now }));
      return { runtime, advance: (ms) => { now += ms; }, nowSeconds: () => now / 1000 };
    },
    track(runtime) {
      runtimes.push(runtime);
      return runtime;
    },
    async fakePushgateway(handler) {
      const server = createServer(handler);
      servers.push(server);
      const port = await freePort();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      return `http://127.0.0.1:${port}`;
    },
  };
  return fixture;
}
