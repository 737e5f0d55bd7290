/**
 * The space store's writes, in the order they were issued, with group commit: saves that arrive in the same task,
 * or while the previous write is still committing, are written together in ONE transaction.
 *
 * Why: every document of a space shares one database, and IndexedDB runs readwrite transactions with overlapping
 * scopes one at a time. With durability 'strict' each commit waits for the disk, so two pages typed in at once
 * would each wait for the other's flush; written together they share one. Each save still resolves only when the
 * transaction holding it completed, and all of a batch fail together (a quota error is the space's, not a page's).
 *
 * Order: any other write (setAside, deleteDoc, a compaction, secrets) is a barrier: saves issued before it commit
 * before it starts, saves issued after it commit after it ends, so a page deleted forever is never written again by
 * a save queued before its deletion. Reads do not queue.
 */
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';

export interface QueuedSave {
  readonly docId: DocId;
  readonly bytes: Uint8Array;
}

type Job =
  | { readonly kind: 'save'; readonly save: QueuedSave; resolve(): void; reject(e: unknown): void }
  | { readonly kind: 'op'; run(): Promise<void> };

export class WriteQueue {
  private readonly jobs: Job[] = [];
  private pumping = false;

  /** `writeSaves` writes a batch of saves in one transaction, resolving on its `complete`. */
  constructor(private readonly writeSaves: (saves: readonly QueuedSave[]) => Promise<void>) {}

  save(docId: DocId, bytes: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'save', save: { docId, bytes }, resolve, reject });
      this.pump();
    });
  }

  /** Runs another write in its turn (a barrier between the saves before and after it). */
  run<T>(write: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push({ kind: 'op', run: () => write().then(resolve, reject) });
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    // One microtask first: every save issued in the same task joins the first batch.
    void Promise.resolve().then(async () => {
      try {
        while (this.jobs.length > 0) {
          const head = this.jobs[0]!;
          if (head.kind === 'op') {
            this.jobs.shift();
            await head.run();
            continue;
          }
          const end = this.jobs.findIndex((j) => j.kind === 'op');
          const batch = this.jobs.splice(0, end === -1 ? this.jobs.length : end) as Extract<Job, { kind: 'save' }>[];
          try {
            await this.writeSaves(batch.map((j) => j.save));
            for (const j of batch) j.resolve();
          } catch (e) {
            for (const j of batch) j.reject(e);
          }
        }
      } finally {
        this.pumping = false;
      }
    });
  }
}
