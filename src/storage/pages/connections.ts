/**
 * One cached IndexedDB connection per document (per key: the space store keeps one key, its one database), and
 * the only way a layer runs a transaction.
 *
 * Policy: a connection stays open until the layer closes, the document is deleted, or the connection is lost
 * from outside: another tab deletes or upgrades the database (`versionchange`, where idb.ts closes it at once so
 * the other side is not blocked by us) or the browser closes it (`close`: storage cleared, eviction). A lost
 * connection is forgotten and the next operation on that document opens a new one.
 */
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';
import { Y_INDEXEDDB_SCHEMA, openDatabase, runTransaction } from './idb.ts';
import type { DbSchema, Fail, OpenedDb } from './idb.ts';

/** Returned by `transact` when the document has no database and the operation must not create one. */
export const MISSING = Symbol('missing database');

export interface ConnectionHooks {
  /** The IndexedDB to use, looked up at each open (it may be missing: that throws a PersistenceError). */
  factory(): IDBFactory;
  dbName(docId: DocId): string;
  /** The layout of the databases (default: y-indexeddb's, one database per document). */
  readonly schema?: DbSchema;
  /** This instance just created the document's database. */
  created(docId: DocId): void;
  /** The document's connection was lost from outside: what the layer knew about its rows may be stale. */
  lost(docId: DocId): void;
}

interface Entry {
  readonly opened: Promise<OpenedDb | null>;
}

export class DocConnections {
  private readonly entries = new Map<DocId, Entry>();

  constructor(
    private readonly hooks: ConnectionHooks,
    /** Durability of readwrite transactions; undefined leaves the browser's default. */
    private readonly durability?: IDBTransactionDurability,
  ) {}

  /**
   * Runs one transaction on a document's database (see runTransaction). When the cached connection turns out to
   * be closed (lost between the lookup and now, without an event), it is dropped and the transaction retried once
   * on a fresh connection: nothing was written, so the retry is safe.
   */
  async transact<T>(
    docId: DocId,
    create: boolean,
    stores: string[],
    mode: IDBTransactionMode,
    body: (tx: IDBTransaction, fail: Fail) => () => T,
  ): Promise<T | typeof MISSING> {
    for (let attempt = 0; ; attempt++) {
      const db = await this.connection(docId, create);
      if (!db) return MISSING;
      let tx: IDBTransaction;
      try {
        tx = mode === 'readwrite' && this.durability ? db.transaction(stores, mode, { durability: this.durability }) : db.transaction(stores, mode);
      } catch (e) {
        if (attempt === 0 && (e as { name?: unknown } | null)?.name === 'InvalidStateError') {
          await this.disconnect(docId);
          continue;
        }
        throw e;
      }
      return runTransaction(tx, body);
    }
  }

  /** Closes and forgets a document's connection (before deleting its database, or on close). */
  async disconnect(docId: DocId): Promise<void> {
    const entry = this.entries.get(docId);
    if (!entry) return;
    this.entries.delete(docId);
    const opened = await entry.opened.catch(() => null);
    opened?.db.close();
  }

  async disconnectAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((docId) => this.disconnect(docId)));
  }

  /** The cached connection of a document, opened if needed; null when it has no database and `create` is false. */
  private async connection(docId: DocId, create: boolean): Promise<IDBDatabase | null> {
    for (;;) {
      const cached = this.entries.get(docId);
      if (!cached) break;
      const opened = await cached.opened;
      if (opened) return opened.db;
      if (!create) return null;
      // That open found no database and its entry is gone; open with `create`, unless a concurrent caller
      // already did, whose entry the loop picks up. One connection per document, never two.
    }
    const entry: Entry = {
      opened: openDatabase(this.hooks.factory(), this.hooks.dbName(docId), this.hooks.schema ?? Y_INDEXEDDB_SCHEMA, create, () => {
        if (this.entries.get(docId) === entry) this.entries.delete(docId);
        this.hooks.lost(docId);
      }),
    };
    this.entries.set(docId, entry);
    const drop = () => {
      if (this.entries.get(docId) === entry) this.entries.delete(docId);
    };
    // Registered before any caller awaits, so the entry is settled (dropped or marked) before they resume.
    void entry.opened.then((opened) => {
      if (!opened) drop();
      else if (opened.created) this.hooks.created(docId);
    }, drop);
    const opened = await entry.opened;
    return opened ? opened.db : null;
  }
}
