/**
 * The space store: a LocalStore keeping ONE IndexedDB database per space, with the space document and every page
 * document in it (decision 0010; the on-disk format is described and created in spaceDbSchema.ts). Same contract
 * and same promises as the page store (../pages/IndexedDbLayer.ts), at whole-space speed:
 *
 * - save resolves on the transaction's `complete` and rejects with a PersistenceError (fromIndexedDbError.ts); a
 *   database written by a newer Quire is refused with 'version-too-new' and left untouched.
 * - load is one key-range read of raw rows and applies nothing; the core's guard judges them and calls setAside,
 *   which moves refused rows to `setAside` in one transaction (readable with `setAsideRows`).
 * - compaction (../pages/compaction.ts) merges one document's range in one transaction once it holds more than
 *   COMPACT_ABOVE_ROWS rows; the merge gets a fresh key.
 * - deleteDoc is one transaction (one range delete per store); listDocs reads `docs`; destroy is one deleteDatabase.
 * - it is also the space's SecretStore (`meta` 'secrets'), so destroying the space removes the secrets with it.
 *
 * Connection: one per space, cached; lost from outside (another tab deletes or upgrades the database, the browser
 * closes it) it is forgotten and the next operation opens it again, as in the page store. After a deletion
 * elsewhere, `load` returns [] and `save` creates a fresh database, for the same reason as there.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { Listeners } from '../../core/Listeners.ts';
import type { DocId, LocalStore, RowKey, StoredRow } from '../../core/persistence/PersistenceLayer.ts';
import type { SecretStore, Secrets } from '../../core/persistence/SecretStore.ts';
import { COMPACT_ABOVE_ROWS, compactInTransaction, compactionSkippedError, type CompactionOutcome } from '../pages/compaction.ts';
import { DocConnections, MISSING } from '../pages/connections.ts';
import { fromIndexedDbError } from '../pages/fromIndexedDbError.ts';
import { asBytes, deleteDatabase, indexedDbFactory, onSuccess, parseSecrets, putMergedSecrets, type Fail } from '../pages/idb.ts';
import { DELETE_BLOCKED_GRACE_MS, type IndexedDbLayerOptions, type SetAsideRow } from '../pages/IndexedDbLayer.ts';
import { withNextSeq } from './nextSeq.ts';
import {
  DOCS_STORE,
  META_STORE,
  SECRETS_KEY,
  SET_ASIDE_STORE,
  SPACE_DB_SCHEMA,
  SPACE_DB_VERSION,
  UPDATES_STORE,
  checkDocId,
  docRange,
  spaceDbName,
} from './spaceDbSchema.ts';
import { PendingOps } from '../pages/PendingOps.ts';
import { WriteQueue, type QueuedSave } from './WriteQueue.ts';

/** Same options as the page store's (compaction bound, grace of a blocked delete, factory, durability, name). */
export type SpaceDbLayerOptions = IndexedDbLayerOptions;

/** The one key of the connection cache: a space store has one database. */
const DB = 'space-db';
/** Every store a write may touch: a save can recompute a counter from `updates` and `setAside`. */
const ROW_STORES = [UPDATES_STORE, DOCS_STORE, SET_ASIDE_STORE];

/** One document's new content for `replaceDocs`. */
export interface ReplacedDoc {
  readonly docId: DocId;
  readonly rows: readonly Uint8Array[];
  readonly setAside: readonly Omit<SetAsideRow, 'update'>[];
}

interface StoredSetAside {
  key: RowKey;
  value: unknown;
  setAsideAt: number;
}

export class SpaceDbLayer implements LocalStore, SecretStore {
  readonly direction = 'one-way' as const;
  readonly name: string;
  readonly compactAboveRows: number;
  readonly dbName: string;
  private readonly connections: DocConnections;
  /**
   * Rows per document, known only for documents this instance loaded or created: compaction rewrites only rows the
   * core has seen vetted by the guard. Rows other tabs add are not counted; the compaction transaction recounts.
   */
  private readonly rowCounts = new Map<DocId, number>();
  /** Documents whose last compaction was skipped (a corrupt row, too large): retried after the next load or setAside. */
  private readonly compactionBlocked = new Set<DocId>();
  private readonly compacting = new Set<DocId>();
  private readonly pending = new PendingOps();
  private readonly errorListeners = new Listeners<PersistenceError>();
  /** Every write of this instance, in order, saves grouped into shared transactions (WriteQueue.ts). */
  private readonly writes = new WriteQueue((saves) => this.writeSaves(saves));
  private closed = false;

