/**
 * Raw IndexedDB helpers: opening a database with a schema (y-indexeddb 9's for the page store, the space store's
 * own in ../space), transactions, deletion. Everything resolves on the event that makes it true
 * (a transaction's `complete`, a delete's `success`) and rejects with the error the browser gave, never later
 * and never silently: the layer maps the errors (fromIndexedDbError.ts).
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';

/** y-indexeddb's object store of Yjs updates: one row per update, autoIncrement keys. */
export const UPDATES_STORE = 'updates';
/** y-indexeddb's key-value store (`IndexeddbPersistence.get/set`); we keep secrets and set-aside rows there. */
export const CUSTOM_STORE = 'custom';

export interface OpenedDb {
  readonly db: IDBDatabase;
  /** This open created the database (so every row in it was written after we got here). */
  readonly created: boolean;
}

/**
 * The layout of one kind of database: the version to open it at (none: whatever version it has) and how to
 * create its stores. `upgrade` runs inside the versionchange transaction, from `oldVersion` (0: a new database).
 */
export interface DbSchema {
  readonly version?: number;
  upgrade(db: IDBDatabase, oldVersion: number): void;
}

/** y-indexeddb 9's layout: no version (the current one, or 1 when new), the two stores. */
export const Y_INDEXEDDB_SCHEMA: DbSchema = {
  upgrade(db) {
    // Exactly y-indexeddb's createStores(db, [['updates', { autoIncrement: true }], ['custom']]).
    if (!db.objectStoreNames.contains(UPDATES_STORE)) db.createObjectStore(UPDATES_STORE, { autoIncrement: true });
    if (!db.objectStoreNames.contains(CUSTOM_STORE)) db.createObjectStore(CUSTOM_STORE);
  },
};

/**
 * Opens a page database the way y-indexeddb does (no version: the current one, or version 1 with the two stores
 * when it does not exist), so either side can open the other's databases. See openDatabase.
 */
export function openDocDb(factory: IDBFactory, name: string, create: boolean, onLost: () => void): Promise<OpenedDb | null> {
  return openDatabase(factory, name, Y_INDEXEDDB_SCHEMA, create, onLost);
}

/**
 * Opens a database with the given schema.
 *
 * With `create` false a missing database is NOT created: the upgrade is aborted and the promise resolves null,
 * so reading an unknown document leaves nothing behind for `listDocs` to find.
 *
 * `onLost` runs when the connection stops being usable from outside: another tab deletes or upgrades the
 * database (`versionchange`: we close at once so their request is not blocked by us), or the browser closes it
 * (`close`: storage cleared, eviction).
 */
export function openDatabase(factory: IDBFactory, name: string, schema: DbSchema, create: boolean, onLost: () => void): Promise<OpenedDb | null> {
  return new Promise((resolve, reject) => {
    let created = false;
    let refused = false;
    const request = schema.version === undefined ? factory.open(name) : factory.open(name, schema.version);
    request.onupgradeneeded = (event) => {
      if (!create && event.oldVersion === 0) {
        refused = true;
        request.transaction?.abort();
        return;
      }
      created = event.oldVersion === 0;
      schema.upgrade(request.result, event.oldVersion);
    };
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => {
        db.close();
        onLost();
      };
      db.onclose = () => onLost();
      resolve({ db, created });
    };
    request.onerror = (event) => {
      if (refused) {
        event.preventDefault();
        resolve(null);
      } else {
        reject(request.error ?? new DOMException(`opening ${name} failed`, 'UnknownError'));
      }
    };
  });
}

/** Reports a failure from inside a request callback: aborts the transaction, which then rejects with it. */
export type Fail = (error: unknown) => void;

/**
 * Runs one transaction. `body` issues the requests (use `onSuccess` for follow-ups) and returns a function
 * read when `complete` fires. Resolves only on `complete`; rejects on `abort` with the first failure (a throw
 * in `body` or a callback, a failed request, the browser's own abort such as a quota error at commit).
 */
