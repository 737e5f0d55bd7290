import { createTransaction } from '@tanstack/react-db';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, PersistenceError } from '../core/errors.ts';
import { openQuireDatabase, type QuireDatabase, type SpaceRow, type TabRow } from '../storage/db/index.ts';
import { createDexieCollection } from './createDexieCollection.ts';
import { PageCollections } from './PageCollections.ts';
import { createUiStateCollections } from './uiStateCollections.ts';

let count = 0;
const dbs: QuireDatabase[] = [];
async function freshDb(name = `collections-${++count}`): Promise<QuireDatabase> {
  const db = await openQuireDatabase({ name });
  dbs.push(db);
  return db;
}
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function tab(id: string, order: string, title = id): TabRow {
  return { id, spaceId: null, pageId: null, title, path: `/${id}`, order, updatedAtMs: 1 };
}
/** Writes with raw IndexedDB, outside Dexie (so no Dexie liveQuery hears of it). */
async function rawWrite(name: string, storeName: string, write: (store: IDBObjectStore) => void): Promise<void> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('open failed'));
  });
  await new Promise<void>((resolve, reject) => {
    const tx = idb.transaction(storeName, 'readwrite');
    write(tx.objectStore(storeName));
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('write failed'));
  });
  idb.close();
}
async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('dexieCollectionOptions: writable UI-state collections', () => {
  it('loads existing rows, then inserts, updates and deletes through one Dexie transaction each', async () => {
    const db = await freshDb();
    await db.tabs.bulkPut([tab('b', 'a1'), tab('a', 'a0')]);
    const { tabs } = createUiStateCollections(db);
    await tabs.preload();
    expect(tabs.toArray.map((t) => t.id)).toEqual(['a', 'b']);

    const inserted = tabs.insert(tab('c', 'a2'));
    expect(tabs.get('c')?.title).toBe('c'); // optimistic, before Dexie answered
    await inserted.isPersisted.promise;
    expect(await db.tabs.get('c')).toEqual(tab('c', 'a2'));
    expect(tabs.get('c')?.$hasPendingWrites).toBe(false);

    await tabs.update('a', (draft) => {
      draft.title = 'renamed';
    }).isPersisted.promise;
    expect((await db.tabs.get('a'))?.title).toBe('renamed');
    expect(tabs.get('a')?.title).toBe('renamed');

    await tabs.delete('b').isPersisted.promise;
    expect(await db.tabs.get('b')).toBeUndefined();
    expect(tabs.has('b')).toBe(false);
    expect(tabs.toArray.map((t) => t.id)).toEqual(['a', 'c']);
    // Virtual props never reach Dexie, even when a row read from the collection is spread into a new one.
    await tabs.insert({ ...tabs.get('a')!, id: 'copy', order: 'a3' }).isPersisted.promise;
    expect(Object.keys((await db.tabs.get('copy'))!).some((k) => k.startsWith('$'))).toBe(false);
  });

  it('rolls the optimistic change back and rejects with quota-exceeded when the write fails', async () => {
    const db = await freshDb();
    const { tabs } = createUiStateCollections(db);
    await tabs.preload();
    const quota = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    db.tabs.hook('creating', quota);
    const tx = tabs.insert(tab('x', 'a0'));
    expect(tabs.has('x')).toBe(true); // optimistic
    const error = await errorOf(tx.isPersisted.promise);
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
    expect(tabs.has('x')).toBe(false);
    expect(await db.tabs.count()).toBe(0);
    db.tabs.hook('creating').unsubscribe(quota);

    // An update that fails restores the previous value.
    await tabs.insert(tab('y', 'a0', 'before')).isPersisted.promise;
    db.tabs.hook('updating', quota);
    const failedUpdate = tabs.update('y', (d) => {
      d.title = 'after';
    });
    expect(tabs.get('y')?.title).toBe('after');
    expect(await errorOf(failedUpdate.isPersisted.promise)).toMatchObject({ code: ErrorCode.QuotaExceeded });
    expect(tabs.get('y')?.title).toBe('before');
    expect((await db.tabs.get('y'))?.title).toBe('before');
  });

  it('rejects with storage-unavailable when the database is closed, and with precise codes for conflicts', async () => {
    const db = await freshDb();
    const { tabs } = createUiStateCollections(db);
    await tabs.preload();
    await tabs.insert(tab('a', 'a0')).isPersisted.promise;

    // Rows changed behind Dexie's back (raw IndexedDB: no liveQuery notification), so the collection
    // still shows the old state when it writes.
    await rawWrite(db.name, 'tabs', (store) => store.put(tab('dup', 'a1')));
    const dupInsert = tabs.insert(tab('dup', 'a1'));
    expect(await errorOf(dupInsert.isPersisted.promise)).toMatchObject({ code: ErrorCode.InvalidOperation });
    expect(tabs.has('dup')).toBe(false);
    await rawWrite(db.name, 'tabs', (store) => store.delete('a'));
    const update = tabs.update('a', (d) => {
      d.title = 'x';
    });
    expect(await errorOf(update.isPersisted.promise)).toMatchObject({ code: ErrorCode.NotFound });
    expect(await db.tabs.get('a')).toBeUndefined(); // the failed update did not resurrect the row
    await tabs.insert(tab('b', 'a5')).isPersisted.promise;

    db.close();
    const closed = tabs.update('b', (d) => {
      d.title = 'after close';
    });
    expect(await errorOf(closed.isPersisted.promise)).toMatchObject({ code: ErrorCode.StorageUnavailable });
    expect(tabs.get('b')?.title).toBe('b');
  });

  it('fails the first load with a PersistenceError', async () => {
    const db = await freshDb();
    db.close();
    const { tabs } = createUiStateCollections(db);
    const error = await errorOf(tabs.preload());
    expect(error).toBeInstanceOf(PersistenceError);
    expect((error as PersistenceError).code).toBe(ErrorCode.StorageUnavailable);
    expect(tabs.status).toBe('error');
  });

  it('shows rows written by another Dexie instance on the same database (another tab)', async () => {
    const db = await freshDb();
    const { tabs, uiPreferences } = createUiStateCollections(db);
    await tabs.preload();
    await uiPreferences.preload();
    const otherTab = await freshDb(db.name);
    await otherTab.tabs.put(tab('from-other-tab', 'a0'));
    await vi.waitFor(() => expect(tabs.get('from-other-tab')?.title).toBe('from-other-tab'));
    await otherTab.tabs.update('from-other-tab', { title: 'changed there' });
    await vi.waitFor(() => expect(tabs.get('from-other-tab')?.title).toBe('changed there'));
    await otherTab.tabs.delete('from-other-tab');
    await vi.waitFor(() => expect(tabs.has('from-other-tab')).toBe(false));
    // Last writer wins between tabs, per field.
    await uiPreferences.insert({ key: 'theme', value: 'dark', updatedAtMs: 1 }).isPersisted.promise;
    await otherTab.uiPreferences.update('theme', { value: 'light', updatedAtMs: 2 });
    await vi.waitFor(() => expect(uiPreferences.get('theme')?.value).toBe('light'));
  });
});

