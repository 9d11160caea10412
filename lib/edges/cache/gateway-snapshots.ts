import type { ExporterConfig } from '../../core/config/config-types.ts';
import { redactUrl } from '../../core/config/redact-url.ts';
import type { mergeSnapshots as MergeSnapshots } from '../../core/snapshot/merged-snapshot.ts';
import type { Snapshot } from '../../core/snapshot/snapshot.ts';
import type { GatewayRead, SnapshotRead } from '../../core/snapshot/snapshot-read.ts';
import type { SnapshotSource } from './snapshot-source.ts';
import type { MaybePromise } from '../../core/maybe-promise.ts';

/**
 * The merge, loaded by the first read of several Pushgateways (any view of more than one snapshot
 * follows one): a one-Pushgateway process never loads it (docs/deploying.md#cold-start).
 */
let mergeSnapshots: typeof MergeSnapshots | undefined;
let merging: Promise<unknown> | undefined;
const loadMerge = (): Promise<unknown> =>
  (merging ??= import('../../core/snapshot/merged-snapshot.ts').then((merged) => { mergeSnapshots = merged.mergeSnapshots; }));

/** Every Pushgateway's read, by URL, from one parallel read of them. */
export type GatewayReads = ReadonlyMap<string, SnapshotRead>;

/**
 * One snapshot cache per Pushgateway (docs/high-availability.md): each keeps its own bounds (one
 * read at a time, two reused slots, lib/edges/cache/snapshot-source.ts), all are read in parallel
 * within the same wait, and a probe gets their snapshots merged as one view
 * (lib/core/snapshot/merged-snapshot.ts). With one Pushgateway the read is that source's own, as
 * it was before there could be several: no merge, no per-gateway fields.
 */
export class GatewaySnapshots {
  private readonly sources = new Map<string, SnapshotSource>();
  /** The Pushgateways whose latest read failed. */
  private readonly down = new Set<string>();
  /** The last merged view of each set of Pushgateways, kept while its parts are the same snapshots (warm probe answers key on it). */
  private readonly merged = new Map<string, { readonly parts: readonly Snapshot[]; readonly view: Snapshot }>();

  constructor(private readonly newSource: () => SnapshotSource) {}

  /**
   * The snapshot of `shard`'s Pushgateways (undefined: all of them), merged; each waits at most
   * `maxWaitMs`, in parallel. `nowMs`: the clock's time, read in this same turn; one Pushgateway's
   * cache checks its TTL against it, several read the clock themselves.
   */
  read(config: ExporterConfig, maxWaitMs: number, shard?: readonly string[], nowMs?: number): MaybePromise<SnapshotRead> {
    const urls = shard ?? config.pushgatewayUrls;
    // Not async: one Pushgateway's read is handed on as it is, at once when its snapshot is fresh.
    if (config.pushgatewayUrls.length === 1 && urls.length === 1) return this.sourceFor(config, urls[0] ?? '').read(config, maxWaitMs, urls[0], nowMs);
    return this.readEach(config, maxWaitMs, urls).then((reads) => this.combine(config, reads, shard));
  }

  /** Every Pushgateway read once, in parallel (what `/probes` shares among its services); `combine` makes each shard's read of it. */
  async readEach(config: ExporterConfig, maxWaitMs: number, urls: readonly string[] = config.pushgatewayUrls): Promise<GatewayReads> {
    // A Pushgateway whose last read failed is read on, but not waited for while another one is up:
    // a hung one would otherwise hold every probe for its whole budget
    // (docs/high-availability.md#failure-behaviour). Its read goes on behind the probe, and the
    // first probe after it succeeds gets it back.
    const anyUp = urls.some((url) => !this.down.has(url));
    const [reads] = await Promise.all([
      Promise.all(urls.map((url) => this.sourceFor(config, url).read(config, anyUp && this.down.has(url) ? 0 : maxWaitMs, url))),
      config.pushgatewayUrls.length > 1 ? loadMerge() : undefined,
    ]);
    reads.forEach((read, index) => {
      const url = urls[index] ?? '';
      if (read.pushgatewayUp) this.down.delete(url);
      else this.down.add(url);
    });
    return new Map(urls.map((url, index) => [url, reads[index] as SnapshotRead]));
  }

  /** The read of `shard` (undefined: every Pushgateway) from `reads`: what one probe of it gets. */
  combine(config: ExporterConfig, reads: GatewayReads, shard?: readonly string[]): SnapshotRead {
    const urls = shard ?? config.pushgatewayUrls;
    if (config.pushgatewayUrls.length === 1 && urls.length === 1) {
      const only = reads.get(urls[0] ?? '');
      if (only !== undefined) return only;
    }
    const each = urls.flatMap((url) => {
      const read = reads.get(url);
      return read === undefined ? [] : [{ url, read }];
    });
    const used = each.filter(({ read }) => read.snapshot !== undefined);
    const up = each.some(({ read }) => read.pushgatewayUp);
    const gateways: GatewayRead[] = each.map(({ url, read }) => ({
      pushgateway: redactUrl(url), up: read.pushgatewayUp, used: read.snapshot !== undefined, snapshotAgeSeconds: read.snapshotAgeSeconds, error: read.error,
    }));
    const ages = used.flatMap(({ read }) => (read.snapshotAgeSeconds === undefined ? [] : [read.snapshotAgeSeconds]));
    return {
      snapshot: this.view(urls.join('\n'), used.map(({ read }) => read.snapshot as Snapshot)),
      pushgatewayUp: up,
      snapshotAgeSeconds: ages.length === 0 ? undefined : Math.max(...ages),
      // One answering Pushgateway is no outage: the probe is judged without a read error, and each failure is named per gateway.
      error: up ? undefined : each.flatMap(({ read }) => (read.error === undefined ? [] : [read.error])).join('; ') || undefined,
      cacheHit: each.every(({ read }) => read.cacheHit),
      gateways,
    };
  }

  /** The snapshots in hand, merged, without reading: for what `/metrics` shows from them. */
  async peek(): Promise<Snapshot | undefined> {
    const parts = [...this.sources.values()].flatMap((source) => source.peek() ?? []);
    if (parts.length > 1) await loadMerge();
    return this.view('peek', parts);
  }

  private view(key: string, parts: readonly Snapshot[]): Snapshot | undefined {
    if (parts.length <= 1) return parts[0];
    const known = this.merged.get(key);
    if (known !== undefined && known.parts.length === parts.length && known.parts.every((part, index) => part === parts[index])) return known.view;
    // Unreachable: several snapshots are merged only by peek and by combine of readEach's reads, which loaded the merge first.
    if (mergeSnapshots === undefined) throw new Error('several snapshots to merge before the merge was loaded');
    const view = mergeSnapshots(parts);
    this.merged.set(key, { parts, view });
    return view;
  }

  /**
   * Drops the Pushgateways `config` no longer names, with their snapshots (a config reload removed
   * them): `/metrics` and `peek` no longer show them.
   */
  prune(config: ExporterConfig): void {
    for (const known of this.sources.keys()) {
      if (config.pushgatewayUrls.includes(known)) continue;
      this.sources.delete(known);
      this.down.delete(known);
      this.merged.clear();
    }
  }

  /** One source per configured URL; a URL no longer configured is dropped with its snapshots. */
  private sourceFor(config: ExporterConfig, url: string): SnapshotSource {
    let source = this.sources.get(url);
    if (source === undefined) {
      this.prune(config);
      if (this.merged.size > 64) this.merged.clear();
      source = this.newSource();
      this.sources.set(url, source);
    }
    return source;
  }
}