  constructor(
    readonly spaceId: string,
    private readonly options: SpaceDbLayerOptions = {},
  ) {
    this.name = options.name ?? 'indexeddb';
    this.compactAboveRows = options.compactAboveRows ?? COMPACT_ABOVE_ROWS;
    this.dbName = spaceDbName(spaceId);
    if (options.onError) this.onError(options.onError);
    this.connections = new DocConnections(
      {
        factory: () => this.factory(),
        dbName: () => this.dbName,
        schema: SPACE_DB_SCHEMA,
        created: () => undefined, // documents are new one by one: `save` sees it in their counter
        // We no longer know what the database holds; compaction waits for the next load of each document.
        lost: () => {
          this.rowCounts.clear();
          this.compactionBlocked.clear();
        },
      },
      options.durability,
    );
  }

  /** Failures of background work (compaction). A listener that throws is logged; the others still hear of it. */
  onError(listener: (error: PersistenceError) => void): () => void {
    return this.errorListeners.add((error) => {
      try {
        listener(error);
      } catch (e) {
        console.error(e);
      }
    });
  }

  load(docId: DocId): Promise<StoredRow[]> {
    return this.op(docId, async () => {
      const rows = await this.transact(false, [UPDATES_STORE], 'readonly', (tx) => {
        const store = tx.objectStore(UPDATES_STORE);
        // Both requests in one transaction: keys and values describe the same rows.
        const keys = store.getAllKeys(docRange(docId));
        const values = store.getAll(docRange(docId));
        return () => {
          const result = keys.result.map((key, i): StoredRow => ({ key: seqOf(key), update: asBytes(values.result[i]) }));
          this.loaded(docId, result.length);
          return result;
        };
      });
      if (rows !== MISSING) return rows;
      this.loaded(docId, 0);
      return [];
    });
  }

  /**
   * Every document's rows in ONE read transaction, grouped by document: the whole-space read that export, backup,
   * the integrity check and search indexing build on (decision 0010: within 3x a raw `getAll`). Raw like `load`:
   * the caller passes each document's rows through the guard. Not counted as loaded: compaction waits for a `load`.
   */
  loadAll(): Promise<Map<DocId, StoredRow[]>> {
    return this.op(undefined, async () => {
      const all = await this.transact(false, [UPDATES_STORE], 'readonly', (tx) => {
        const store = tx.objectStore(UPDATES_STORE);
        const keys = store.getAllKeys();
        const values = store.getAll();
        return () => {
          const byDoc = new Map<DocId, StoredRow[]>();
          keys.result.forEach((key, i) => {
            const docId = Array.isArray(key) && typeof key[0] === 'string' ? key[0] : null;
            if (docId === null) return; // not a key this store writes
            let rows = byDoc.get(docId);
            if (!rows) byDoc.set(docId, (rows = []));
            rows.push({ key: seqOf(key), update: asBytes(values.result[i]) });
          });
          return byDoc;
        };
      });
      return all === MISSING ? new Map<DocId, StoredRow[]>() : all;
    });
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    if (!(update instanceof Uint8Array)) {
      return Promise.reject(new PersistenceError(ErrorCode.InvalidOperation, `${this.name}: save expects a Uint8Array`, { layer: this.name, docId }));
    }
    // Copy now: the caller may reuse its buffer, and what is stored must be what was given.
    const bytes = update.slice();
    return this.op(docId, () => this.writes.save(docId, bytes));
  }

  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void> {
    return this.op(docId, async () => {
      if (keys.length === 0) return;
      const setAsideAt = Date.now();
      // One transaction: a row is either still in 'updates' or already in 'setAside', never in neither.
      await this.transact(false, [UPDATES_STORE, SET_ASIDE_STORE], 'readwrite', (tx, fail) => {
        const updates = tx.objectStore(UPDATES_STORE);
        const setAside = tx.objectStore(SET_ASIDE_STORE);
        let moved = 0;
        for (const key of new Set(keys)) {
          if (typeof key === 'number' && Number.isNaN(key)) continue; // not a valid key: nothing stored under it
          onSuccess(updates.openCursor([docId, key]), fail, (cursor) => {
            if (!cursor) return; // not there (already moved, or compacted away by its merge): nothing to move
            const record: StoredSetAside = { key, value: cursor.value, setAsideAt };
            setAside.put(record, [docId, key]);
            cursor.delete();
            moved++;
          });
        }
        return () => {
          this.counted(docId, -moved);
          this.compactionBlocked.delete(docId);
        };
      });
    });
  }

