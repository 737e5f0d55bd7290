import { describe, expect, it } from 'vitest';
import { ErrorCode, PersistenceError } from '../errors.ts';
import { runLocalStoreContract, runSecretStoreContract } from '../testing/localStoreContract.ts';
import { runPersistenceLayerContract, textOf, typingUpdates } from '../testing/persistenceContract.ts';
import { FaultyLayer } from './FaultyLayer.ts';
import { MemoryLayer, MemoryStore } from './MemoryLayer.ts';

const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe('FaultyLayer', () => {
  it('fails exactly the k-th write once, with the chosen code, and stores the others', async () => {
    const l = new FaultyLayer(new MemoryLayer('s'), { failWrite: { at: 2, mode: 'once', code: ErrorCode.StorageUnavailable } });
    const [a, b, c] = typingUpdates('abc');
    expect(await errorOf(l.save('p', a!))).toBeNull();
    const e = await errorOf(l.save('p', b!));
    expect(e).toBeInstanceOf(PersistenceError);
    expect((e as PersistenceError).code).toBe(ErrorCode.StorageUnavailable);
    expect(await errorOf(l.save('p', c!))).toBeNull();
    expect(await errorOf(l.save('p', b!))).toBeNull();
    expect(textOf(await l.load('p'))).toBe('abc');
    expect([l.writes, l.failedWrites]).toEqual([4, 1]);
  });

  it('fails every write from the k-th on until healed, counting deletes and secrets as writes', async () => {
    const l = new FaultyLayer(new MemoryLayer('s'), { failWrite: { at: 2, mode: 'forever' } });
    await l.save('p', typingUpdates('a')[0]!);
    expect(((await errorOf(l.deleteDoc('p'))) as PersistenceError).code).toBe(ErrorCode.QuotaExceeded);
    expect(await errorOf(l.saveSecrets({ k: 'v' }))).toBeInstanceOf(PersistenceError);
    expect(await l.listDocs()).toEqual(['p']);
    l.heal();
    await l.deleteDoc('p');
    expect(await l.listDocs()).toEqual([]);
  });

  it('drops a write: acknowledged, never stored (how y-indexeddb 9 loses failed writes)', async () => {
    const l = new FaultyLayer(new MemoryLayer('s'), { dropWrite: { at: 2, mode: 'once' } });
    const [a, b] = typingUpdates('ab');
    await l.save('p', a!);
    await l.save('p', b!);
    expect(await l.load('p')).toHaveLength(1);
  });

  it('fails the k-th load and delays every operation', async () => {
    let delays = 0;
    const l = new FaultyLayer(new MemoryLayer('s'), {
      failLoad: { at: 1, mode: 'once' },
      delay: () => {
        delays++;
        return new Promise((r) => setTimeout(r, 5));
      },
    });
    expect(((await errorOf(l.load('p'))) as PersistenceError).code).toBe(ErrorCode.StorageUnavailable);
    const started = Date.now();
    await l.save('p', typingUpdates('a')[0]!);
    expect(await l.load('p')).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(8);
    expect(delays).toBe(3);
  });
});

// Without faults it is the store it wraps: every contract of that store holds through it.
let store = new MemoryStore();
const harness = {
  create: (spaceId: string) => Promise.resolve(new FaultyLayer(new MemoryLayer(spaceId, store))),
  reopen: (spaceId: string) => Promise.resolve(new FaultyLayer(new MemoryLayer(spaceId, store))),
  cleanup: () => {
    store = new MemoryStore();
    return Promise.resolve();
  },
};
runPersistenceLayerContract('FaultyLayer over MemoryLayer, no faults', harness);
runLocalStoreContract('FaultyLayer over MemoryLayer, no faults', harness);
runSecretStoreContract('FaultyLayer over MemoryLayer, no faults', harness);
