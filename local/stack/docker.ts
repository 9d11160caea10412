// The local stack with Docker: `docker compose up` on local/docker-compose.yml, in the foreground.
import { assertPortFree, earlyExitMessage, findOnPath, startProcess, succeeds, waitForHttp, type ManagedProcess } from './processes.ts';
import { COMPOSE_FILE, pushTokenEnv, REPO_ROOT, StackError, type StackSettings } from './settings.ts';

const PROJECT_NAME = 'pushgateway-exporter-local';
/** Image pulls and the exporter's `npm ci` come first. */
const READY_TIMEOUT_MS = 10 * 60_000;

export function dockerEngineRuns(): boolean {
  return succeeds('docker', ['info'], 20_000);
}

function findComposeCommand(): readonly [string, ...string[]] {
  if (succeeds('docker', ['compose', 'version'])) return ['docker', 'compose'];
  if (findOnPath('docker-compose') !== undefined) return ['docker-compose'];
  throw new StackError('a Docker engine runs but neither "docker compose" nor "docker-compose" is installed');
}

export class DockerStack {
  private compose: ManagedProcess | undefined;
  private stopping = false;
  private readonly composeCommand = findComposeCommand();

  constructor(private readonly settings: StackSettings) {}

  /** The command that removes the stopped containers and the exporter's node_modules volume. */
  get downCommand(): string {
    return [...this.composeCommand, '-p', PROJECT_NAME, '-f', COMPOSE_FILE, 'down', '-v'].join(' ');
  }

  async start(): Promise<void> {
    const { settings } = this;
    const second = settings.secondPushgateway;
    for (const port of [settings.pushgateway, settings.exporter, settings.prometheus, settings.grafana, ...(second === undefined ? [] : [second])]) await assertPortFree(port);
    const [command, ...prefix] = this.composeCommand;
    if (this.stopping) throw new StackError('stopped while starting');
    this.compose = startProcess({
      name: 'docker compose',
      command,
      args: [...prefix, '-p', PROJECT_NAME, '-f', COMPOSE_FILE, 'up'],
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: String(settings.exporter.port),
        PUSHGATEWAY_PORT: String(settings.pushgateway.port),
        PROMETHEUS_PORT: String(settings.prometheus.port),
        GRAFANA_PORT: String(settings.grafana.port),
        ...pushTokenEnv(settings),
        // The second Pushgateway is the compose profile "two-pushgateways" (docs/high-availability.md#two-pushgateways-in-the-local-stack).
        ...(second === undefined ? {} : {
          COMPOSE_PROFILES: 'two-pushgateways',
          PUSHGATEWAY_B_PORT: String(second.port),
          LOCAL_PUSHGATEWAY_URLS: 'http://pushgateway:9091,http://pushgateway-b:9091',
        }),
      },
      // Compose stops the containers on SIGINT, as on Ctrl-C.
      stopSignal: 'SIGINT',
      stopGraceMs: 60_000,
    });
    console.log(`local stack: started ${[command, ...prefix].join(' ')} -f ${COMPOSE_FILE} up (pid ${this.compose.pid})`);
    await waitForHttp(`http://127.0.0.1:${settings.exporter.port}/-/healthy`, this.compose, READY_TIMEOUT_MS);
    await waitForHttp(`http://127.0.0.1:${settings.prometheus.port}/-/ready`, this.compose, READY_TIMEOUT_MS);
  }

  async failure(): Promise<string> {
    const compose = this.compose;
    if (compose === undefined) return new Promise<string>(() => {});
    return earlyExitMessage(compose, await compose.exited, 'unexpectedly');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.compose?.stop();
  }
}