  /** Rows set aside for a document, in the order of their former keys (repair tools, export, tests). */
  setAsideRows(docId: DocId): Promise<SetAsideRow[]> {
    return this.op(docId, async () => {
      const rows = await this.transact(false, [SET_ASIDE_STORE], 'readonly', (tx) => {
        const request = tx.objectStore(SET_ASIDE_STORE).getAll(docRange(docId));
        return () =>
          (request.result as unknown[]).map((raw): SetAsideRow => {
            const r = (raw ?? {}) as Partial<StoredSetAside>;
            return { key: r.key ?? '', update: asBytes(r.value), value: r.value, setAsideAt: r.setAsideAt ?? 0 };
          });
      });
      return rows === MISSING ? [] : rows;
    });
  }

  /** Removes a document's rows, set-aside rows and counter in ONE transaction: one range delete per store. */
  deleteDoc(docId: DocId): Promise<void> {
    return this.op(docId, async () => {
      this.forget(docId);
      await this.transact(false, ROW_STORES, 'readwrite', (tx) => {
        tx.objectStore(UPDATES_STORE).delete(docRange(docId));
        tx.objectStore(SET_ASIDE_STORE).delete(docRange(docId));
        tx.objectStore(DOCS_STORE).delete(docId);
        return () => this.forget(docId);
      });
    });
  }

  /**
   * Every document of this space with a counter in `docs` (sorted): every document saved and not deleted since,
   * including one whose rows were all set aside. Secrets alone list nothing (they belong to the space, not to a
   * document). One read, no `indexedDB.databases()`.
   */
  listDocs(): Promise<DocId[]> {
    return this.op(undefined, async () => {
      const ids = await this.transact(false, [DOCS_STORE], 'readonly', (tx) => {
        const request = tx.objectStore(DOCS_STORE).getAllKeys();
        return () => request.result.filter((k): k is string => typeof k === 'string');
      });
      return ids === MISSING ? [] : ids;
    });
  }

  loadSecrets(): Promise<Secrets> {
    return this.op(undefined, async () => {
      const secrets = await this.transact(false, [META_STORE], 'readonly', (tx) => {
        const request = tx.objectStore(META_STORE).get(SECRETS_KEY);
        return () => parseSecrets(request.result);
      });
      return secrets === MISSING ? {} : secrets;
    });
  }

  saveSecrets(secrets: Secrets): Promise<void> {
    return this.op(undefined, async () => {
      const given = parseSecrets(secrets, ErrorCode.InvalidOperation);
      await this.transact(true, [META_STORE], 'readwrite', (tx, fail) => {
        const meta = tx.objectStore(META_STORE);
        putMergedSecrets(meta, SECRETS_KEY, given, fail);
        return () => undefined;
      });
    });
  }

  /**
   * Replaces everything each given document holds (rows, set-aside rows) with its `rows` and `setAside`, all in ONE
   * transaction: the storage upgrade's move (upgrade/upgradeSpace.ts), which must never leave a document
   * half-written nor write it twice however often it is resumed, and pays one commit per batch of documents, not
   * one per document. A document given nothing is removed (no empty entry in the list). Only for documents nobody
   * has open: their rows change under the core. Keys continue each document's counter, so none is given twice.
   */
  replaceDocs(docs: readonly ReplacedDoc[]): Promise<void> {
    return this.op(undefined, async () => {
      if (docs.length === 0) return;
      for (const d of docs) checkDocId(d.docId);
      for (const d of docs) this.forget(d.docId);
      await this.transact(true, ROW_STORES, 'readwrite', (tx, fail) => {
        for (const { docId, rows, setAside } of docs) {
          if (rows.length === 0 && setAside.length === 0) {
            tx.objectStore(UPDATES_STORE).delete(docRange(docId));
            tx.objectStore(SET_ASIDE_STORE).delete(docRange(docId));
            tx.objectStore(DOCS_STORE).delete(docId);
            continue;
          }
          withNextSeq(
            tx,
            docId,
            fail,
            (first) => {
              tx.objectStore(UPDATES_STORE).delete(docRange(docId));
              tx.objectStore(SET_ASIDE_STORE).delete(docRange(docId));
              let seq = first;
              for (const row of rows) tx.objectStore(UPDATES_STORE).add(row.slice(), [docId, seq++]);
              for (const r of setAside) {
                const record: StoredSetAside = { key: r.key, value: r.value, setAsideAt: r.setAsideAt };
                tx.objectStore(SET_ASIDE_STORE).add(record, [docId, seq++]);
              }
            },
            rows.length + setAside.length,
          );
        }
        return () => undefined;
      });
    });
  }

