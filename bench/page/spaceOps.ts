/**
 * Quire's own whole-space and collection paths, measured in the bench page against raw IndexedDB reads of
 * the same stored rows: the full load of a space's page rows into a collection, one TanStack DB row update,
 * opening a heavy page, reading every page of a space, deleting a space.
 */
import * as Y from 'yjs';
import { createCollection, localOnlyCollectionOptions } from '@tanstack/react-db';
import { createDexieCollection, createUiStateCollections } from '../../src/collections/index.ts';
import { openQuireDatabase, QUIRE_DB_NAME, spaceKeyRange, type PageRow } from '../../src/storage/db/index.ts';
import { LocalWorkspace } from '../../src/app/LocalWorkspace.ts';
import { pageDbName, spaceDbPrefix } from '../../src/storage/pages/naming.ts';
import { deleteDb, done, openDb, req, sample } from './timing.ts';

/** Page documents read at once by "read every page", as an export would pace itself. */
const READS_IN_FLIGHT = 8;
const ALL_ROWS_DB = 'bench-all-update-rows';

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
 * The storage part of opening a page: SpaceHandle.openPage (load, guard, build the document) and release,
 * each sample a different page of an open space, so no document is already in memory.
 */
export async function openPageStorage(n: number, spaceId: string, pageIds: readonly string[]) {
  const ws = await LocalWorkspace.open();
  try {
    const handle = await ws.openSpace(spaceId);
    return await sample(n, async (i) => {
      const page = await handle.openPage(pageIds[i % pageIds.length]!);
      await page.release();
    });
  } finally {
    await ws.close();
  }
}

/** Raw read and Yjs decode of a stored page: what opening it cannot do faster. */
export async function rawReadDecode(n: number, spaceId: string, pageId: string) {
  return sample(n, async () => {
    const db = await openExisting(pageDbName(spaceId, pageId));
    const rows = (await req(db.transaction('updates').objectStore('updates').getAll())) as Uint8Array[];
    db.close();
    const doc = new Y.Doc();
    doc.transact(() => rows.forEach((u) => Y.applyUpdate(doc, u)));
    if (doc.getXmlFragment('default').length === 0) throw new Error('the stored page decoded empty');
  });
}

async function pageDbNames(spaceId: string): Promise<string[]> {
  const prefix = spaceDbPrefix(spaceId);
  return (await indexedDB.databases()).map((d) => d.name ?? '').filter((name) => name.startsWith(prefix));
}

/** Copies every stored update row of a space into one store: the layout the raw baseline reads. */
async function copyAllRows(spaceId: string): Promise<number> {
  await deleteDb(ALL_ROWS_DB);
  const target = await openDb(ALL_ROWS_DB, (d) => d.createObjectStore('updates', { autoIncrement: true }));
  let count = 0;
  for (const name of await pageDbNames(spaceId)) {
    const src = await openExisting(name);
    const rows = (await req(src.transaction('updates').objectStore('updates').getAll())) as Uint8Array[];
    src.close();
    const tx = target.transaction('updates', 'readwrite');
    for (const r of rows) tx.objectStore('updates').add(r);
    await done(tx);
    count += rows.length;
  }
  target.close();
  return count;
}

/** Read every page's state of a space through Quire (open, encode, release each) vs raw getAll of all its rows in one store. */
export async function readEveryPage(n: number, spaceId: string) {
  const rows = await copyAllRows(spaceId);
  const allRows = await openExisting(ALL_ROWS_DB);
  const rawGetAll = await sample(n, () => req(allRows.transaction('updates').objectStore('updates').getAll()));
  allRows.close();
  const ws = await LocalWorkspace.open();
  try {
    const handle = await ws.openSpace(spaceId);
    const ids = handle.space.listPages().map((p) => p.id);
    const quire = await sample(n, async () => {
      let next = 0;
      const worker = async () => {
        while (next < ids.length) {
          const page = await handle.openPage(ids[next++]!);
          Y.encodeStateAsUpdate(page.doc);
          await page.release();
        }
      };
      await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
    });
    return { quire, rawGetAll, rows, pages: ids.length };
  } finally {
    await ws.close();
  }
}

/** Deletes a space through Quire (one sample: the space is gone after it) vs deleting the one database holding all its rows. */
export async function deleteSpace(spaceId: string) {
  await copyAllRows(spaceId);
  const t0 = performance.now();
  await deleteDb(ALL_ROWS_DB);
  const raw = performance.now() - t0;
  const ws = await LocalWorkspace.open();
  try {
    const databases = (await pageDbNames(spaceId)).length;
    const t1 = performance.now();
    await ws.deleteSpace(spaceId);
    return { quire: [performance.now() - t1], raw: [raw], databases };
  } finally {
    await ws.close();
  }
}
