import { after, before, beforeEach } from 'node:test';
import { runtimeFromEnvironment } from '../../lib/runtime/production-ports.ts';
import type { Runtime } from '../../lib/runtime/runtime.ts';
import { MOTO_ENVIRONMENT, startMotoSsm, type MotoSsm } from './moto-ssm.ts';

export interface MotoRuntimes {
  /** The block's moto_server, which the SDK reaches through AWS_ENDPOINT_URL_SSM. */
  readonly moto: MotoSsm;
  /** Every log line of the runtimes made in the current test (emptied before each test). */
  readonly logs: readonly string[];
  /** Moves the runtimes' shared clock on. */
  advance(ms: number): void;
  /** A runtime on `env`, logging into `logs`, on the shared clock; closed after the block. */
  runtime(env: Record<string, string>, cwd?: string): Runtime;
}

/**
 * Registers before/after hooks in the calling describe block: one moto_server for the block, the
 * process's SSM endpoint and dummy credentials pointed at it, and runtimes on a hand-driven clock.
 */
export function motoRuntimes(): MotoRuntimes {
  let moto: MotoSsm | undefined;
  let now = Date.now();
  const logs: string[] = [];
  const runtimes: Runtime[] = [];

  before(async () => {
    moto = await startMotoSsm();
    Object.assign(process.env, { AWS_ENDPOINT_URL_SSM: moto.url, ...MOTO_ENVIRONMENT });
  });
  after(async () => {
    await Promise.all(runtimes.map((made) => made.close()));
    await moto?.stop();
  });
  beforeEach(() => {
    logs.length = 0;
  });

  return {
    get moto() {
      if (moto === undefined) throw new Error('moto used before the block\'s before hook ran');
      return moto;
    },
    logs,
    advance: (ms) => { now += ms; },
    runtime: (env, cwd = '/') => {
      const made = runtimeFromEnvironment(env, { cwd, clock: () => now, writeLog: (line) => logs.push(line) });
      runtimes.push(made);
      return made;
    },
  };
}
