/**
 * Quire's own collection paths, measured in the bench page against raw IndexedDB reads of the same stored rows:
 * the full load of a space's page rows into a collection, one TanStack DB row update, and the raw read of a heavy
 * page (the baseline of opening it in the app). The store rows (whole space, page open, saves) are in storeOps.ts.
 */
import * as Y from 'yjs';
import { createCollection, localOnlyCollectionOptions } from '@tanstack/react-db';
import { createDexieCollection, createUiStateCollections } from '../../src/collections/index.ts';
import { openQuireDatabase, QUIRE_DB_NAME, spaceKeyRange, type PageRow } from '../../src/storage/db/index.ts';
import { pageDbName } from '../../src/storage/pages/naming.ts';
import { spaceDbName } from '../../src/storage/space/spaceDbSchema.ts';
import { req, sample } from './timing.ts';

function openExisting(name: string): Promise<IDBDatabase> {
  return req(indexedDB.open(name));
}

/** The full load of one space's page rows into a (read-only, Dexie-backed) collection vs raw getAll of the same rows. */
export async function collectionsFullLoad(n: number, spaceId: string) {
  const db = await openQuireDatabase();
  const [lower, upper] = spaceKeyRange(spaceId);
  let rows = 0;
  const quire = await sample(n, async (i) => {
    const c = createDexieCollection<PageRow, string, [string, string]>({
      id: `bench-full-load-${i}`,
      table: db.pages,
      getKey: (row) => row.id,
      readOnly: true,
      query: (t) => t.where('[spaceId+id]').between(lower, upper, true, true).toArray(),
    });
    rows = (await c.toArrayWhenReady()).length;
    await c.cleanup();
  });
  db.close();
  const raw = await openExisting(QUIRE_DB_NAME);
  const rawGetAll = await sample(n, () => req(raw.transaction('pages').objectStore('pages').getAll(IDBKeyRange.bound([spaceId], [spaceId, []]))));
  raw.close();
  return { quire, rawGetAll, rows };
}

/** One TanStack DB row update: in memory (local-only collection of `rows` rows) and Dexie-backed until persisted. */
export async function tanstackRowUpdate(n: number, rows: number) {
  const local = createCollection(
    localOnlyCollectionOptions({
      id: 'bench-local',
      getKey: (r: { id: string; title: string }) => r.id,
      initialData: Array.from({ length: rows }, (_, i) => ({ id: `p${i}`, title: `Page ${i}` })),
    }),
  );
  await local.toArrayWhenReady();
  let notified: (() => void) | null = null;
  const sub = local.subscribeChanges(() => notified?.());
  const inMemory = await sample(n, (i) => {
    const seen = new Promise<void>((r) => (notified = r));
    local.update(`p${i}`, (d) => void (d.title = `edit ${i}`));
    return seen;
  });
  sub.unsubscribe();
  const db = await openQuireDatabase();
  const ui = createUiStateCollections(db);
  await ui.uiPreferences.toArrayWhenReady();
  const key = 'bench-pref';
  if (!ui.uiPreferences.has(key)) await ui.uiPreferences.insert({ key, value: 0, updatedAtMs: 0 }).isPersisted.promise;
  const persisted = await sample(n, (i) => ui.uiPreferences.update(key, (d) => void Object.assign(d, { value: i, updatedAtMs: i })).isPersisted.promise);
  db.close();
  return { inMemory, persisted };
}

/**
 * Raw read and Yjs decode of a stored page: what opening it cannot do faster. The page is read where the app's
 * store keeps it: its range of the space's database (space store) or its own database (page store).
 */
export async function rawReadDecode(n: number, spaceId: string, pageId: string) {
  const inSpaceDb = (await indexedDB.databases()).some((d) => d.name === spaceDbName(spaceId));
  return sample(n, async () => {
    const db = await openExisting(inSpaceDb ? spaceDbName(spaceId) : pageDbName(spaceId, pageId));
    const range = inSpaceDb ? IDBKeyRange.bound([pageId], [pageId, []]) : undefined;
    const rows = (await req(db.transaction('updates').objectStore('updates').getAll(range))) as Uint8Array[];
    db.close();
    const doc = new Y.Doc();
    doc.transact(() => rows.forEach((u) => Y.applyUpdate(doc, u)));
    if (doc.getXmlFragment('default').length === 0) throw new Error('the stored page decoded empty');
  });
}
