/**
 * Reads what is really on disk, bypassing the app: the rows of a page document in its space's database (the space
 * store's layout, src/storage/space/spaceDbSchema.ts: database `quire:<space>`, store 'updates' keyed
 * [docId, seq], one Yjs update per row) fetched raw in the browser, decoded here with Yjs. Tests use it to prove
 * "saved" without trusting the code under test.
 */
import type { Page } from '@playwright/test';
import * as Y from 'yjs';
import { pageText } from '../src/collections/pageText.ts';

/** The space and page ids of the page a tab shows (from its `#/space/<id>/page/<id>` route). */
export function routeIds(page: Page): { spaceId: string; pageId: string } {
  const m = /#\/space\/([^/]+)\/page\/([^/?#]+)/.exec(page.url());
  if (!m) throw new Error(`no page in the URL ${page.url()}`);
  return { spaceId: decodeURIComponent(m[1]!), pageId: decodeURIComponent(m[2]!) };
}

/** Every stored update of one page document, as raw bytes (one raw read of its space's database). */
export async function storedUpdates(page: Page, spaceId: string, pageId: string): Promise<Uint8Array[]> {
  return (await storedSpaceRows(page, spaceId)).get(pageId) ?? [];
}

/** The plain text of a stored page (the editor's 'default' fragment), from the rows on disk alone. */
export async function storedPageText(page: Page, spaceId: string, pageId: string): Promise<string> {
  const doc = new Y.Doc();
  for (const update of await storedUpdates(page, spaceId, pageId)) Y.applyUpdate(doc, update);
  return pageText(doc);
}

/** Every stored row of a space's database (the space store), grouped by document: one raw read, no app code. */
export async function storedSpaceRows(page: Page, spaceId: string): Promise<Map<string, Uint8Array[]>> {
  const rows = await page.evaluate(
    (dbName) =>
      new Promise<[string, number[]][]>((resolve, reject) => {
        const req = indexedDB.open(dbName);
        // No such database: abort rather than create an empty one (the app would then find a database
        // without its stores, and every save of that space would fail).
        let absent = false;
        req.onupgradeneeded = () => {
          absent = true;
          req.transaction?.abort();
        };
        req.onerror = () => (absent ? resolve([]) : reject(new Error(String(req.error))));
        req.onsuccess = () => {
          const db = req.result;
          // A database without its stores holds nothing (and is left as it is).
          if (!db.objectStoreNames.contains('updates')) {
            db.close();
            return resolve([]);
          }
          const store = db.transaction('updates', 'readonly').objectStore('updates');
          const keys = store.getAllKeys();
          const values = store.getAll();
          values.onerror = () => reject(new Error(String(values.error)));
          values.onsuccess = () => {
            db.close();
            resolve(keys.result.map((k, i) => [String((k as [string, number])[0]), Array.from(values.result[i] as Uint8Array)]));
          };
        };
      }),
    `quire:${encodeURIComponent(spaceId)}`,
  );
  const byDoc = new Map<string, Uint8Array[]>();
  for (const [docId, bytes] of rows) byDoc.set(docId, [...(byDoc.get(docId) ?? []), Uint8Array.from(bytes)]);
  return byDoc;
}
