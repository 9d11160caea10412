import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime, RuntimePorts } from '../../lib/runtime/runtime.ts';
import { startPushgateway, tempDir, type RunningProcess, type TempDir } from './processes.ts';

/** A real Pushgateway, a temp dir holding the config, and a runtime reading that config. */
export interface PushgatewayRuntime {
  readonly pushgateway: RunningProcess;
  readonly dir: TempDir;
  readonly runtime: Runtime;
  /** Closes the runtime, stops the Pushgateway and removes the dir. */
  stop(): Promise<void>;
}

/**
 * What a route-table integration test starts with: `config` gets the Pushgateway's URL and becomes
 * config.yml; the runtime logs errors only and runs on production's ports but for those `ports` replaces
 * (a fixed clock).
 */
export async function startPushgatewayRuntime(config: (pushgatewayUrl: string) => string, ports: Partial<RuntimePorts> = {}): Promise<PushgatewayRuntime> {
  const pushgateway = await startPushgateway();
  const dir = await tempDir().catch(async (error: unknown) => {
    await pushgateway.stop();
    throw error;
  });
  const configFile = await dir.file('config.yml', config(pushgateway.url));
  const runtime = runtimeFromEnvironment({ CONFIG_FILE: configFile, LOG_LEVEL: 'error' }, { cwd: '/', ...ports });
  return {
    pushgateway, dir, runtime,
    stop: async () => {
      await runtime.close();
      await pushgateway.stop();
      await dir.remove();
    },
  };
}
