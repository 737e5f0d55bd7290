import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { IndexedDbLayer } from './IndexedDbLayer.ts';
import { measureSpaceStorage } from './measureSpaceStorage.ts';

describe('measureSpaceStorage', () => {
  it('sums the stored rows of one space only, and creates nothing', async () => {
    const indexedDB = new IDBFactory();
    const a = new IndexedDbLayer('a', { indexedDB });
    const other = new IndexedDbLayer('a-2', { indexedDB });
    await a.save('p1', new Uint8Array(100).fill(1));
    await a.save('p1', new Uint8Array(50).fill(2));
    await a.save('p2', new Uint8Array(30).fill(3));
    await other.save('p1', new Uint8Array(1000).fill(4));
    expect(await measureSpaceStorage('a', indexedDB)).toEqual({ bytes: 180, documents: 2 });
    expect(await measureSpaceStorage('nothing-here', indexedDB)).toEqual({ bytes: 0, documents: 0 });
    expect((await indexedDB.databases()).map((d) => d.name).sort()).toEqual(['quire:a-2:p1', 'quire:a:p1', 'quire:a:p2']);
    await a.close();
    await other.close();
  });
});