export function runTransaction<T>(tx: IDBTransaction, body: (tx: IDBTransaction, fail: Fail) => () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let failure: { error: unknown } | undefined;
    const fail: Fail = (error) => {
      failure ??= { error };
      try {
        tx.abort();
      } catch {
        // Already committing or finished: `complete` or `abort` still fires and settles with `failure`.
      }
    };
    let result: () => T = () => {
      throw new Error('transaction completed before its body ran');
    };
    tx.oncomplete = () => {
      if (failure) return reject(toError(failure.error));
      try {
        resolve(result());
      } catch (e) {
        reject(toError(e));
      }
    };
    tx.onabort = () => reject(toError(failure?.error ?? tx.error ?? new DOMException('the transaction was aborted', 'AbortError')));
    try {
      result = body(tx, fail);
    } catch (e) {
      fail(e);
    }
  });
}

/** Rejections carry Errors; a thrown non-Error is wrapped, kept as `cause` (the error mapping looks there too). */
function toError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e), { cause: e });
}

/** Calls `then` with the request's result; a throw inside it aborts the transaction through `fail`. */
export function onSuccess<R>(request: IDBRequest<R>, fail: Fail, then: (result: R) => void): void {
  request.onsuccess = () => {
    try {
      then(request.result);
    } catch (e) {
      fail(e);
    }
  };
}

/**
 * Deletes a database. Our own connection must be closed first. If another connection ignores `versionchange`
 * (a tab running code that does not close on it), the browser fires `blocked` and the deletion waits for it;
 * we wait `blockedGraceMs` more, then reject with 'storage-unavailable'. The browser keeps the request queued:
 * the database is deleted as soon as that connection closes, and until then opening it waits behind the delete.
 */
export function deleteDatabase(factory: IDBFactory, name: string, blockedGraceMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const request = factory.deleteDatabase(name);
    request.onsuccess = () => {
      clearTimeout(timer);
      resolve();
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(request.error ?? new DOMException(`deleting ${name} failed`, 'UnknownError'));
    };
    request.onblocked = () => {
      timer ??= setTimeout(() => {
        reject(
          new PersistenceError(
            ErrorCode.StorageUnavailable,
            `deleting ${name} is blocked by a connection in another tab; it completes when that connection closes`,
          ),
        );
      }, blockedGraceMs);
    };
  });
}

/** A stored value as update bytes: Uint8Array as is, an ArrayBuffer wrapped, anything else empty (the guard refuses it). */
export function asBytes(value: unknown): Uint8Array {
  // Tag checks rather than instanceof: values can come from another realm (a worker, an iframe, a test polyfill).
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Uint8Array]') return value as Uint8Array;
  if (tag === '[object ArrayBuffer]') return new Uint8Array(value as ArrayBuffer);
  return new Uint8Array(0);
}

/**
 * The IndexedDB a store uses: `given` (tests pass fake-indexeddb's), else the global one, looked up at each
 * operation. Typed `storage-unavailable` when there is none, or when merely touching it throws.
 */
export function indexedDbFactory(layer: string, given?: IDBFactory): IDBFactory {
  let factory: IDBFactory | undefined;
  try {
    factory = given ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  } catch (e) {
    // Some browsers throw SecurityError on the mere access (sandboxed frames, disabled storage).
    throw new PersistenceError(ErrorCode.StorageUnavailable, `${layer}: IndexedDB is not accessible`, { cause: e, layer });
  }
  if (!factory) throw new PersistenceError(ErrorCode.StorageUnavailable, `${layer}: IndexedDB is not available here`, { layer });
  return factory;
}

/**
 * Merges `given` into the secrets object stored under `key` in `store`, read and written in the caller's one
 * transaction, so two concurrent merges cannot drop each other's keys.
 */
export function putMergedSecrets(store: IDBObjectStore, key: string, given: Readonly<Record<string, string>>, fail: Fail): void {
  onSuccess(store.get(key), fail, (stored) => {
    store.put({ ...parseSecrets(stored), ...given }, key);
  });
}

/** Secrets as stored: an object of strings (`code` when it is not: corrupt when read, invalid when given). */
export function parseSecrets(value: unknown, code: ErrorCode = ErrorCode.CorruptData): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new PersistenceError(code, `secrets must be an object of strings, got ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return { ...(value as Record<string, string>) };
}
