/**
 * What this device's stores hold for a space's documents, read through the app's own local stores (every
 * one-way layer of the open space: `PersistenceLayer.load`), not through any storage format. The browser-kill
 * harness reads this right after a relaunch, when the fresh process knows nothing but what is on disk, so it
 * keeps working whatever the store's layout (one database per page today, one per space next).
 */
import type { Page } from '@playwright/test';

/** Every stored update of each of `docIds` (the space document or page ids), as raw bytes, per document. */
export async function localStoreRows(page: Page, spaceId: string, docIds: readonly string[]): Promise<Map<string, Uint8Array[]>> {
  const rows = await page.evaluate(
    async ({ id, docs }) => {
      interface Layer {
        direction: 'one-way' | 'two-way';
        load(docId: string): Promise<{ update: Uint8Array }[]>;
      }
      interface Ws {
        openSpace(id: string): Promise<{ layers: readonly Layer[] }>;
      }
      const ws = (globalThis as unknown as { quire?: { workspace: Ws } }).quire?.workspace;
      if (!ws) throw new Error('the app has no workspace open (globalThis.quire)');
      const stores = (await ws.openSpace(id)).layers.filter((l) => l.direction === 'one-way');
      if (stores.length === 0) throw new Error(`space ${id} has no local store`);
      return Promise.all(docs.map(async (docId) => (await Promise.all(stores.map((s) => s.load(docId)))).flat().map((r) => Array.from(r.update))));
    },
    { id: spaceId, docs: [...docIds] },
  );
  return new Map(docIds.map((docId, i) => [docId, rows[i]!.map((r) => Uint8Array.from(r))]));
}
