import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { IndexedDbSyncStateStore } from './IndexedDbSyncStateStore.ts';
import { MemorySyncStateStore, syncStateKey, type SyncStateStore } from './SyncStateStore.ts';

function contract(name: string, make: () => { store: SyncStateStore; reopen: () => SyncStateStore }) {
  describe(`SyncStateStore: ${name}`, () => {
    it('starts unknown, keeps dirty pages and the relay sequence per key, across a reopen', async () => {
      const { store, reopen } = make();
      const a = syncStateKey('ws://relay', 'a');
      const b = syncStateKey('ws://relay', 'b');
      expect(await store.get(a)).toEqual({ seq: 0, dirty: new Set(), known: false });
      await store.addDirty(a, ['p1', 'p2']);
      await store.addDirty(a, ['p2', 'p3']);
      await store.addDirty(b, ['x']);
      await store.removeDirty(a, ['p1']);
      await store.setSeq(a, 42);
      const again = reopen();
      expect(await again.get(a)).toEqual({ seq: 42, dirty: new Set(['p2', 'p3']), known: true });
      expect(await again.get(b)).toEqual({ seq: 0, dirty: new Set(['x']), known: false });
    });

    it('reset forgets one key only: the next pass of that space is a full one', async () => {
      const { store } = make();
      const a = syncStateKey('ws://relay', 'a');
      const b = syncStateKey('ws://relay', 'b');
      await store.addDirty(a, ['p1']);
      await store.setSeq(a, 7);
      await store.addDirty(b, ['x']);
      await store.setSeq(b, 9);
      await store.reset(a);
      expect(await store.get(a)).toEqual({ seq: 0, dirty: new Set(), known: false });
      expect(await store.get(b)).toEqual({ seq: 9, dirty: new Set(['x']), known: true });
    });
  });
}

contract('memory', () => {
  const store = new MemorySyncStateStore();
  return { store, reopen: () => store };
});
contract('IndexedDB (quire-sync)', () => {
  const indexedDB = new IDBFactory();
  const store = new IndexedDbSyncStateStore({ indexedDB, IDBKeyRange });
  return {
    store,
    reopen: () => {
      store.close();
      return new IndexedDbSyncStateStore({ indexedDB, IDBKeyRange });
    },
  };
});

describe('IndexedDbSyncStateStore errors', () => {
  it('a browser out of quota is quota-exceeded, not storage-unavailable', async () => {
    // The browser refuses to open (or grow) the database: `indexedDB.open` itself can fail with the quota.
    class FullIDBFactory extends IDBFactory {
      override open(): never {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
    }
    const store = new IndexedDbSyncStateStore({ indexedDB: new FullIDBFactory(), IDBKeyRange });
    const e: unknown = await store.addDirty('k', ['p1']).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
  });
});
