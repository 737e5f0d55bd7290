/**
 * The local stores themselves, in the bench page: the space store (SpaceDbLayer, the app's new store) and, as the
 * "before" figure where it is cheap, the page store (IndexedDbLayer). Reading every page of a space (in one
 * transaction, and the per-document path it replaces) and deleting a space against raw IndexedDB on the same rows; the storage part of a page open; one edit until durable, for one
 * page alone and for two pages of one space saved at once.
 */
import * as Y from 'yjs';
import { buildDocFromRows } from '../../src/core/guard/UpdateGuard.ts';
import type { SpaceHandle } from '../../src/core/manager/SpaceHandle.ts';
import { SpaceDbLayer } from '../../src/storage/space/SpaceDbLayer.ts';
import { SPACE_DB_SCHEMA, UPDATES_STORE, spaceDbName } from '../../src/storage/space/spaceDbSchema.ts';
import { storeManager, type StoreKind } from './stores.ts';
import { deleteDb, done, openDb, req, sample } from './timing.ts';

/** Page documents read at once by "read every page", as an export would pace itself. */
const READS_IN_FLIGHT = 8;
/** The raw baseline of the delete: one database holding the space's rows in one store. */
const RAW_ROWS_DB = 'bench-space-rows';
/** Prefix of the space ids the delete row copies the seeded space to (one copy per sample). */
const CLONE_PREFIX = 'bench-delete-copy-';

function openExisting(name: string): Promise<IDBDatabase> {
  return req(indexedDB.open(name));
}

/** Every key and value of one store, read in one transaction. */
async function readStore(db: IDBDatabase, store: string): Promise<{ keys: IDBValidKey[]; values: unknown[] }> {
  const tx = db.transaction(store);
  const keys = req(tx.objectStore(store).getAllKeys());
  const values = req(tx.objectStore(store).getAll());
  return { keys: await keys, values: await values };
}

/** Puts rows (out-of-line keys) into a store of `db` in one transaction. */
async function writeStore(db: IDBDatabase, store: string, rows: { keys: IDBValidKey[]; values: unknown[] }): Promise<void> {
  const tx = db.transaction(store, 'readwrite');
  rows.keys.forEach((key, i) => tx.objectStore(store).put(rows.values[i], key));
  await done(tx);
}

/** Runs `work` over `items` with READS_IN_FLIGHT workers. */
async function inFlight<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: READS_IN_FLIGHT }, worker));
}

/** The storage part of opening a page: SpaceHandle.openPage and release, each sample a different page of an open space. */
export async function openPageStorage(kind: StoreKind, n: number, spaceId: string, pageIds: readonly string[]) {
  const manager = storeManager(kind);
  try {
    const handle = await manager.openSpace(spaceId);
    return await sample(n, async (i) => {
      const page = await handle.openPage(pageIds[i % pageIds.length]!);
      await page.release();
    });
  } finally {
    await manager.close();
  }
}

/**
 * Reading every page's state of a space in the space store, against one raw getAll of every row of the space's
 * `updates` store: the whole-space read export and backup use (SpaceDbLayer.loadAll, ONE transaction, then each
 * document's rows through the guard, `buildDocFromRows`, as opening a page does); the same read without the build
 * (where the time goes); and the per-document path it replaces, through SpaceHandle (open, encode, release, 8 at
 * a time: one transaction per document).
 */
