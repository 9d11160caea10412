import type { PushgatewayPusher } from '../edges/pushgateway/pushgateway-pusher.ts';

/** What a runtime pushes check-ins with. */
export type RuntimePusher = Pick<PushgatewayPusher, 'push' | 'close'>;

/** Connections to the Pushgateway a serving process pushes check-ins on; more wait their turn. */
const CHECK_IN_CONNECTIONS = 4;

/**
 * A pusher loaded on the first check-in: the pusher's undici stays out of the Lambda's init graph
 * (docs/deploying.md#cold-start), and a process that serves no check-in never loads it.
 */
export function lazyPusher(): RuntimePusher {
  let loaded: Promise<PushgatewayPusher> | undefined;
  const pusher = (): Promise<PushgatewayPusher> =>
    (loaded ??= import('../edges/pushgateway/pushgateway-pusher.ts').then(({ PushgatewayPusher: Pusher }) => new Pusher({ connections: CHECK_IN_CONNECTIONS })));
  return {
    push: async (target, families) => (await pusher()).push(target, families),
    close: async () => {
      if (loaded !== undefined) await (await loaded).close();
    },
  };
}
