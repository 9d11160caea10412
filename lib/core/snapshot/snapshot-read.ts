import type { Snapshot } from './snapshot.ts';

/** One Pushgateway's part of a read of several (docs/high-availability.md#per-gateway-health). */
export interface GatewayRead {
  /** The URL redacted of credentials: how every answer, metric and log line names the Pushgateway. */
  readonly pushgateway: string;
  /** Whether its latest read succeeded. */
  readonly up: boolean;
  /** Whether a snapshot of it (fresh, or a stale fallback) is part of the answer. */
  readonly used: boolean;
  readonly snapshotAgeSeconds: number | undefined;
  readonly error: string | undefined;
}

/** What one read of the snapshot cache gave a probe: the snapshot (if any) and how it was come by. */
export interface SnapshotRead {
  /** Undefined when the Pushgateway could not be read and no recent snapshot exists. */
  readonly snapshot: Snapshot | undefined;
  /** With several Pushgateways: true when at least one of those read answered (docs/high-availability.md#failure-behaviour). */
  readonly pushgatewayUp: boolean;
  /** With several: the oldest snapshot merged. */
  readonly snapshotAgeSeconds: number | undefined;
  /** Why the latest read failed, one line; undefined when it succeeded (with several: when any succeeded). */
  readonly error: string | undefined;
  readonly cacheHit: boolean;
  /**
   * The clock's time (milliseconds) as one Pushgateway's read was answered, which its snapshot's age
   * counts to: a probe is judged at that time, with no clock read of its own. Unset for a read of
   * several, whose probe reads the clock.
   */
  readonly readAtMs?: number | undefined;
  /** Each Pushgateway read, in `pushgateway_url` order: only when there are several (one reads exactly as before). */
  readonly gateways?: readonly GatewayRead[] | undefined;
}
