/**
 * "Not yet stored by the relay", per page, kept durably in the SyncStateStore (its `dirty` set) so that a
 * change this device made reaches the relay through the background sync even if the tab dies first: while
 * the relay was unreachable, while DocSync's queue for the relay layer waited out a retry backoff (nothing
 * handed to the layer), or while the relay refused the page.
 *
 * Write cost, bounded per page, not per keystroke: the first change of a page after it was last seen
 * stored writes one row (`addDirty`); later changes only bump an in-memory counter. The row goes when a
 * pass saw the relay's stored acknowledgement cover the page's whole live state (`clear`), unless the page
 * changed since that check. So at most one put and one delete per changed page per background pass
 * (POLL_MS), whatever the typing rate.
 *
 * Ordering: a mark is requested synchronously when DocSync queues the change, before its 250 ms local
 * write coalescing, and is one small put; the local write is normally the later of the two. A write that
 * fails is reported and forgotten here, so the next change of the page tries again.
 */
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';
import type { SyncStateStore } from './SyncStateStore.ts';

export class UnstoredMarks {
  /** Pages marked (durably, or the put is in flight), with that put. */
  private readonly marked = new Map<DocId, Promise<void>>();
  /** Per page, how many changes were seen this session: `clear` drops a mark only if none came since its check. */
  private readonly changes = new Map<DocId, number>();

  constructor(
    private readonly store: SyncStateStore,
    private readonly key: string,
    private readonly onError: (e: unknown, docId: DocId) => void,
  ) {}

  /** A change of `docId` is on its way to the relay: mark it, once per period until it is seen stored. */
  changed(docId: DocId): void {
    this.changes.set(docId, this.version(docId) + 1);
    if (this.marked.has(docId)) return;
    const put = this.store.addDirty(this.key, [docId]).catch((e: unknown) => {
      if (this.marked.get(docId) === put) this.marked.delete(docId);
      this.onError(e, docId);
    });
    this.marked.set(docId, put);
  }

  /** The number of changes of `docId` seen so far: taken when its stored state is checked, given to `clear`. */
  version(docId: DocId): number {
    return this.changes.get(docId) ?? 0;
  }

  /**
   * The relay stored everything `docId` held at `version`: its mark goes, unless it changed since (then it
   * stays for the next pass). `stored`: the mark was in the store when the pass began (an earlier session's);
   * a page marked neither there nor here costs no write. Rejects with the store's error (the mark stays).
   */
  async clear(docId: DocId, version: number, stored: boolean): Promise<void> {
    if (!stored && !this.marked.has(docId)) return;
    await this.marked.get(docId); // a put in flight lands before the delete
    if (this.version(docId) !== version) return;
    // Forgotten here before the delete is issued: a change from now on issues a new put, ordered after it.
    this.marked.delete(docId);
    await this.store.removeDirty(this.key, [docId]);
  }
}
