/**
 * Test helpers: raw access to a space database that the layer itself never does (writing garbage rows, reading
 * keys, playing a newer Quire). Imported only by tests.
 */
import { DOCS_STORE, SPACE_DB_VERSION, UPDATES_STORE, docRange, spaceDbName } from '../spaceDbSchema.ts';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('aborted'));
  });
}

/** Opens an existing space database at its current version (closes itself on versionchange). Caller closes it. */
export async function openSpaceRaw(spaceId: string): Promise<IDBDatabase> {
  const db = await request(indexedDB.open(spaceDbName(spaceId)));
  db.onversionchange = () => db.close();
  return db;
}

async function withDb<T>(spaceId: string, body: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await openSpaceRaw(spaceId);
  try {
    return await body(db);
  } finally {
    db.close();
  }
}

/** A document's rows in 'updates' as [key, value], in key order. */
export function spaceRows(spaceId: string, docId: string): Promise<Array<[IDBValidKey, unknown]>> {
  return withDb(spaceId, async (db) => {
    const store = db.transaction(UPDATES_STORE, 'readonly').objectStore(UPDATES_STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys(docRange(docId))), request(store.getAll(docRange(docId)))]);
    return keys.map((k, i): [IDBValidKey, unknown] => [k, values[i]]);
  });
}

/** Every key of a store, in key order. */
export function storeKeys(spaceId: string, store: string): Promise<IDBValidKey[]> {
  return withDb(spaceId, (db) => request(db.transaction(store, 'readonly').objectStore(store).getAllKeys()));
}

/** Adds a value after a document's last row, behind the layer's back, keeping its counter as the layer would. */
export function spaceAdd(spaceId: string, docId: string, value: unknown): Promise<void> {
  return withDb(spaceId, async (db) => {
    const tx = db.transaction([UPDATES_STORE, DOCS_STORE], 'readwrite');
    const docs = tx.objectStore(DOCS_STORE);
    const entry = (await request(docs.get(docId))) as { nextSeq: number } | undefined;
    const seq = entry?.nextSeq ?? 0;
    tx.objectStore(UPDATES_STORE).add(value, [docId, seq]);
    docs.put({ nextSeq: seq + 1 }, docId);
    await done(tx);
  });
}

/** Raises the database's version, as a newer Quire's schema upgrade would (adding a store). */
export async function upgradeAsNewerQuire(spaceId: string): Promise<void> {
  const r = indexedDB.open(spaceDbName(spaceId), SPACE_DB_VERSION + 1);
  r.onupgradeneeded = () => r.result.createObjectStore('from-the-future');
  (await request(r)).close();
}