describe('read-only projection collections', () => {
  it('refuse direct writes with forbidden, synchronously, and change nothing', async () => {
    const db = await freshDb();
    const space: SpaceRow = { id: 's', name: 'S', icon: null, createdAt: 1, updatedAt: 1, lastOpenedAt: 5, deleted: false };
    await db.spaces.put(space);
    const collections = new PageCollections(db);
    const spaces = collections.spaces();
    await spaces.preload();
    expect(spaces.get('s')?.name).toBe('S');

    const attempts: (() => unknown)[] = [
      () => spaces.insert({ ...space, id: 't' }),
      () => spaces.update('s', (d) => {
        d.name = 'hacked';
      }),
      () => spaces.delete('s'),
      () => {
        const tx = createTransaction({ autoCommit: false, mutationFn: () => Promise.resolve() });
        tx.mutate(() => spaces.insert({ ...space, id: 'u' }));
      },
    ];
    for (const attempt of attempts) {
      let thrown: unknown;
      try {
        attempt();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(PersistenceError);
      expect((thrown as PersistenceError).code).toBe(ErrorCode.Forbidden);
    }
    expect(spaces.toArray).toHaveLength(1);
    expect(spaces.get('s')?.name).toBe('S');
    expect(await db.spaces.toArray()).toEqual([space]);
  });

  it('the options alone (without the wrapper) still refuse in the handlers', async () => {
    const db = await freshDb();
    const { dexieCollectionOptions } = await import('./dexieCollectionOptions.ts');
    const { createCollection } = await import('@tanstack/react-db');
    const spaces = createCollection(dexieCollectionOptions({ id: 'raw-spaces', table: db.spaces, getKey: (r) => r.id, readOnly: true }));
    await spaces.preload();
    const tx = spaces.insert({ id: 's', name: 'S', icon: null, createdAt: 1, updatedAt: 1, lastOpenedAt: null, deleted: false });
    expect(await errorOf(tx.isPersisted.promise)).toMatchObject({ code: ErrorCode.Forbidden });
    expect(spaces.has('s')).toBe(false);
    expect(await db.spaces.count()).toBe(0);
  });

  it('a generic collection built by createDexieCollection is writable unless readOnly', async () => {
    const db = await freshDb();
    const views = createDexieCollection({ id: 'views', table: db.views, getKey: (r) => r.id });
    await views.preload();
    await views.insert({ id: 's', expandedPageIds: ['a'], sidebarWidth: 240, updatedAtMs: 1 }).isPersisted.promise;
    expect(await db.views.get('s')).toEqual({ id: 's', expandedPageIds: ['a'], sidebarWidth: 240, updatedAtMs: 1 });
  });
});