  /** Adds records to a document's `setAside` rows (the upgrade carrying rows refused in the old store); rows untouched. */
  keepAside(docId: DocId, records: readonly Omit<SetAsideRow, 'update'>[]): Promise<void> {
    return this.op(docId, async () => {
      if (records.length === 0) return;
      await this.transact(true, ROW_STORES, 'readwrite', (tx, fail) => {
        withNextSeq(
          tx,
          docId,
          fail,
          (first) => {
            records.forEach((r, i) => {
              const record: StoredSetAside = { key: r.key, value: r.value, setAsideAt: r.setAsideAt };
              tx.objectStore(SET_ASIDE_STORE).add(record, [docId, first + i]);
            });
          },
          records.length,
        );
        return () => undefined;
      });
    });
  }

  /** A value of the space's `meta` store (undefined when absent or when the database does not exist). */
  readMeta(key: string): Promise<unknown> {
    return this.op(undefined, async () => {
      const value = await this.transact(false, [META_STORE], 'readonly', (tx) => {
        const request = tx.objectStore(META_STORE).get(key);
        return () => request.result as unknown;
      });
      return value === MISSING ? undefined : value;
    });
  }

  /** Writes a value of the `meta` store (creating the database if needed); resolves once durable. */
  writeMeta(key: string, value: unknown): Promise<void> {
    return this.op(undefined, async () => {
      if (key === SECRETS_KEY) throw new PersistenceError(ErrorCode.InvalidOperation, `${this.name}: secrets are written with saveSecrets`);
      await this.transact(true, [META_STORE], 'readwrite', (tx) => {
        tx.objectStore(META_STORE).put(value, key);
        return () => undefined;
      });
    });
  }

  /** Compacts a document now if it has more than one row (same rules and checks as the automatic compaction). */
  compact(docId: DocId): Promise<CompactionOutcome> {
    return this.op(docId, () => this.compactRows(docId, 1));
  }

  /**
   * Deletes the space's database (one deleteDatabase), after pending operations settled. The layer is closed
   * whatever happens; a deletion blocked by another tab rejects (see deleteDatabase) and completes when it closes.
   */
  destroy(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.closed = true;
    return (async () => {
      await this.pending.drain();
      await this.connections.disconnectAll();
      await deleteDatabase(this.factory(), this.dbName, this.options.deleteBlockedGraceMs ?? DELETE_BLOCKED_GRACE_MS);
    })().catch((e: unknown) => {
      throw this.mapError(e);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pending.drain();
    await this.connections.disconnectAll();
  }

  // ---- internals ----

  /** A transaction on the space's database; a readwrite one waits for its turn in the write queue. */
  private transact<T>(create: boolean, stores: string[], mode: IDBTransactionMode, body: (tx: IDBTransaction, fail: Fail) => () => T) {
    if (mode === 'readwrite') return this.writes.run(() => this.connections.transact(DB, create, stores, mode, body));
    return this.connections.transact(DB, create, stores, mode, body);
  }

  /**
   * Writes a batch of saves in ONE transaction: each document's rows take consecutive keys from its counter (one
   * counter read and write per document, not per row). Then books the new rows and starts any compaction due.
   */
  private async writeSaves(saves: readonly QueuedSave[]): Promise<void> {
    const byDoc = new Map<DocId, Uint8Array[]>();
    for (const { docId, bytes } of saves) byDoc.set(docId, [...(byDoc.get(docId) ?? []), bytes]);
    const fresh = new Set<DocId>();
    await this.connections.transact(DB, true, ROW_STORES, 'readwrite', (tx, fail) => {
      for (const [docId, rows] of byDoc) {
        withNextSeq(
          tx,
          docId,
          fail,
          (first, isNew) => {
            if (isNew) fresh.add(docId);
            rows.forEach((bytes, i) => tx.objectStore(UPDATES_STORE).add(bytes, [docId, first + i]));
          },
          rows.length,
        );
      }
      return () => undefined;
    });
    for (const [docId, rows] of byDoc) {
      if (fresh.has(docId)) this.loaded(docId, rows.length);
      else this.counted(docId, rows.length);
      this.maybeCompact(docId);
    }
  }

  /** Runs an operation: refuses it after close, tracks it so close() waits for it, maps its errors. */
  private op<T>(docId: DocId | undefined, body: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError(docId));
    const p = (async () => {
      if (docId !== undefined) checkDocId(docId);
      return body();
    })().catch((e: unknown) => {
      throw this.mapError(e, docId);
    });
    this.pending.track(p);
    return p;
  }

  /** fromIndexedDbError, plus VersionError: the database is at a newer schema version than ours. */
  private mapError(e: unknown, docId?: DocId): PersistenceError {
    if ((e as { name?: unknown } | null)?.name === 'VersionError') {
      return new PersistenceError(
        ErrorCode.VersionTooNew,
        `${this.name}: ${this.dbName} was written by a newer version of Quire (this one reads schema version ${SPACE_DB_VERSION})`,
        { cause: e, layer: this.name, docId },
      );
    }
    return fromIndexedDbError(e, docId === undefined ? { layer: this.name } : { layer: this.name, docId });
  }


  private closedError(docId?: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Closed, `${this.name}: the layer is closed`, { layer: this.name, docId });
  }

