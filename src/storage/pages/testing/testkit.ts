/**
 * Test helpers: raw IndexedDB access that the layer itself never does (writing garbage rows, counting rows,
 * playing "another tab"). Imported only by the tests of this folder.
 */
import * as Y from 'yjs';
import { mulberry32 } from '../../../core/testing/prng.ts';
import { CUSTOM_STORE, UPDATES_STORE } from '../idb.ts';

let spaces = 0;
const run = Math.random().toString(36).slice(2, 8);
/** A space id no other test uses, so tests never see each other's databases. */
export function freshSpaceId(label = 'space'): string {
  return `${label}-${run}-${++spaces}`;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('request failed'));
  });
}

/** Opens a database with y-indexeddb's schema, as another tab or y-indexeddb itself would. Caller closes it. */
export function openRaw(name: string, onVersionChange: 'close' | 'ignore' = 'close'): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => {
      r.result.createObjectStore(UPDATES_STORE, { autoIncrement: true });
      r.result.createObjectStore(CUSTOM_STORE);
    };
    r.onsuccess = () => {
      if (onVersionChange === 'close') r.result.onversionchange = () => r.result.close();
      resolve(r.result);
    };
    r.onerror = () => reject(r.error ?? new Error('open failed'));
  });
}

async function withDb<T>(name: string, body: (db: IDBDatabase) => Promise<T>): Promise<T> {
  const db = await openRaw(name);
  try {
    return await body(db);
  } finally {
    db.close();
  }
}

/** Every row of 'updates' as [key, value], in key order. */
export function rawRows(name: string): Promise<Array<[IDBValidKey, unknown]>> {
  return withDb(name, async (db) => {
    const store = db.transaction(UPDATES_STORE, 'readonly').objectStore(UPDATES_STORE);
    const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
    return keys.map((k, i): [IDBValidKey, unknown] => [k, values[i]]);
  });
}

/** Adds a value to 'updates' behind the layer's back; resolves with its key once the transaction completed. */
export function rawAdd(name: string, value: unknown): Promise<IDBValidKey> {
  return withDb(name, (db) => {
    const tx = db.transaction(UPDATES_STORE, 'readwrite');
    const key = request(tx.objectStore(UPDATES_STORE).add(value));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(key);
      tx.onabort = () => reject(tx.error ?? new Error('aborted'));
    });
  });
}

/** Puts a value under a key of 'custom' behind the layer's back. */
export function rawPutCustom(name: string, key: string, value: unknown): Promise<void> {
  return withDb(name, (db) => {
    const tx = db.transaction(CUSTOM_STORE, 'readwrite');
    tx.objectStore(CUSTOM_STORE).put(value, key);
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onabort = () => reject(tx.error ?? new Error('aborted'));
    });
  });
}

export async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name ?? '').sort();
}

/** Deletes every database (test cleanup); rejects if one is blocked instead of hanging. */
export async function deleteAllDatabases(): Promise<void> {
  await Promise.all((await databaseNames()).map((name) => expectSettles(request(indexedDB.deleteDatabase(name)), 5_000, `delete ${name}`)));
}

/** Rejects if `p` has not settled within `ms`: how a test proves that something does not hang. */
export function expectSettles<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Real Yjs updates typing `text` into the Y.Text named `field`, one character per update. */
export function typing(text: string, field = 't', clientID = 1): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = clientID;
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  const t = doc.getText(field);
  for (let i = 0; i < text.length; i++) t.insert(i, text[i]!);
  return updates;
}

/** A doc holding the given updates (stored rows or raw bytes). */
export function docOf(updates: ReadonlyArray<Uint8Array | { update: Uint8Array }>): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u instanceof Uint8Array ? u : u.update);
  return doc;
}

/** A seeded stream of floats in [0, 1) (core's mulberry32), so every random schedule can be replayed. */
export function prng(seed: number): () => number {
  const rng = mulberry32(seed);
  return () => rng.next();
}
