import { forceCloseDatabase } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import { IndexedDbLayer, SECRETS_KEY } from './IndexedDbLayer.ts';
import { pageDbName } from './naming.ts';
import { databaseNames, deleteAllDatabases, docOf, expectSettles, freshSpaceId, openRaw, rawAdd, rawPutCustom, rawRows, typing } from './testing/testkit.ts';
import { rejection } from '../../core/testing/rejection.ts';

const layers: IndexedDbLayer[] = [];
function layer(spaceId: string, options: ConstructorParameters<typeof IndexedDbLayer>[1] = {}): IndexedDbLayer {
  const l = new IndexedDbLayer(spaceId, options);
  layers.push(l);
  return l;
}

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  await Promise.allSettled(layers.splice(0).map((l) => l.close()));
  await deleteAllDatabases();
});


describe('IndexedDbLayer: quota', () => {
  it('rejects a save whose add throws QuotaExceededError with quota-exceeded, and stores nothing', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const e = await rejection(l.save('p1', u2!));
    expect(e.code).toBe(ErrorCode.QuotaExceeded);
    expect(e.docId).toBe('p1');
    vi.restoreAllMocks();
    expect(await rawRows(pageDbName(space, 'p1'))).toHaveLength(1);
    // The layer is still usable afterwards.
    await l.save('p1', u2!);
    expect(docOf(await l.load('p1')).getText('t').toJSON()).toBe('ab');
  });

  it('rejects with quota-exceeded when the transaction aborts with QuotaExceededError at commit', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    const add = IDBObjectStore.prototype.add;
    // Chromium reports quota at commit: the request looked fine, then the transaction aborts with error.name set.
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (this: IDBObjectStore, ...args) {
      const request = add.apply(this, args);
      const tx = this.transaction;
      Object.defineProperty(tx, 'error', { value: new DOMException('quota', 'QuotaExceededError') });
      tx.abort();
      return request;
    });
    const e = await rejection(l.save('p1', u2!));
    expect(e.code).toBe(ErrorCode.QuotaExceeded);
    vi.restoreAllMocks();
    expect(await rawRows(pageDbName(space, 'p1'))).toHaveLength(1);
  });

  it('rejects saveSecrets on quota and keeps the secrets it had', async () => {
    const l = layer(freshSpaceId());
    await l.saveSecrets({ a: '1' });
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('quota', 'QuotaExceededError');
    });
    expect((await rejection(l.saveSecrets({ b: '2' }))).code).toBe(ErrorCode.QuotaExceeded);
    vi.restoreAllMocks();
    expect(await l.loadSecrets()).toEqual({ a: '1' });
  });
});

describe('IndexedDbLayer: the database goes away under a cached connection', () => {
  it('lets another tab delete the database without blocking, then loads [] and recreates on save', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    await l.load('p1'); // the connection is cached now

    // "Another tab" deletes the database. If our connection stayed open, this would fire `blocked` and hang.
    const request = indexedDB.deleteDatabase(pageDbName(space, 'p1'));
    let blocked = false;
    request.onblocked = () => (blocked = true);
    await expectSettles(
      new Promise((resolve, reject) => {
        request.onsuccess = resolve;
        request.onerror = reject;
      }),
      2_000,
      'delete from another tab',
    );
    expect(blocked).toBe(false);

    // Documented behaviour: the next operation reopens; the document is gone, a save starts a fresh database.
    expect(await l.load('p1')).toEqual([]);
    expect(await l.listDocs()).toEqual([]);
    await l.save('p1', u2!);
    expect(await rawRows(pageDbName(space, 'p1'))).toHaveLength(1);
    expect(await l.listDocs()).toEqual(['p1']);
  });

  it('reopens after the browser force-closes the connection (storage cleared), and an in-flight save rejects', async () => {
    const space = freshSpaceId();
    const connections: IDBDatabase[] = [];
    const factory = {
      open: (name: string) => {
        const r = indexedDB.open(name);
        r.addEventListener('success', () => connections.push(r.result));
        return r;
      },
      deleteDatabase: (name: string) => indexedDB.deleteDatabase(name),
      databases: () => indexedDB.databases(),
      cmp: (a: unknown, b: unknown) => indexedDB.cmp(a, b),
    };
    const l = layer(space, { indexedDB: factory });
    const [u1, u2, u3] = typing('abc');
    await l.save('p1', u1!);
    expect(connections).toHaveLength(1);

    forceCloseDatabase(connections[0]! as never); // fires `close`: the layer forgets the connection
    await l.save('p1', u2!);
    expect(connections).toHaveLength(2);

    // A save whose transaction is running when the connection is force-closed is aborted: it must reject.
    // (The spec aborts the connection's transactions on a forced close; fake-indexeddb lets them finish, so the
    // test aborts it as a browser would.)
    const add = IDBObjectStore.prototype.add;
    vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementationOnce(function (this: IDBObjectStore, ...args) {
      const r = add.apply(this, args);
      forceCloseDatabase(this.transaction.db as never);
      this.transaction.abort();
      return r;
    });
    const e = await rejection(expectSettles(l.save('p1', u3!), 2_000, 'save on a force-closed connection'));
    expect(e.code).toBe(ErrorCode.StorageUnavailable);
    await l.save('p1', u3!);
    expect(docOf(await l.load('p1')).getText('t').toJSON()).toBe('abc');
  });

  it('retries once on a fresh connection when the cached one was closed without an event', async () => {
    const space = freshSpaceId();
    const connections: IDBDatabase[] = [];
    const factory = {
      open: (name: string) => {
        const r = indexedDB.open(name);
        r.addEventListener('success', () => connections.push(r.result));
        return r;
      },
      deleteDatabase: (name: string) => indexedDB.deleteDatabase(name),
      databases: () => indexedDB.databases(),
      cmp: (a: unknown, b: unknown) => indexedDB.cmp(a, b),
    };
    const l = layer(space, { indexedDB: factory });
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    connections[0]!.close(); // db.transaction() on it now throws InvalidStateError
    await l.save('p1', u2!);
    expect(connections).toHaveLength(2);
    expect(docOf(await l.load('p1')).getText('t').toJSON()).toBe('ab');
  });

  it('deleteDoc does not hang when another tab holds the database open and ignores versionchange', async () => {
    const space = freshSpaceId();
    const l = layer(space, { deleteBlockedGraceMs: 50 });
    await l.save('p1', typing('a')[0]!);
    const stubborn = await openRaw(pageDbName(space, 'p1'), 'ignore');
    const e = await rejection(expectSettles(l.deleteDoc('p1'), 2_000, 'deleteDoc while blocked'));
    expect(e.code).toBe(ErrorCode.StorageUnavailable);
    expect(e.message).toMatch(/blocked/);
    // The browser keeps the deletion queued: it completes once the other connection closes.
    stubborn.close();
    await expectSettles(
      (async () => {
        while ((await databaseNames()).includes(pageDbName(space, 'p1'))) await new Promise((r) => setTimeout(r, 5));
      })(),
      2_000,
      'queued deletion',
    );
    expect(await l.load('p1')).toEqual([]);
  });
});

