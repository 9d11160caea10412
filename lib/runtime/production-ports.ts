import { PushgatewayReader } from '../edges/pushgateway/pushgateway-reader.ts';
import { SdkSsmParameters } from '../edges/ssm/ssm-parameter.ts';
import { monotonicMs } from '../edges/monotonic-clock.ts';
import { readSettings, type ExporterEnvironment } from './environment-settings.ts';
import { createRuntime, type Runtime, type RuntimePorts } from './runtime.ts';

/**
 * The ports a deployed runtime uses, the one place they are chosen: the system clock and the monotonic clock, JSON log
 * lines on stderr, a keep-alive Pushgateway reader and SSM through the AWS SDK (loaded on first
 * use). `replace` swaps any of them (a test's clock, a CLI run's quiet log).
 */
export function productionPorts(replace: Partial<RuntimePorts> = {}): RuntimePorts {
  return {
    clock: replace.clock ?? Date.now,
    monotonicMs: replace.monotonicMs ?? monotonicMs,
    writeLog: replace.writeLog ?? ((line) => process.stderr.write(`${line}\n`)),
    pushgateway: replace.pushgateway ?? new PushgatewayReader(),
    ssm: replace.ssm ?? new SdkSsmParameters(),
  };
}

/**
 * The runtime an entry point serves with: settings read from `env` (a relative `CONFIG_FILE`
 * against `cwd`) and production's ports, any of which `replace` swaps.
 */
export function runtimeFromEnvironment(env: ExporterEnvironment, options: { readonly cwd: string } & Partial<RuntimePorts>): Runtime {
  const { cwd, ...replace } = options;
  return createRuntime(readSettings(env, cwd), productionPorts(replace));
}
