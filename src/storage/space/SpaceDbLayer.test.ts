import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import { rejection } from '../../core/testing/rejection.ts';
import { databaseNames, deleteAllDatabases, docOf, freshSpaceId, typing } from '../pages/testing/testkit.ts';
import { SpaceDbLayer } from './SpaceDbLayer.ts';
import { DOCS_STORE, RESERVED_STORES, SET_ASIDE_STORE, SPACE_DB_VERSION, spaceDbName } from './spaceDbSchema.ts';
import { openSpaceRaw, spaceRows, storeKeys, upgradeAsNewerQuire } from './testing/spaceRaw.ts';

const layers: SpaceDbLayer[] = [];
function layer(spaceId: string, options: ConstructorParameters<typeof SpaceDbLayer>[1] = {}): SpaceDbLayer {
  const l = new SpaceDbLayer(spaceId, options);
  layers.push(l);
  return l;
}

/** The global IndexedDB with its calls counted (and `databases` refusable), handed to a layer as its factory. */
function countingFactory(refuseDatabases = false) {
  const calls = { open: 0, deleteDatabase: 0, databases: 0 };
  const factory = {
    open: (name: string, version?: number) => (calls.open++, indexedDB.open(name, version)),
    deleteDatabase: (name: string) => (calls.deleteDatabase++, indexedDB.deleteDatabase(name)),
    databases: () => {
      calls.databases++;
      return refuseDatabases ? Promise.reject(new Error('databases() must not be needed')) : indexedDB.databases();
    },
    cmp: (a: unknown, b: unknown) => indexedDB.cmp(a, b),
  };
  return { factory, calls };
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.allSettled(layers.splice(0).map((l) => l.close()));
  await deleteAllDatabases();
});

describe('SpaceDbLayer: the on-disk format', () => {
  it('keeps every document of a space in one database, at schema version 1, keyed [docId, seq]', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [a, b] = typing('ab');
    await l.save(SPACE_DOC_ID, a!);
    await l.save('p1', a!);
    await l.save('p1', b!);
    await l.saveSecrets({ k: 'v' });
    expect((await databaseNames()).filter((n) => n.includes(space))).toEqual([spaceDbName(space)]);
    expect(spaceDbName(space)).toBe(`quire:${space}`);
    const db = await openSpaceRaw(space);
    expect(db.version).toBe(SPACE_DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['docs', 'meta', 'setAside', 'updates']);
    for (const reserved of Object.values(RESERVED_STORES)) expect(db.objectStoreNames.contains(reserved)).toBe(false);
    db.close();
    expect((await spaceRows(space, 'p1')).map(([k]) => k)).toEqual([
      ['p1', 0],
      ['p1', 1],
    ]);
    expect(await storeKeys(space, DOCS_STORE)).toEqual(['p1', SPACE_DOC_ID]);
    expect((await l.load('p1')).map((r) => r.key)).toEqual([0, 1]);
  });

  it('reading an unknown space creates no database', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    expect(await l.load('p1')).toEqual([]);
    expect(await l.listDocs()).toEqual([]);
    expect(await l.loadSecrets()).toEqual({});
    expect(await l.setAsideRows('p1')).toEqual([]);
    await l.deleteDoc('p1');
    expect((await databaseNames()).filter((n) => n.includes(space))).toEqual([]);
  });

  it('lists documents without indexedDB.databases(), and destroys the space with one deleteDatabase', async () => {
    const space = freshSpaceId();
    const { factory, calls } = countingFactory(true);
    const l = layer(space, { indexedDB: factory });
    for (let i = 0; i < 20; i++) await l.save(`p${String(i).padStart(2, '0')}`, typing('x', 't', i + 1)[0]!);
    expect(await l.listDocs()).toHaveLength(20);
    await l.destroy();
    expect(calls).toEqual({ open: 1, deleteDatabase: 1, databases: 0 });
    expect((await databaseNames()).filter((n) => n.includes(space))).toEqual([]);
  });

  it('deletes a page in one transaction: its rows, set-aside rows and counter, and nothing of the others', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [a, b, c] = typing('abc');
    for (const u of [a!, b!, c!]) await l.save('p1', u);
    await l.save('p2', typing('z', 't', 2)[0]!);
    await l.setAside('p1', [1]);
    await l.deleteDoc('p1');
    expect(await l.load('p1')).toEqual([]);
    expect(await l.setAsideRows('p1')).toEqual([]);
    expect(await l.listDocs()).toEqual(['p2']);
    expect(await storeKeys(space, SET_ASIDE_STORE)).toEqual([]);
    expect(docOf(await l.load('p2')).getText('t').toJSON()).toBe('z');
  });
});

