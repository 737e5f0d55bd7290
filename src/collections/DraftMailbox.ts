/**
 * The draft mailbox of document 001: the crash safety net for page edits that the page store has not
 * acknowledged. A small UI-state row per page (never canonical, last writer wins) holding:
 *
 *   text            a snippet of the page's text, to show the user what the draft is
 *   update          the Yjs changes made since the page store last acknowledged everything (merged)
 *   updatedAtMs     when the draft was written; baseUpdatedAtMs: the page's updatedAt it was based on
 *
 * Rows are written only when a change stays unacknowledged for DRAFT_AFTER_MS (a healthy write lands in a
 * few hundred ms, so normal typing costs no mailbox writes at all) and deleted as soon as the store
 * confirms. Because the draft is a Yjs update, the conflict policy of document 001 can be decided exactly
 * instead of by clocks: when the page changes (it is opened, another tab or device writes it) the draft is
 * compared with the page's state: already contained ("older than the store") => cleared; not contained
 * ("newer") => kept with conflictState 'ahead' and offered as "Restore draft", which merges it through the
 * update guard (a CRDT merge: nothing the page has is overwritten).
 */
import * as Y from 'yjs';
import type { Collection } from '@tanstack/react-db';
import { checkUpdateShape, UpdateGuard } from '../core/guard/UpdateGuard.ts';
import type { SpaceHandle } from '../core/manager/SpaceHandle.ts';
import type { DraftMailboxRow } from '../storage/db/index.ts';
import { pageText } from './pageText.ts';

/** A change unacknowledged for this long gets a mailbox entry (healthy writes finish well before). */
export const DRAFT_AFTER_MS = 1_000;
/** While changes stay unacknowledged, the entry is rewritten at most this often. */
export const DRAFT_REFRESH_MS = 2_000;
/** Characters of page text kept in the entry to show the user (the update carries the content). */
export const DRAFT_SNIPPET_CHARS = 280;

export type DraftRow = DraftMailboxRow;

/** Transaction origin of a restored draft: a local edit (it is saved like typing). */
export const DRAFT_ORIGIN: unique symbol = Symbol('quire.draft-mailbox');

export type DraftReview = 'none' | 'cleared' | 'ahead';

function quietly(write: () => { isPersisted: { promise: Promise<unknown> } }): Promise<void> {
  try {
    return write().isPersisted.promise.then(
      () => undefined,
      () => undefined, // the mailbox is a safety net: its own failure must not become the user's problem
    );
  } catch {
    return Promise.resolve();
  }
}

export interface DraftMailboxOptions {
  afterMs?: number;
  refreshMs?: number;
}

/** Whether the document already holds every change of `update`. Bytes that do not decode are "not held":
 * the entry stays, and restoring it fails with the guard's typed error (the user can then discard it). */
function contains(doc: Y.Doc, update: Uint8Array): boolean {
  try {
    checkUpdateShape(update);
    return Y.snapshotContainsUpdate(Y.snapshot(doc), update);
  } catch {
    return false;
  }
}

export class DraftMailbox {
  private readonly afterMs: number;
  private readonly refreshMs: number;

  constructor(
    private readonly rows: Collection<DraftRow, string>,
    options: DraftMailboxOptions = {},
  ) {
    this.afterMs = options.afterMs ?? DRAFT_AFTER_MS;
    this.refreshMs = options.refreshMs ?? DRAFT_REFRESH_MS;
  }

  /**
   * Keeps the mailbox entry of one open page in step with its save state until the returned function is
   * called: written after DRAFT_AFTER_MS of unacknowledged changes, refreshed while they stay so, deleted
   * when the store has them all. `onAcknowledged` runs each time pending changes become all acknowledged
   * (the app announces 'document-changed' to the other tabs then).
   */
  keep(space: SpaceHandle, pageId: string, doc: Y.Doc, onAcknowledged?: () => void): () => void {
    let savedSv = Y.encodeStateVector(doc);
    let timer: ReturnType<typeof setTimeout> | null = null;
    let wrote = false;
    const pending = () => space.syncOf(pageId)?.pending() ?? 0;
    const write = () => {
      timer = null;
      if (pending() === 0) return;
      const update = Y.encodeStateAsUpdate(doc, savedSv);
      const row: DraftRow = {
        pageId,
        spaceId: space.id,
        text: pageText(doc).slice(0, DRAFT_SNIPPET_CHARS),
        update,
        updatedAtMs: Date.now(),
        baseUpdatedAtMs: space.space.getPage(pageId)?.updatedAt ?? null,
        conflictState: 'none',
      };
      wrote = true;
      void quietly(() => (this.rows.has(pageId) ? this.rows.update(pageId, (d) => void Object.assign(d, row)) : this.rows.insert(row)));
      timer = setTimeout(write, this.refreshMs);
    };
    let hadPending = false;
    const onStatus = () => {
      if (pending() > 0) {
        hadPending = true;
        timer ??= setTimeout(write, this.afterMs);
        return;
      }
      if (!hadPending) return;
      hadPending = false;
      onAcknowledged?.();
      savedSv = Y.encodeStateVector(doc);
      if (timer) clearTimeout(timer);
      timer = null;
      if (wrote && this.rows.has(pageId)) void quietly(() => this.rows.delete(pageId));
      wrote = false;
    };
    const unsubscribe = space.status.subscribe(onStatus);
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }

  /**
   * Applies the conflict policy to a page's entry against the page's current document: nothing to do,
   * cleared (the document already holds the draft), or 'ahead' (kept, to offer "Restore draft").
   */
  async review(pageId: string, doc: Y.Doc): Promise<DraftReview> {
    await this.rows.preload();
    const row = this.rows.get(pageId);
    if (!row) return 'none';
    if (!row.update || row.update.byteLength === 0 || contains(doc, row.update)) {
      await quietly(() => this.rows.delete(pageId));
      return 'cleared';
    }
    if (row.conflictState !== 'ahead') await quietly(() => this.rows.update(pageId, (d) => void (d.conflictState = 'ahead')));
    return 'ahead';
  }

  /** The entry of a page, if any (for the "Restore draft" notice). */
  get(pageId: string): DraftRow | undefined {
    return this.rows.get(pageId);
  }

  /**
   * Merges the draft into the page through the update guard (malformed bytes are refused with
   * UpdateRejectedError and the page is untouched), then drops the entry once the store acknowledged it.
   */
  async restore(space: SpaceHandle, pageId: string, doc: Y.Doc): Promise<void> {
    const row = this.rows.get(pageId);
    if (!row?.update) return;
    const guard = new UpdateGuard(doc);
    try {
      guard.apply(row.update, DRAFT_ORIGIN, { source: 'draft-mailbox', docId: pageId });
    } finally {
      guard.destroy();
    }
    await space.syncOf(pageId)?.flush();
    await quietly(() => this.rows.delete(pageId));
  }

  /** The user chose to throw the draft away. */
  async discard(pageId: string): Promise<void> {
    if (this.rows.has(pageId)) await quietly(() => this.rows.delete(pageId));
  }
}
