/**
 * The operations a store has in flight, so that close() and destroy() wait for them: a write acknowledged
 * to DocSync must never be cut off by a close that ran ahead of it, and background work (compaction) must
 * finish before the database is closed or deleted. Shared by the page store and the space store.
 */
export class PendingOps {
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Tracks `p` until it settles (it may reject: the caller handles that; tracking never does). */
  track(p: Promise<unknown>): void {
    this.inFlight.add(p);
    const done = () => this.inFlight.delete(p);
    void p.then(done, done);
  }

  /** Resolves once nothing is in flight. Loops: settling work can start more (a save schedules its compaction). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
