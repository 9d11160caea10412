import type { Snapshot } from './snapshot.ts';

/** What one read of the snapshot cache gave a probe: the snapshot (if any) and how it was come by. */
export interface SnapshotRead {
  /** Undefined when the Pushgateway could not be read and no recent snapshot exists. */
  readonly snapshot: Snapshot | undefined;
  readonly pushgatewayUp: boolean;
  readonly snapshotAgeSeconds: number | undefined;
  /** Why the latest read failed, one line; undefined when it succeeded. */
  readonly error: string | undefined;
  readonly cacheHit: boolean;
}
