import type { SlicedWork } from '../sliced-work.ts';

/**
 * A table a read leaves for later (the `service` table, the family tables): built in steps by a
 * background run, or at once by the first lookup that needs it, whichever comes first; the lookup
 * finishes what the background started. Each step is one step of the build's sliced work.
 */
export class DeferredBuild {
  private work: SlicedWork<void> | undefined;
  private ready = false;
  /** Why the build threw, if it did (a bug): every later lookup throws it too, rather than read a part-built table. */
  private failure: { readonly error: unknown } | undefined;

  constructor(private readonly start: () => SlicedWork<void>) {}

  get done(): boolean {
    return this.ready;
  }

  /** One step of the build (started by the first); throws what the build threw. */
  step(): void {
    if (this.failure !== undefined) throw this.failure.error;
    this.work ??= this.start();
    try {
      // A generator that threw reports done from then on: without the failure kept, the table would pass for built.
      if (this.work.next().done === true) this.ready = true;
    } catch (error) {
      this.failure = { error };
      throw error;
    }
  }

  /** The rest of the build, at once. */
  finish(): void {
    while (!this.ready) this.step();
  }
}
