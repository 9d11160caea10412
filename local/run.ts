// `npm run local`: Pushgateway, the exporter under serverless-offline, Prometheus scraping it
// with the probe job, and a demo heartbeat for service1. With Docker when an engine runs
// (local/docker-compose.yml), else from Debian's packages as child processes.
//
//   npm run local [-- --docker | --native]
//   env: PORT (exporter, 9116), PUSHGATEWAY_PORT (9091), PROMETHEUS_PORT (9090),
//        OFFLINE_LAMBDA_PORT (3002), LOCAL_STACK_DIR (.local-stack), LOG_LEVEL,
//        LOCAL_PUSHGATEWAYS (1, or 2 for a second Pushgateway on PUSHGATEWAY_B_PORT, 9092: docs/high-availability.md)
import { parseArgs } from 'node:util';
import { DockerStack, dockerEngineRuns } from './stack/docker.ts';
import { NativeStack } from './stack/native.ts';
import { readSettings, readyMessage, StackError, type StackSettings } from './stack/settings.ts';

interface Stack {
  start(): Promise<void>;
  failure(): Promise<string>;
  stop(): Promise<void>;
}

const USAGE = `usage: npm run local [-- --docker | --native]
  --docker   use docker compose (local/docker-compose.yml); fails without a running engine
  --native   use Debian's prometheus-pushgateway and prometheus as child processes
  default: Docker when \`docker info\` succeeds, else native
  env: PORT, PUSHGATEWAY_PORT, PROMETHEUS_PORT, OFFLINE_LAMBDA_PORT, LOCAL_STACK_DIR, LOG_LEVEL,
       LOCAL_PUSHGATEWAYS=2 (a second Pushgateway on PUSHGATEWAY_B_PORT, default 9092)`;

interface ChosenStack {
  readonly stack: Stack;
  readonly settings: StackSettings;
  /** For the ready message. */
  readonly how: string;
  /** Printed after a requested stop. */
  readonly afterStop?: string;
}

function chooseStack(argv: readonly string[]): ChosenStack | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: { docker: { type: 'boolean' }, native: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return undefined;
  if (values.docker && values.native) throw new StackError('choose one of --docker and --native');
  const settings = readSettings(process.env);
  const useDocker = values.native !== true && dockerEngineRuns();
  if (values.docker && !useDocker) throw new StackError('--docker: no Docker engine answers `docker info`');
  if (useDocker) {
    const stack = new DockerStack(settings);
    return { stack, settings, how: 'docker compose', afterStop: `containers stopped; remove them with: ${stack.downCommand}` };
  }
  const why = values.native === true ? '--native' : 'no Docker engine answers `docker info`';
  console.log(`local stack: ${why}: running Debian's packages as child processes`);
  return { stack: new NativeStack(settings), settings, how: `native; logs and data in ${settings.stateDir}` };
}

function errorLine(error: unknown): string {
  return `local stack: ${error instanceof Error ? error.message : String(error)}`;
}

async function main(): Promise<void> {
  let chosen: ChosenStack | undefined;
  try {
    chosen = chooseStack(process.argv.slice(2));
  } catch (error) {
    console.error(errorLine(error));
    process.exit(1);
  }
  if (chosen === undefined) {
    console.log(USAGE);
    return;
  }
  const { stack, settings, how, afterStop } = chosen;

  let stopping: Promise<void> | undefined;
  /** Stops everything once; a failure is printed last, where the user looks. */
  const shutdown = (failure?: string): Promise<void> => {
    stopping ??= (async () => {
      await stack.stop();
      if (failure !== undefined) {
        console.error(failure);
        process.exit(1);
      }
      if (afterStop !== undefined) console.log(`local stack: ${afterStop}`);
      console.log('local stack: stopped');
      process.exit(0);
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (stopping === undefined) console.log(`local stack: ${signal} received, stopping everything`);
      void shutdown();
    });
  }

  try {
    await stack.start();
  } catch (error) {
    if (stopping === undefined) await shutdown(errorLine(error));
    return;
  }
  if (stopping !== undefined) return;
  console.log(readyMessage(settings, how, stack instanceof DockerStack, stack instanceof DockerStack ? '/alerts' : '/classic/alerts'));
  const failure = await stack.failure();
  if (stopping === undefined) await shutdown(`local stack: ${failure}`);
}

await main();
