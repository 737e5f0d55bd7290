/**
 * Giving a document's next row its key, inside the transaction that writes the row (spaceDbSchema.ts: `docs`).
 */
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';
import { onSuccess, type Fail } from '../pages/idb.ts';
import { DOCS_STORE, SET_ASIDE_STORE, UPDATES_STORE, docRange, parseDocEntry } from './spaceDbSchema.ts';

/**
 * Reads the document's counter and calls `then(seq, isNew)` with the key for its next row (the next `count`
 * rows take seq .. seq + count - 1), having already advanced the counter in the same transaction (which must include `docs`, `updates` and `setAside`).
 * `isNew`: the document had no counter and no row, so every row it will hold is one written through us.
 *
 * A missing or malformed counter with rows present (written by a tool that did not keep it) is recomputed from
 * the highest key in `updates` and `setAside`, so a key is never given twice.
 */
export function withNextSeq(tx: IDBTransaction, docId: DocId, fail: Fail, then: (seq: number, isNew: boolean) => void, count = 1): void {
  const docs = tx.objectStore(DOCS_STORE);
  onSuccess(docs.get(docId), fail, (raw) => {
    const entry = parseDocEntry(raw);
    const advance = (seq: number, isNew: boolean) => {
      docs.put({ ...(raw && typeof raw === 'object' ? raw : {}), nextSeq: seq + count }, docId);
      then(seq, isNew);
    };
    if (entry) return advance(entry.nextSeq, false);
    let pending = 2;
    let highest = -1;
    for (const store of [UPDATES_STORE, SET_ASIDE_STORE]) {
      onSuccess(tx.objectStore(store).openKeyCursor(docRange(docId), 'prev'), fail, (cursor) => {
        const seq = cursor ? (cursor.key as [DocId, unknown])[1] : -1;
        if (typeof seq === 'number' && seq > highest) highest = seq;
        if (--pending === 0) advance(Math.floor(highest) + 1, raw === undefined && highest < 0);
      });
    }
  });
}
