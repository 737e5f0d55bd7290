/**
 * The page store: a LocalStore over y-indexeddb 9's on-disk format (one database per document,
 * named by naming.ts, with its 'updates' and 'custom' stores), written with raw IndexedDB instead of y-indexeddb's
 * runtime, which acknowledges nothing, drops failed writes and hangs its load on one corrupt row.
 *
 * - save resolves on the transaction's `complete` and rejects with a PersistenceError (fromIndexedDbError.ts).
 * - load returns raw rows and applies nothing, so bad bytes cannot hang it; the core's guard judges them.
 * - setAside moves refused rows into 'custom' under `set-aside:<key>` (readable with `setAsideRows`).
 * - compaction (compaction.ts) merges a document's rows once it holds more than COMPACT_ABOVE_ROWS.
 * - it is also the space's SecretStore: the secrets live in the space document's 'custom' store under
 *   SECRETS_KEY (where they always have), so destroying the space removes them with it.
 *
 * Connections: one per document, cached (connections.ts). When another tab deletes or upgrades a database or the
 * browser closes it, we close and forget the connection so the other side is never blocked by us; the next
 * operation on that document opens it again. After a deletion elsewhere that means: `load` returns [] and
 * `save` creates a fresh database holding only what is saved from then on. We do not refuse those saves: this
 * layer cannot tell "page deleted forever" from "storage cleared", and refusing would lose the edit either way.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import type { DocId, LocalStore, RowKey, StoredRow } from '../../core/persistence/PersistenceLayer.ts';
import type { SecretStore, Secrets } from '../../core/persistence/SecretStore.ts';
import { Listeners } from '../../core/Listeners.ts';
import { COMPACT_ABOVE_ROWS, compactInTransaction, compactionSkippedError } from './compaction.ts';
import type { CompactionOutcome } from './compaction.ts';
import { DocConnections, MISSING } from './connections.ts';
import { fromIndexedDbError } from './fromIndexedDbError.ts';
import { CUSTOM_STORE, UPDATES_STORE, asBytes, deleteDatabase, indexedDbFactory, onSuccess, parseSecrets, putMergedSecrets } from './idb.ts';
import { docIdFromDbName, pageDbName } from './naming.ts';
import { PendingOps } from './PendingOps.ts';

/** Key of the secrets object in the space document's 'custom' store. */
export const SECRETS_KEY = 'secrets';
/** Prefix of set-aside rows in a document's 'custom' store; the rest is the row's former key. */
export const SET_ASIDE_PREFIX = 'set-aside:';
/** How long deleteDoc/destroy wait after `blocked` (another tab keeps the database open) before rejecting. */
export const DELETE_BLOCKED_GRACE_MS = 3_000;

export interface IndexedDbLayerOptions {
  /** Compact a document once it holds more than this many rows (default COMPACT_ABOVE_ROWS). */
  compactAboveRows?: number;
  /** See DELETE_BLOCKED_GRACE_MS. */
  deleteBlockedGraceMs?: number;
  /** The IndexedDB to use (default: the global one, looked up at each operation). */
  indexedDB?: IDBFactory;
  /** Durability of write transactions (default: the browser's). 'strict' also survives power loss, at a cost. */
  durability?: IDBTransactionDurability;
  /** The layer's name among the layers of a space (default 'indexeddb'). */
  name?: string;
  /** Receives failures of background work (compaction); without listeners they go to console.error. */
  onError?: (error: PersistenceError) => void;
}

/** A row moved out of the load path by `setAside`, as kept in the 'custom' store. */
export interface SetAsideRow {
  /** The row's key in 'updates' before it was set aside. */
  readonly key: RowKey;
  /** The value as update bytes (empty when it was not bytes at all). */
  readonly update: Uint8Array;
  /** The value exactly as it was stored, for inspection and export. */
  readonly value: unknown;
  /** When it was set aside (ms since the epoch). */
  readonly setAsideAt: number;
}

interface StoredSetAside {
  key: RowKey;
  value: unknown;
  setAsideAt: number;
}

export class IndexedDbLayer implements LocalStore, SecretStore {
  readonly direction = 'one-way' as const;
  readonly name: string;
  readonly compactAboveRows: number;
  private readonly options: IndexedDbLayerOptions;
  private readonly connections: DocConnections;
  /**
   * Rows per document as far as this instance knows, present ONLY for documents it may compact: those whose
   * first `load` completed here (the core's guard saw their rows) or whose database this instance created (every
   * row is an update the core saved). Nothing is compacted before that. Rows other tabs add are not counted, so
   * the bound holds for this instance's writes; the compaction transaction recounts.
   */
  private readonly rowCounts = new Map<DocId, number>();
  /** Documents whose last compaction was skipped (a corrupt row, too large): retried after the next load or setAside. */
  private readonly compactionBlocked = new Set<DocId>();
  private readonly compacting = new Set<DocId>();
  private readonly pending = new PendingOps();
  private readonly errorListeners = new Listeners<PersistenceError>();
  private closed = false;