describe('SpaceDbLayer: keys, set-aside rows and compaction', () => {
  it('never gives a key twice: a stale set-aside key cannot move a newer row', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [a, b, c] = typing('abc');
    await l.save('p1', a!);
    await l.save('p1', b!);
    await l.setAside('p1', [1]); // the last row
    await l.save('p1', c!);
    expect((await l.load('p1')).map((r) => r.key)).toEqual([0, 2]);
    await l.setAside('p1', [1]); // another tab's stale call: nothing there any more
    expect((await l.load('p1')).map((r) => r.key)).toEqual([0, 2]);
    const aside = await l.setAsideRows('p1');
    expect(aside.map((r) => r.key)).toEqual([1]);
    expect([...aside[0]!.update]).toEqual([...b!]);
  });

  it('compacts one document in one transaction under a fresh key, leaving the other documents alone', async () => {
    const space = freshSpaceId();
    const l = layer(space, { compactAboveRows: 4 });
    await l.save('other', typing('o', 't', 9)[0]!);
    await l.load('p1');
    const updates = typing('abcdef');
    for (const u of updates) await l.save('p1', u);
    await l.close();
    const r = layer(space);
    const rows = await r.load('p1');
    expect(rows.length).toBeLessThanOrEqual(4);
    expect(docOf(rows).getText('t').toJSON()).toBe('abcdef');
    // The merge of rows 0..4 went to key 5; the sixth save came after it.
    expect(rows.map((row) => row.key)).toEqual([5, 6]);
    expect(await r.setAside('p1', [4])).toBeUndefined();
    expect(docOf(await r.load('p1')).getText('t').toJSON()).toBe('abcdef');
    expect((await r.load('other')).map((row) => row.key)).toEqual([0]);
  });

  it('recomputes a lost counter from the highest key instead of reusing one', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    const [a, b, c] = typing('abc');
    await l.save('p1', a!);
    await l.save('p1', b!);
    await l.setAside('p1', [1]);
    await l.close();
    const db = await openSpaceRaw(space);
    const tx = db.transaction(DOCS_STORE, 'readwrite');
    tx.objectStore(DOCS_STORE).put('not a counter', 'p1');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
    const r = layer(space);
    await r.save('p1', c!);
    expect((await r.load('p1')).map((row) => row.key)).toEqual([0, 2]);
  });
});

describe('SpaceDbLayer: failures', () => {
  it('rejects a save whose add throws QuotaExceededError with quota-exceeded; row and counter stay as they were', async () => {
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
    expect(await spaceRows(space, 'p1')).toHaveLength(1);
    await l.save('p1', u2!);
    expect((await l.load('p1')).map((r) => r.key)).toEqual([0, 1]);
    expect(docOf(await l.load('p1')).getText('t').toJSON()).toBe('ab');
  });

  it('refuses a database written by a newer Quire with version-too-new, and leaves it untouched', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.save('p1', typing('a')[0]!);
    // A newer tab upgrades the database under our open connection: we let go, and our next call refuses.
    await upgradeAsNewerQuire(space);
    for (const call of [l.load('p1'), l.save('p1', typing('b', 't', 2)[0]!), l.listDocs(), l.loadSecrets()]) {
      expect((await rejection(call)).code).toBe(ErrorCode.VersionTooNew);
    }
    expect((await rejection(layer(space).load('p1'))).code).toBe(ErrorCode.VersionTooNew);
    const db = await openSpaceRaw(space);
    expect(db.version).toBe(SPACE_DB_VERSION + 1);
    db.close();
    expect(await spaceRows(space, 'p1')).toHaveLength(1);
  });

  it('rejects an empty document id, and every call after close', async () => {
    const l = layer(freshSpaceId());
    expect((await rejection(l.load(''))).code).toBe(ErrorCode.InvalidOperation);
    await l.close();
    expect((await rejection(l.save('p1', typing('a')[0]!))).code).toBe(ErrorCode.Closed);
  });
});