describe('IndexedDbLayer: bad rows', () => {
  it('returns garbage values as empty updates and ArrayBuffers as bytes, without hanging', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const name = pageDbName(space, 'p1');
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    await rawAdd(name, 'not bytes');
    await rawAdd(name, { update: [1, 2, 3] });
    await rawAdd(name, u2!.slice().buffer); // an ArrayBuffer: fine, converted
    await rawAdd(name, new Int8Array([1, 2]));
    await rawAdd(name, null);
    const rows = await expectSettles(l.load('p1'), 2_000, 'load with garbage rows');
    expect(rows.map((r) => r.update.length > 0)).toEqual([true, false, false, true, false, false]);
    expect(rows.every((r) => r.update instanceof Uint8Array)).toBe(true);
    expect([...rows[3]!.update]).toEqual([...u2!]);
  });

  it('loads a corrupt Yjs row as is (it applies nothing): the guard decides', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await rawAdd(pageDbName(space, 'p1'), new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 255]));
    const rows = await expectSettles(l.load('p1'), 2_000, 'load with a corrupt row');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.update).toHaveLength(9);
  });

  it('sets rows aside in one transaction, keeps them readable, and no longer loads them', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const name = pageDbName(space, 'p1');
    const [u1, u2] = typing('ab');
    await l.save('p1', u1!);
    const garbageKey = await rawAdd(name, 'garbage');
    await l.save('p1', u2!);
    const rows = await l.load('p1');
    const bad = rows.filter((r) => r.update.length === 0);
    expect(bad.map((r) => r.key)).toEqual([garbageKey]);
    const before = Date.now();
    await l.setAside('p1', [...bad.map((r) => r.key), 9_999]); // an unknown key is ignored
    const after = await l.load('p1');
    expect(after.map((r) => r.key)).not.toContain(garbageKey);
    expect(docOf(after).getText('t').toJSON()).toBe('ab');
    const aside = await l.setAsideRows('p1');
    expect(aside).toHaveLength(1);
    expect(aside[0]).toMatchObject({ key: garbageKey, value: 'garbage' });
    expect(aside[0]!.update).toHaveLength(0);
    expect(aside[0]!.setAsideAt).toBeGreaterThanOrEqual(before);
    await l.close();
    // After a reopen too.
    const r = layer(space);
    expect(await r.load('p1')).toHaveLength(2);
    expect(await r.setAsideRows('p1')).toHaveLength(1);
  });

  it('lists set-aside rows in the order of their former keys', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const keys: number[] = [];
    for (let i = 0; i < 12; i++) keys.push((await rawAdd(pageDbName(space, 'p1'), `garbage ${i}`)) as number);
    await l.setAside('p1', [...keys].reverse());
    expect((await l.setAsideRows('p1')).map((r) => r.key)).toEqual(keys);
  });

  it('keeps set-aside bytes intact for inspection', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const corrupt = new Uint8Array([1, 2, 3]);
    const key = await rawAdd(pageDbName(space, 'p1'), corrupt);
    await l.setAside('p1', [key as number]);
    const [row] = await l.setAsideRows('p1');
    expect([...row!.update]).toEqual([1, 2, 3]);
    expect(await l.load('p1')).toEqual([]);
  });
});