  constructor(
    readonly spaceId: string,
    options: IndexedDbLayerOptions = {},
  ) {
    this.options = options;
    this.name = options.name ?? 'indexeddb';
    this.compactAboveRows = options.compactAboveRows ?? COMPACT_ABOVE_ROWS;
    if (options.onError) this.onError(options.onError);
    this.connections = new DocConnections(
      {
        factory: () => this.factory(),
        dbName: (docId) => pageDbName(this.spaceId, docId),
        created: (docId) => {
          // Every row of a database we created is one the core saved through us: it may be compacted.
          this.rowCounts.set(docId, 0);
          this.compactionBlocked.delete(docId);
        },
        // We no longer know what the database holds; compaction waits for the next load (or a database we create).
        lost: (docId) => this.forget(docId),
      },
      options.durability,
    );
  }

  /**
   * Failures of background work (compaction). Returns an unsubscribe function. A listener that throws is
   * logged and the others still hear of the failure: the failure itself must not get lost.
   */
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
      const rows = await this.connections.transact(docId, false, [UPDATES_STORE], 'readonly', (tx) => {
        const store = tx.objectStore(UPDATES_STORE);
        // Both requests in one transaction: keys and values describe the same rows.
        const keys = store.getAllKeys();
        const values = store.getAll();
        return () => {
          // Keys are autoIncrement numbers (ours and y-indexeddb's); any other key is passed through unchanged so
          // that setAside still finds the row.
          const result = keys.result.map((key, i): StoredRow => ({ key: key as RowKey, update: asBytes(values.result[i]) }));
          this.loaded(docId, result.length);
          return result;
        };
      });
      if (rows !== MISSING) return rows;
      this.loaded(docId, 0);
      return [];
    });
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    if (!(update instanceof Uint8Array)) {
      return Promise.reject(new PersistenceError(ErrorCode.InvalidOperation, `${this.name}: save expects a Uint8Array`, { layer: this.name, docId }));
    }
    // Copy now: the caller may reuse its buffer, and what is stored must be what was given.
    const bytes = update.slice();
    return this.op(docId, async () => {
      await this.connections.transact(docId, true, [UPDATES_STORE], 'readwrite', (tx) => {
        tx.objectStore(UPDATES_STORE).add(bytes);
        return () => this.counted(docId, 1);
      });
      this.maybeCompact(docId);
    });
  }

  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void> {
    return this.op(docId, async () => {
      if (keys.length === 0) return;
      const setAsideAt = Date.now();
      // One transaction: a row is either still in 'updates' or already in 'custom', never in neither.
      await this.connections.transact(docId, false, [UPDATES_STORE, CUSTOM_STORE], 'readwrite', (tx, fail) => {
        const updates = tx.objectStore(UPDATES_STORE);
        const custom = tx.objectStore(CUSTOM_STORE);
        let moved = 0;
        for (const key of new Set(keys)) {
          onSuccess(updates.openCursor(key), fail, (cursor) => {
            if (!cursor) return; // not there (already moved, or compacted away by its merge): nothing to move
            const record: StoredSetAside = { key, value: cursor.value, setAsideAt };
            custom.put(record, SET_ASIDE_PREFIX + String(key));
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
      const rows = await this.connections.transact(docId, false, [CUSTOM_STORE], 'readonly', (tx) => {
        const range = IDBKeyRange.bound(SET_ASIDE_PREFIX, `${SET_ASIDE_PREFIX}\uffff`);
        const request = tx.objectStore(CUSTOM_STORE).getAll(range);
        return () =>
          (request.result as unknown[])
            .map((raw): SetAsideRow => {
              const r = (raw ?? {}) as Partial<StoredSetAside>;
              return { key: r.key ?? '', update: asBytes(r.value), value: r.value, setAsideAt: r.setAsideAt ?? 0 };
            })
            // The 'custom' keys are strings ('set-aside:10' < 'set-aside:9'); order by the former keys instead.
            .sort((a, b) => compareKeys(a.key, b.key));
      });
      return rows === MISSING ? [] : rows;
    });
  }

  deleteDoc(docId: DocId): Promise<void> {
    return this.op(docId, async () => {
      // Close our own connection first, or our cached connection would block our own delete.
      await this.connections.disconnect(docId);
      this.forget(docId);
      await deleteDatabase(this.factory(), pageDbName(this.spaceId, docId), this.graceMs());
    });
  }

  /**
   * Every document of this space that has a database (sorted), read from `indexedDB.databases()` without opening
   * any: that includes the space document once secrets were saved, and a document whose rows were all set aside.
   */
  listDocs(): Promise<DocId[]> {
    return this.op(undefined, async () => (await this.databaseNames()).map(([, docId]) => docId).sort());
  }

  loadSecrets(): Promise<Secrets> {
    return this.op(SPACE_DOC_ID, async () => {
      const secrets = await this.connections.transact(SPACE_DOC_ID, false, [CUSTOM_STORE], 'readonly', (tx) => {
        const request = tx.objectStore(CUSTOM_STORE).get(SECRETS_KEY);
        return () => parseSecrets(request.result);
      });
      return secrets === MISSING ? {} : secrets;
    });
  }

  saveSecrets(secrets: Secrets): Promise<void> {
    return this.op(SPACE_DOC_ID, async () => {
      const given = parseSecrets(secrets, ErrorCode.InvalidOperation);
      await this.connections.transact(SPACE_DOC_ID, true, [CUSTOM_STORE], 'readwrite', (tx, fail) => {
        const custom = tx.objectStore(CUSTOM_STORE);
        putMergedSecrets(custom, SECRETS_KEY, given, fail);
        return () => undefined;
      });
    });
  }

  /** Compacts a document now if it has more than one row (same rules and checks as the automatic compaction). */
  compact(docId: DocId): Promise<CompactionOutcome> {
    return this.op(docId, () => this.compactRows(docId, 1));
  }

  /**
   * Deletes every page database of this space (in parallel), after pending operations settled. The layer is closed
   * whatever happens; a deletion blocked by another tab rejects (see deleteDatabase) and completes when it closes.
   */
  destroy(): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    this.closed = true;
    return (async () => {
      await this.pending.drain();
      await this.connections.disconnectAll();
      const factory = this.factory();
      const names = await this.databaseNames();
      const results = await Promise.allSettled(names.map(([name]) => deleteDatabase(factory, name, this.graceMs())));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    })().catch((e: unknown) => {
      throw fromIndexedDbError(e, { layer: this.name });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pending.drain();
    await this.connections.disconnectAll();
  }

  // ---- internals ----

  /** Runs an operation: refuses it after close, tracks it so close() waits for it, maps its errors. */
  private op<T>(docId: DocId | undefined, body: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(this.closedError(docId));
    const context = docId === undefined ? { layer: this.name } : { layer: this.name, docId };
    const p = body().catch((e: unknown) => {
      throw fromIndexedDbError(e, context);
    });
    this.pending.track(p);
    return p;
  }



  private closedError(docId?: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Closed, `${this.name}: the layer is closed`, { layer: this.name, docId });
  }

  private factory(): IDBFactory {
    return indexedDbFactory(this.name, this.options.indexedDB);
  }

  private graceMs(): number {
    return this.options.deleteBlockedGraceMs ?? DELETE_BLOCKED_GRACE_MS;
  }

  /** The names of this space's page databases with their document ids. */
  private async databaseNames(): Promise<Array<[string, DocId]>> {
    const factory = this.factory();
    if (typeof factory.databases !== 'function') {
      throw new PersistenceError(ErrorCode.StorageUnavailable, `${this.name}: indexedDB.databases() is not supported by this browser`, { layer: this.name });
    }
    const found: Array<[string, DocId]> = [];
    for (const { name } of await factory.databases()) {
      const docId = name === undefined ? null : docIdFromDbName(this.spaceId, name);
      if (name !== undefined && docId !== null) found.push([name, docId]);
    }
    return found;
  }

  /** Forgets what this instance knew about a document's rows: it no longer knows what the database holds. */
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
    this.pending.track(
      this.compactRows(docId, this.compactAboveRows).then(
        (outcome) => {
          if (outcome.kind !== 'skipped') return;
          this.report(compactionSkippedError(this.name, docId, outcome));
        },
        (e: unknown) => this.report(fromIndexedDbError(e, { layer: this.name, docId })),
      ),
    );
  }

  /** Runs compactInTransaction (compaction.ts) on a document this instance may compact, and books the result. */
  private async compactRows(docId: DocId, above: number): Promise<CompactionOutcome> {
    if (!this.rowCounts.has(docId)) return { kind: 'not-loaded' };
    this.compacting.add(docId);
    try {
      const outcome = await this.connections.transact(docId, false, [UPDATES_STORE], 'readwrite', (tx, fail) => {
        const result = compactInTransaction(tx.objectStore(UPDATES_STORE), fail, above);
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

/** Numbers before strings, numbers numerically: IndexedDB's own key order for the keys a row can have. */
function compareKeys(a: RowKey, b: RowKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
