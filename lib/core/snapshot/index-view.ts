/**
 * A read-only map over the index: `get` is a hash lookup; size and iteration build every entry
 * (tests and tools). `Snapshot.groups` (by groupKey) and `Snapshot.families` (the newest HELP and
 * TYPE of each family, by name) are both this.
 */
export class IndexView<V> implements ReadonlyMap<string, V> {
  constructor(
    private readonly lookup: (key: string) => V | undefined,
    private readonly count: () => number,
    private readonly list: () => [string, V][],
  ) {}

  get size(): number {
    return this.count();
  }

  get(key: string): V | undefined {
    return this.lookup(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.all()) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[string, V]> {
    return this.all().entries();
  }

  keys(): MapIterator<string> {
    return this.all().keys();
  }

  values(): MapIterator<V> {
    return this.all().values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  private all(): Map<string, V> {
    return new Map(this.list());
  }
}
