/**
 * Duplicating a page with its sub-pages: a copy right after the original, titled "<title> (copy)", whose
 * live sub-pages keep their titles, icons and order (trashed ones are skipped), each with a copy of its
 * document's content.
 *
 * Contents first, tree last. Each copy's content is written straight to every storing layer of the space
 * under the copy's new page id, and only once all of them acknowledged are the copies' tree entries
 * created (one synchronous run of `createPage`s, so one coalesced write of the space document), and that
 * write is flushed before the promise resolves. So a failure never leaves a page in the tree whose
 * content was lost: if a content write fails, no tree entry is made, the copies already written are
 * deleted again (best effort: one that cannot be deleted stays as an unreferenced document, the same as a
 * crash in the middle of `deletePageForever`), the error is reported once to the save status, and the
 * promise rejects with it (a `PersistenceError`). If the tree write itself fails, the space document's
 * own save path reports and retries it, and the promise rejects with that error.
 *
 * A copy shares no state with its original: it is a new document (its own guid) holding the original's
 * state as one update, so later edits of either never reach the other.
 */
import * as Y from 'yjs';
import { asPersistenceError, ErrorCode, SpaceError } from '../errors.ts';
import { isLocalStore, isSameOrigin, SPACE_DOC_ID, type PersistenceLayer } from '../persistence/PersistenceLayer.ts';
import { newPageId } from '../space/newPageId.ts';
import type { PageRecord } from '../space/Space.ts';
import type { SpaceHandle } from './SpaceHandle.ts';

/**
 * Page documents copied at once: bounds the documents held open and the writes in flight when a big
 * subtree is duplicated, while still overlapping one page's load with another's write.
 */
export const DUPLICATE_CONCURRENCY = 4;

/** What the copy of the top page is titled. */
export function copyTitle(title: string): string {
  return `${title.trim() === '' ? 'Untitled' : title} (copy)`;
}

interface PlannedCopy {
  from: PageRecord;
  id: string;
  /** The copy's parent: another copy, or (for the top copy) the original's parent. */
  parentId: string | null;
}

export interface DuplicateOptions {
  /** New page ids (tests make them predictable); random UUIDs by default. */
  newId?: () => string;
}

/** Duplicates `pageId` and its live sub-pages; resolves with the id of the top copy once all is durable. */
export async function duplicatePage(handle: SpaceHandle, pageId: string, options: DuplicateOptions = {}): Promise<string> {
  const space = handle.space;
  const source = space.getPage(pageId);
  if (!source) throw new SpaceError(ErrorCode.NotFound, `No page ${pageId} in space ${handle.id}`);
  if (source.inTrash) throw new SpaceError(ErrorCode.InvalidOperation, `Page ${pageId} is in the trash; restore it first`);
  const plan = planCopies(handle, source, options.newId ?? newPageId);

  const started: string[] = [];
  let reported = false;
  try {
    await forEachBounded(plan, DUPLICATE_CONCURRENCY, async (copy) => {
      // A failed load of an original is reported by the load path itself; only our own writes are ours.
      const content = await readContent(handle, copy.from.id);
      if (content === null) return;
      started.push(copy.id);
      try {
        await saveToStores(handle.layers, copy.id, content);
      } catch (e) {
        const error = asPersistenceError(e, ErrorCode.StorageUnavailable, { docId: copy.id });
        if (!reported) handle.reportError(error, error.docId ?? null, error.layer ?? null);
        reported = true;
        throw error;
      }
    });
  } catch (e) {
    await discard(handle.layers, started);
    throw e;
  }

  // The tree may have changed while the contents were copied: the original must still be there, live.
  const now = space.getPage(pageId);
  if (!now || now.inTrash) {
    await discard(handle.layers, started);
    throw new SpaceError(ErrorCode.InvalidOperation, `Page ${pageId} left the tree while it was being duplicated`);
  }
  const siblings = space.children(now.parentId);
  const at = siblings.findIndex((p) => p.id === pageId) + 1;
  for (const [i, copy] of plan.entries()) {
    const parentId = i === 0 ? now.parentId : copy.parentId;
    space.createPage({ id: copy.id, parentId, title: i === 0 ? copyTitle(copy.from.title) : copy.from.title, icon: copy.from.icon, ...(i === 0 ? { index: at } : {}) });
    // The copied content links where the original's does, so the copy counts among those pages' backlinks.
    if (copy.from.links.length > 0) space.setPageLinks(copy.id, copy.from.links);
  }
  await handle.syncOf(SPACE_DOC_ID)?.flush();
  return plan[0]!.id;
}

/** The page and its live sub-pages, parents before children, siblings in order, each with its new id. */
function planCopies(handle: SpaceHandle, source: PageRecord, newId: () => string): PlannedCopy[] {
  const plan: PlannedCopy[] = [{ from: source, id: newId(), parentId: source.parentId }];
  for (let i = 0; i < plan.length; i++) {
    const parent = plan[i]!;
    // `children` lists live children only, so a trashed sub-page and everything under it are skipped.
    for (const child of handle.space.children(parent.from.id)) plan.push({ from: child, id: newId(), parentId: parent.id });
  }
  return plan;
}

/** The whole state of a page's document, or null when it holds nothing (no document to write). */
async function readContent(handle: SpaceHandle, pageId: string): Promise<Uint8Array | null> {
  const page = await handle.openPage(pageId);
  try {
    return page.doc.store.clients.size === 0 ? null : Y.encodeStateAsUpdate(page.doc);
  } finally {
    // A failing flush of the original's own edits is reported by its save path; the copy is not its concern.
    await page.release().catch(() => undefined);
  }
}

/**
 * Writes a document to every layer that stores it. A same-origin layer (other tabs) is skipped: no tab
 * has the copy open yet, and each tab loads it from the shared store when it opens it.
 */
async function saveToStores(layers: readonly PersistenceLayer[], docId: string, content: Uint8Array): Promise<void> {
  await Promise.all(
    layers
      .filter((l) => !isSameOrigin(l))
      .map((l) => l.save(docId, content).catch((e: unknown): never => {
        throw asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: l.name, docId });
      })),
  );
}

/**
 * Deletes copies that will not enter the tree from the local stores (a relay keeps a copy it was sent until
 * its own collection of unreferenced documents); a failure leaves an unreferenced document, nothing more.
 */
async function discard(layers: readonly PersistenceLayer[], docIds: readonly string[]): Promise<void> {
  await Promise.allSettled(layers.filter(isLocalStore).flatMap((l) => docIds.map((id) => l.deleteDoc(id))));
}

/** Runs `task` over `items` with at most `limit` at once; rejects with the first failure once none runs. */
async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
