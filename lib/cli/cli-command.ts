import type { GroupingLabels } from '../core/push/grouping-key.ts';
import type { ExporterEnvironment } from '../runtime/environment-settings.ts';

export type PushSignalKind = 'success' | 'start' | 'failure';

export interface PushOptions {
  /** Each may carry `user:password@`; the push goes to all of them (docs/high-availability.md#pushing-to-several). */
  readonly pushgatewayUrls: readonly string[];
  readonly bearerToken: string | undefined;
  readonly service: string;
  /** The metric a success is pushed as: the service's `heartbeat_metric`. */
  readonly heartbeatMetric: string;
  readonly job: string;
  /** The whole grouping key after `job`: `instance` first, then each `--label`. */
  readonly labels: GroupingLabels;
  /** What a push without a command reports. */
  readonly signal: PushSignalKind;
  /** The command to run and report on, when given after `--`. */
  readonly command: readonly string[] | undefined;
  readonly timeoutSeconds: number;
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'push'; readonly options: PushOptions }
  | { readonly kind: 'check-config'; readonly files: readonly string[] }
  | { readonly kind: 'probe'; readonly target: string; readonly configFile: string | undefined }
  | { readonly kind: 'reap'; readonly dryRun: boolean; readonly configFile: string | undefined }
  /** Wrong arguments: the one-line message, then the usage, on stderr; exit 2. */
  | { readonly kind: 'usage-error'; readonly message: string };

/** Where the CLI's commands write; the entry point binds them to stdout and stderr. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The environment variables the CLI's argument defaults come from (read by lib/runtime/environment-settings.ts). */
export type CliEnvironment = Pick<ExporterEnvironment, 'PUSHGATEWAY_URL' | 'PUSHGATEWAY_BEARER_TOKEN'>;