describe('IndexedDbLayer: documents, secrets and lifecycle', () => {
  it('reading an unknown document creates no database', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    expect(await l.load('ghost')).toEqual([]);
    await l.setAside('ghost', [1]);
    expect(await l.setAsideRows('ghost')).toEqual([]);
    expect(await l.loadSecrets()).toEqual({});
    expect(await databaseNames()).toEqual([]);
  });

  it('lists only names it produced for its own space', async () => {
    const space = freshSpaceId('s');
    const l = layer(space);
    await l.save('p:1', typing('a')[0]!);
    await l.save('p 2', typing('b')[0]!);
    for (const foreign of [`quire:${space}:bad:name`, `quire:${space}:%zz`, `quire:${space}:`, `quire:${space}-2:p`, 'quire', 'other']) {
      (await openRaw(foreign)).close();
    }
    expect(await l.listDocs()).toEqual(['p 2', 'p:1']);
    await l.destroy();
    expect(await databaseNames()).toEqual(
      [`quire:${space}:bad:name`, `quire:${space}:%zz`, `quire:${space}:`, `quire:${space}-2:p`, 'quire', 'other'].sort(),
    );
  });

  it('refuses secrets that are not an object of strings instead of overwriting them', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await rawPutCustom(pageDbName(space, SPACE_DOC_ID), SECRETS_KEY, ['not', 'an', 'object']);
    expect((await rejection(l.loadSecrets())).code).toBe(ErrorCode.CorruptData);
    expect((await rejection(l.saveSecrets({ a: '1' }))).code).toBe(ErrorCode.CorruptData);
    expect((await rejection(l.saveSecrets({ a: 1 } as never))).code).toBe(ErrorCode.InvalidOperation);
  });

  it('close waits for pending saves, then every call rejects with closed', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const saved = l.save('p1', typing('a')[0]!);
    await l.close();
    await saved;
    expect(await rawRows(pageDbName(space, 'p1'))).toHaveLength(1);
    for (const call of [l.load('p1'), l.save('p1', new Uint8Array([0, 0])), l.listDocs(), l.loadSecrets(), l.setAsideRows('p1'), l.destroy()]) {
      expect((await rejection(call)).code).toBe(ErrorCode.Closed);
    }
    await l.close(); // idempotent
  });

  it('destroy deletes what it can, rejects if another tab blocks a database, and is closed either way', async () => {
    const space = freshSpaceId();
    const l = layer(space, { deleteBlockedGraceMs: 50 });
    await l.save('p1', typing('a')[0]!);
    await l.save('p2', typing('b')[0]!);
    const stubborn = await openRaw(pageDbName(space, 'p2'), 'ignore');
    const e = await rejection(expectSettles(l.destroy(), 2_000, 'destroy while blocked'));
    expect(e.code).toBe(ErrorCode.StorageUnavailable);
    expect(await databaseNames()).toEqual([pageDbName(space, 'p2')]);
    expect((await rejection(l.load('p1'))).code).toBe(ErrorCode.Closed);
    stubborn.close();
  });

  it('writes with the requested durability', async () => {
    const space = freshSpaceId();
    const seen: Array<string | undefined> = [];
    const transaction = IDBDatabase.prototype.transaction;
    vi.spyOn(IDBDatabase.prototype, 'transaction').mockImplementation(function (this: IDBDatabase, stores, mode, options) {
      if (mode !== 'versionchange') seen.push(`${mode}:${options?.durability ?? '-'}`);
      return transaction.call(this, stores, mode, options);
    });
    const l = layer(space, { durability: 'strict' });
    await l.save('p1', typing('a')[0]!);
    await l.load('p1');
    expect(seen).toEqual(['readwrite:strict', 'readonly:-']);
  });

  it('rejects with storage-unavailable when there is no IndexedDB', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const l = layer(freshSpaceId());
    for (const call of [l.load('p1'), l.save('p1', typing('a')[0]!), l.listDocs(), l.deleteDoc('p1')]) {
      expect((await rejection(call)).code).toBe(ErrorCode.StorageUnavailable);
    }
  });

  it('rejects listDocs with storage-unavailable when indexedDB.databases() is missing', async () => {
    const { databases: _ignored, ...rest } = { databases: 1, open: indexedDB.open.bind(indexedDB), deleteDatabase: indexedDB.deleteDatabase.bind(indexedDB), cmp: indexedDB.cmp.bind(indexedDB) };
    const l = layer(freshSpaceId(), { indexedDB: rest as unknown as IDBFactory });
    expect((await rejection(l.listDocs())).code).toBe(ErrorCode.StorageUnavailable);
  });

  it('rejects an empty document id instead of naming a database after the space', async () => {
    const l = layer(freshSpaceId());
    expect((await rejection(l.save('', typing('a')[0]!))).code).toBe(ErrorCode.InvalidOperation);
  });
});
