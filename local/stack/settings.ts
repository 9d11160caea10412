import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const COMPOSE_FILE = 'local/docker-compose.yml';
export const PROMETHEUS_FILE = 'local/prometheus.yml';
export const EXPORTER_CONFIG_FILE = 'local/config.yml';
export const DEMO_SERVICE = 'service1';
/**
 * The push key the local stack gives the exporter when the shell sets none, so `/ping` works out of
 * the box (docs/check-ins.md#in-the-local-stack). Local only: it is printed at start-up and in the
 * docs, so it is no secret; a deployment sets its own PUSH_TOKEN or PUSH_TOKEN_SSM_PARAMETER.
 */
export const LOCAL_DEMO_PUSH_KEY = 'local-demo-key';

/** A failure worth one clear line to the user (no stack trace). */
export class StackError extends Error {
  override readonly name = 'StackError';
}

export interface StackPort {
  readonly label: string;
  /** The environment variable that overrides it. */
  readonly envVar: string;
  readonly port: number;
}

export interface StackSettings {
  readonly exporter: StackPort;
  readonly pushgateway: StackPort;
  /**
   * A second Pushgateway, when `LOCAL_PUSHGATEWAYS=2` (docs/high-availability.md#two-pushgateways-in-the-local-stack):
   * the demo heartbeat goes to both, the exporter reads both.
   */
  readonly secondPushgateway: StackPort | undefined;
  readonly prometheus: StackPort;
  /** Grafana with the dashboard (Docker stack only: Debian does not package Grafana). */
  readonly grafana: StackPort;
  /** serverless-offline's internal Lambda invoke port (native stack only). */
  readonly offlineLambda: StackPort;
  /** Generated Prometheus config, its data and the logs of the native stack. */
  readonly stateDir: string;
  /**
   * The exporter's push keys: the shell's PUSH_TOKEN, else the demo key; undefined when the shell
   * names PUSH_TOKEN_SSM_PARAMETER alone (the exporter then reads its keys from SSM).
   */
  readonly pushToken: { readonly value: string; readonly demo: boolean } | undefined;
}

function readPort(env: NodeJS.ProcessEnv, envVar: string, label: string, fallback: number): StackPort {
  const raw = env[envVar];
  if (raw === undefined || raw === '') return { label, envVar, port: fallback };
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new StackError(`${envVar} must be a port number (1-65535), got "${raw}"`);
  }
  return { label, envVar, port };
}

/** `LOCAL_PUSHGATEWAYS`: 1 (the default) or 2. */
function pushgatewayCount(env: NodeJS.ProcessEnv): 1 | 2 {
  const raw = env.LOCAL_PUSHGATEWAYS;
  if (raw === undefined || raw === '' || raw === '1') return 1;
  if (raw === '2') return 2;
  throw new StackError(`LOCAL_PUSHGATEWAYS must be 1 or 2, got "${raw.slice(0, 20)}"`);
}

export function readSettings(env: NodeJS.ProcessEnv): StackSettings {
  return {
    exporter: readPort(env, 'PORT', 'exporter', 9116),
    pushgateway: readPort(env, 'PUSHGATEWAY_PORT', 'Pushgateway', 9091),
    secondPushgateway: pushgatewayCount(env) === 2 ? readPort(env, 'PUSHGATEWAY_B_PORT', 'second Pushgateway', 9092) : undefined,
    prometheus: readPort(env, 'PROMETHEUS_PORT', 'Prometheus', 9090),
    grafana: readPort(env, 'GRAFANA_PORT', 'Grafana', 3000),
    offlineLambda: readPort(env, 'OFFLINE_LAMBDA_PORT', 'serverless-offline Lambda', 3002),
    stateDir: resolve(REPO_ROOT, env.LOCAL_STACK_DIR || '.local-stack'),
    pushToken: readPushToken(env),
  };
}

function readPushToken(env: NodeJS.ProcessEnv): StackSettings['pushToken'] {
  const own = env.PUSH_TOKEN ?? '';
  if (own !== '') return { value: own, demo: false };
  if ((env.PUSH_TOKEN_SSM_PARAMETER ?? '') !== '') return undefined;
  return { value: LOCAL_DEMO_PUSH_KEY, demo: true };
}

/** The environment that hands the stack's push keys to the exporter (empty when they come from SSM). */
export const pushTokenEnv = (settings: StackSettings): NodeJS.ProcessEnv =>
  settings.pushToken === undefined ? {} : { PUSH_TOKEN: settings.pushToken.value };

/** The check-in line of the ready message: the demo key in full, never a key of the user's own. */
function checkInLine(settings: StackSettings, exporter: string): string {
  const { pushToken } = settings;
  const key = pushToken?.demo === true ? pushToken.value : '<your push key>';
  const note = pushToken?.demo === true ? 'the local demo key; set PUSH_TOKEN for your own' : 'PUSH_TOKEN from the shell';
  return `  check-in     curl -fsS '${exporter}/ping/${key}/service2'      (service2 is up for 5 s; /start, /fail, /<exit code>: docs/check-ins.md; ${note})`;
}

/**
 * The lines printed once everything answers: what to curl. `alertsPath` is where the Prometheus UI
 * lists alerts: `/alerts` in the upstream image, `/classic/alerts` in Debian's package, which ships
 * only the classic UI.
 */
export function readyMessage(settings: StackSettings, how: string, withGrafana: boolean, alertsPath: string): string {
  const exporter = `localhost:${settings.exporter.port}`;
  const prometheus = `http://localhost:${settings.prometheus.port}`;
  return [
    `Local stack ready (${how}).`,
    `  probe        curl '${exporter}/probe?target=service1'      (service2 never pushes: probe_success 0)`,
    `  debug        curl '${exporter}/probe?target=service1&debug=true'`,
    `  status page  http://${exporter}/      (JSON: curl '${exporter}/?format=json')`,
    `  Prometheus   curl '${prometheus}/api/v1/query?query=probe_success'      (UI: ${prometheus}, alerts: ${prometheus}${alertsPath})`,
    `  Pushgateway  http://localhost:${settings.pushgateway.port}/metrics`,
    ...(settings.secondPushgateway === undefined ? [] : [
      `  second       http://localhost:${settings.secondPushgateway.port}/metrics      (stop either: probes stay right, PushgatewayDown names it)`,
    ]),
    // config.yml names the Pushgateway by its compose name: outside Docker the CLI needs its address.
    `  CLI          PUSHGATEWAY_URL=http://127.0.0.1:${settings.pushgateway.port} npx pushgateway-exporter probe --target service1 --config config.yml`,
    checkInLine(settings, exporter),
    `  push         PUSHGATEWAY_URL=http://127.0.0.1:${settings.pushgateway.port} npx pushgateway-exporter push --service service2      (docs/pushing.md: Python, Node, Go, curl)`,
    ...(withGrafana ? [`  Grafana      http://localhost:${settings.grafana.port}/      (the probes dashboard is the home page)`] : []),
    'Ctrl-C stops everything.',
  ].join('\n');
}