  private factory(): IDBFactory {
    return indexedDbFactory(this.name, this.options.indexedDB);
  }

  private forget(docId: DocId): void {
    this.rowCounts.delete(docId);
    this.compactionBlocked.delete(docId);
  }

  private loaded(docId: DocId, rows: number): void {
    this.rowCounts.set(docId, rows);
    this.compactionBlocked.delete(docId);
  }

  private counted(docId: DocId, delta: number): void {
    const n = this.rowCounts.get(docId);
    if (n !== undefined) this.rowCounts.set(docId, Math.max(0, n + delta));
  }

  /** Starts a compaction in the background when a save pushed the document over the bound. */
  private maybeCompact(docId: DocId): void {
    const n = this.rowCounts.get(docId);
    if (n === undefined || n <= this.compactAboveRows || this.compacting.has(docId) || this.compactionBlocked.has(docId)) return;
    // Tracked before the save resolves, so close() and destroy() wait for it.
    const p = this.compactRows(docId, this.compactAboveRows).then(
      (outcome) => {
        if (outcome.kind !== 'skipped') return;
        this.report(compactionSkippedError(this.name, docId, outcome));
      },
      (e: unknown) => this.report(this.mapError(e, docId)),
    );
    this.pending.track(p);
  }

  /** Runs compactInTransaction over one document's range, the merge under a fresh key, and books the result. */
  private async compactRows(docId: DocId, above: number): Promise<CompactionOutcome> {
    if (!this.rowCounts.has(docId)) return { kind: 'not-loaded' };
    this.compacting.add(docId);
    try {
      const outcome = await this.transact(false, ROW_STORES, 'readwrite', (tx, fail) => {
        const updates = tx.objectStore(UPDATES_STORE);
        const result = compactInTransaction(updates, fail, above, {
          range: docRange(docId),
          addMerged: (merged) => withNextSeq(tx, docId, fail, (seq) => updates.add(merged, [docId, seq])),
        });
        return () => {
          const { outcome, rowsAfter } = result();
          // Exact at this point; saves committed after this transaction are counted by their own completion.
          if (this.rowCounts.has(docId)) this.rowCounts.set(docId, rowsAfter);
          if (outcome.kind === 'skipped') this.compactionBlocked.add(docId);
          return outcome;
        };
      });
      return outcome === MISSING ? { kind: 'not-needed', rows: 0 } : outcome;
    } finally {
      this.compacting.delete(docId);
    }
  }

  private report(error: PersistenceError): void {
    if (this.errorListeners.size === 0) console.error(error);
    else this.errorListeners.emit(error);
  }
}

/** The RowKey of an `updates` key [docId, seq]: its seq (setAside is always given the docId beside it). */
function seqOf(key: IDBValidKey): RowKey {
  const seq = Array.isArray(key) ? key[1] : undefined;
  // A string seq is not one this store writes, but passed through so setAside still finds the row; any other
  // kind (a date, binary) cannot be a RowKey: -1, under which nothing is ever stored.
  return typeof seq === 'number' || typeof seq === 'string' ? seq : -1;
}
