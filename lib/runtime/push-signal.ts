import { signalFamilies, type RunSignal } from '../core/push/run-signals.ts';
import type { PushgatewayPusher, PushTarget } from '../edges/pushgateway/pushgateway-pusher.ts';

// The one way a run signal reaches a Pushgateway, shared by the CLI's `push` and the HTTP
// check-ins (docs/check-ins.md): the same grouping key and the same metric families, so every
// probe rule reads a check-in exactly as it reads a push.

/** One signal of one service, and where it goes. */
export interface SignalPush {
  readonly target: PushTarget;
  readonly service: string;
  /** The metric a success is pushed as: the service's `heartbeat_metric`. */
  readonly heartbeatMetric: string;
  readonly signal: RunSignal;
}

export type SignalPusher = Pick<PushgatewayPusher, 'push'>;

/** Pushes `push.signal` as `signalFamilies` gives it (POST: only these names in the group are replaced). */
export function pushSignal(pusher: SignalPusher, push: SignalPush): Promise<void> {
  return pusher.push(push.target, signalFamilies(push.signal, push.service, push.heartbeatMetric));
}
