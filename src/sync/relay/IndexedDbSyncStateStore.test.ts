/**
 * The sync-state store on a full disk: its database gets a quota of a few rows, filled by ordinary writes;
 * the write past it must reject as 'quota-exceeded' (what the user can act on: free space), never as
 * 'storage-unavailable', and keep what was stored before.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../core/errors.ts';
import { IndexedDbSyncStateStore, SYNC_DB_NAME } from './IndexedDbSyncStateStore.ts';
import { syncStateKey } from './SyncStateStore.ts';
import { rejection } from '../../core/testing/rejection.ts';

/** Rows the test disk holds: enough for the writes before the failing one, not one more. */
const QUOTA_ROWS = 3;

type QuotaShape = 'the request throws' | 'the transaction aborts at commit';

/**
 * Gives `factory`'s databases a quota of QUOTA_ROWS rows written (put or add). Past it, a write fails the way
 * browsers report a full disk: Firefox throws QuotaExceededError from the request; Chromium lets the request
 * through and aborts the transaction at commit with that error.
 */
function fillableQuota(factory: IDBFactory, shape: QuotaShape): { written: () => number } {
  let written = 0;
  // Only databases opened through this test's factory count against its quota.
  const owned = new WeakSet<IDBDatabase>();
  const open = factory.open.bind(factory);
  vi.spyOn(factory, 'open').mockImplementation((name: string, version?: number) => {
    const request = open(name, version);
    request.addEventListener('success', () => owned.add(request.result));
    return request;
  });
  for (const method of ['put', 'add'] as const) {
    const original = IDBObjectStore.prototype[method];
    vi.spyOn(IDBObjectStore.prototype, method).mockImplementation(function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      const ours = owned.has(this.transaction.db);
      if (!ours || written < QUOTA_ROWS) {
        if (ours) written++;
        return original.apply(this, args);
      }
      const full = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      if (shape === 'the request throws') throw full;
      const request = original.apply(this, args);
      const tx = this.transaction;
      request.addEventListener('success', () => {
        Object.defineProperty(tx, 'error', { value: full });
        tx.abort();
      });
      return request;
    });
  }
  return { written: () => written };
}


afterEach(() => {
  vi.restoreAllMocks();
});

describe('IndexedDbSyncStateStore: a full quota', () => {
  it.each<QuotaShape>(['the request throws', 'the transaction aborts at commit'])('rejects the write past it with quota-exceeded (%s) and keeps what it had', async (shape) => {
    const indexedDB = new IDBFactory();
    const quota = fillableQuota(indexedDB, shape);
    const store = new IndexedDbSyncStateStore({ indexedDB, IDBKeyRange });
    const key = syncStateKey('ws://relay', 'space');

    await store.addDirty(key, ['p1', 'p2']);
    await store.setSeq(key, 5);
    expect(quota.written()).toBe(QUOTA_ROWS);

    const markChanged = await rejection(store.addDirty(key, ['p3']));
    expect(markChanged.code).toBe(ErrorCode.QuotaExceeded);
    expect(markChanged.layer).toBe(SYNC_DB_NAME);
    const recordPass = await rejection(store.setSeq(key, 6));
    expect(recordPass.code).toBe(ErrorCode.QuotaExceeded);

    // Reads need no room: the state from before the disk filled is intact.
    expect(await store.get(key)).toEqual({ seq: 5, known: true, dirty: new Set(['p1', 'p2']) });
    store.close();
  });
});
