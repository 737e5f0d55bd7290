/**
 * How many bytes one space's documents take in the page store: the sum of every stored row (updates,
 * set-aside rows, secrets) over the space's page databases. The browser only reports the whole origin
 * (`navigator.storage.estimate`), so this reads the rows themselves: O(stored bytes), on demand only (the
 * Settings dialog's "Measure"), never on a startup path. It excludes what is shared by all spaces (the Dexie
 * database: the sidebar index, event log, UI state) and the browser's own per-database overhead.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { asBytes, CUSTOM_STORE, openDocDb, runTransaction, UPDATES_STORE, type Fail } from './idb.ts';
import { docIdFromDbName, spaceDbPrefix } from './naming.ts';
import { fromIndexedDbError } from './fromIndexedDbError.ts';

export interface SpaceStorage {
  bytes: number;
  documents: number;
}

/** Bytes of a stored value: update bytes as such, anything else (secrets) by its JSON length. */
function sizeOf(value: unknown): number {
  const bytes = asBytes(value);
  if (bytes.byteLength > 0) return bytes.byteLength;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * Walks every value of `stores` inside a transaction, adding `size(value)`; read the total once it completes.
 * (The space store measures its database the same way: ../space/measureSpaceDb.ts.)
 */
export function sumValues(tx: IDBTransaction, stores: readonly string[], size: (value: unknown) => number, fail: Fail): () => number {
  let total = 0;
  for (const name of stores) {
    const cursor = tx.objectStore(name).openCursor();
    cursor.onerror = () => fail(cursor.error);
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      total += size(c.value);
      c.continue();
    };
  }
  return () => total;
}

function storeBytes(db: IDBDatabase): Promise<number> {
  const stores = [UPDATES_STORE, CUSTOM_STORE].filter((s) => db.objectStoreNames.contains(s));
  if (stores.length === 0) return Promise.resolve(0);
  return runTransaction(db.transaction(stores, 'readonly'), (tx, fail) => sumValues(tx, stores, sizeOf, fail));
}

export async function measureSpaceStorage(spaceId: string, factory: IDBFactory = globalThis.indexedDB): Promise<SpaceStorage> {
  if (!factory?.databases) throw new PersistenceError(ErrorCode.StorageUnavailable, 'this browser cannot list its databases');
  const prefix = spaceDbPrefix(spaceId);
  let names: string[];
  try {
    names = (await factory.databases()).map((d) => d.name ?? '').filter((n) => n.startsWith(prefix) && docIdFromDbName(spaceId, n) !== null);
  } catch (e) {
    throw fromIndexedDbError(e, { layer: 'indexeddb' });
  }
  let bytes = 0;
  let documents = 0;
  for (const name of names) {
    const opened = await openDocDb(factory, name, false, () => undefined).catch((e: unknown) => {
      throw fromIndexedDbError(e, { layer: 'indexeddb', docId: docIdFromDbName(spaceId, name) ?? undefined });
    });
    if (!opened) continue; // deleted meanwhile
    try {
      bytes += await storeBytes(opened.db);
      documents++;
    } finally {
      opened.db.close();
    }
  }
  return { bytes, documents };
}
