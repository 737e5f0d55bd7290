/**
 * How many bytes one space takes in the space store: the sum of its rows (updates, set-aside rows, secrets and
 * other space facts) in its one database, read with cursors: O(stored bytes), on demand only (Settings' "Measure"),
 * never on a startup path. The browser's own per-database overhead is not counted (only the whole origin is
 * reported, by `navigator.storage.estimate`).
 */
import { sumValues, type SpaceStorage } from '../pages/measureSpaceStorage.ts';
import { fromIndexedDbError } from '../pages/fromIndexedDbError.ts';
import { asBytes, openDatabase, runTransaction } from '../pages/idb.ts';
import { DOCS_STORE, META_STORE, SET_ASIDE_STORE, SPACE_DB_SCHEMA, UPDATES_STORE, spaceDbName } from './spaceDbSchema.ts';

/** Bytes of a stored value: update bytes as such (a set-aside record by the bytes it keeps), anything else as JSON. */
function sizeOf(value: unknown): number {
  const bytes = asBytes(value);
  if (bytes.byteLength > 0) return bytes.byteLength;
  const kept = asBytes((value as { value?: unknown } | null)?.value);
  if (kept.byteLength > 0) return kept.byteLength;
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

export async function measureSpaceDb(spaceId: string, factory: IDBFactory = globalThis.indexedDB): Promise<SpaceStorage> {
  const opened = await openDatabase(factory, spaceDbName(spaceId), SPACE_DB_SCHEMA, false, () => undefined).catch((e: unknown) => {
    throw fromIndexedDbError(e, { layer: 'indexeddb' });
  });
  if (!opened) return { bytes: 0, documents: 0 };
  try {
    return await runTransaction(opened.db.transaction([UPDATES_STORE, SET_ASIDE_STORE, META_STORE, DOCS_STORE], 'readonly'), (tx, fail) => {
      const bytes = sumValues(tx, [UPDATES_STORE, SET_ASIDE_STORE, META_STORE], sizeOf, fail);
      const documents = tx.objectStore(DOCS_STORE).count();
      return () => ({ bytes: bytes(), documents: documents.result });
    });
  } catch (e) {
    throw fromIndexedDbError(e, { layer: 'indexeddb' });
  } finally {
    opened.db.close();
  }
}