export async function readEveryPage(n: number, spaceId: string) {
  const raw = await openExisting(spaceDbName(spaceId));
  let rows = 0;
  const rawGetAll = await sample(n, async () => {
    rows = (await req(raw.transaction(UPDATES_STORE).objectStore(UPDATES_STORE).getAll())).length;
  });
  raw.close();
  const layer = new SpaceDbLayer(spaceId);
  let docs = 0;
  let refused = 0;
  let loadAll: number[];
  let wholeReads: number[];
  try {
    loadAll = await sample(n, async () => {
      docs = (await layer.loadAll()).size;
    });
    wholeReads = await sample(n, async () => {
      refused = 0;
      for (const [docId, stored] of await layer.loadAll()) {
        const built = buildDocFromRows(stored.map((r) => r.update), () => new Y.Doc(), { docId, source: 'storage' });
        refused += built.rejected.length;
        built.doc.destroy();
      }
    });
  } finally {
    await layer.close();
  }
  const manager = storeManager('space');
  let pages: number;
  let handleReads: number[];
  try {
    const handle: SpaceHandle = await manager.openSpace(spaceId);
    const ids = handle.space.listPages().map((p) => p.id);
    pages = ids.length;
    handleReads = await sample(n, () =>
      inFlight(ids, async (id) => {
        const page = await handle.openPage(id);
        Y.encodeStateAsUpdate(page.doc);
        await page.release();
      }),
    );
  } finally {
    await manager.close();
  }
  return { wholeReads, loadAll, handleReads, rawGetAll, rows, pages, docs, refused };
}

/** Copies a space store's database, every store with its keys, to the database of another space id. */
async function cloneSpaceDb(from: IDBDatabase, toSpaceId: string): Promise<void> {
  const name = spaceDbName(toSpaceId);
  await deleteDb(name);
  const r = indexedDB.open(name, SPACE_DB_SCHEMA.version);
  r.onupgradeneeded = (e) => SPACE_DB_SCHEMA.upgrade(r.result, e.oldVersion);
  const to = await req(r);
  for (const store of Array.from(from.objectStoreNames)) await writeStore(to, store, await readStore(from, store));
  to.close();
}

/**
 * Deletes a space from the space store (SpaceManager.deleteSpace: SpaceDbLayer.destroy, one deleteDatabase) vs
 * deleting one database holding its `updates` rows in one store. Each sample deletes a fresh copy of the seeded
 * space (copied untimed), so the seeded one stays and the row gets n samples.
 */
export async function deleteSpace(n: number, spaceId: string) {
  const source = await openExisting(spaceDbName(spaceId));
  const updates = await readStore(source, UPDATES_STORE);
  const raw = await sample(
    n,
    () => deleteDb(RAW_ROWS_DB),
    async () => {
      const db = await openDb(RAW_ROWS_DB, (d) => d.createObjectStore(UPDATES_STORE));
      await writeStore(db, UPDATES_STORE, updates);
      db.close();
    },
  );
  const manager = storeManager('space');
  const quire = await sample(
    n,
    (i) => manager.deleteSpace(`${CLONE_PREFIX}${i}`),
    (i) => cloneSpaceDb(source, `${CLONE_PREFIX}${i}`),
  );
  source.close();
  await manager.close();
  return { quire, raw, rows: updates.keys.length };
}

/** A one-character edit at the start of a page body's first paragraph (the seeded bodies' shape). */
function typeOne(doc: Y.Doc): void {
  const paragraph = doc.getXmlFragment('default').get(0) as Y.XmlElement;
  (paragraph.get(0) as Y.XmlText).insert(0, 'x');
}

/**
 * One edit until durable (DocSync.flush: the save, acknowledged on the transaction's completion), for one page
 * alone and for two pages of the same space edited and saved at the same moment (each of the two saves is one
 * sample). The samples alternate, so both see the same machine load.
 */
export async function saveLatency(kind: StoreKind, n: number, spaceId: string, pageIds: readonly [string, string]) {
  const manager = storeManager(kind);
  try {
    const handle = await manager.openSpace(spaceId);
    const pages = await Promise.all(pageIds.map((id) => handle.openPage(id)));
    const syncs = pageIds.map((id) => handle.syncOf(id)!);
    const alone: number[] = [];
    const together: number[] = [];
    for (let i = 0; i < n; i++) {
      typeOne(pages[0]!.doc);
      let t0 = performance.now();
      await syncs[0]!.flush();
      alone.push(performance.now() - t0);
      pages.forEach((p) => typeOne(p.doc));
      t0 = performance.now();
      await Promise.all(syncs.map((s) => s.flush().then(() => together.push(performance.now() - t0))));
    }
    await Promise.all(pages.map((p) => p.release()));
    return { alone, together };
  } finally {
    await manager.close();
  }
}
