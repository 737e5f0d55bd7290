import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { SpaceDbLayer } from './SpaceDbLayer.ts';
import { measureSpaceDb } from './measureSpaceDb.ts';

describe('measureSpaceDb', () => {
  it('sums the stored rows of one space only, counts its documents, and creates nothing', async () => {
    const indexedDB = new IDBFactory();
    const a = new SpaceDbLayer('a', { indexedDB });
    const other = new SpaceDbLayer('a-2', { indexedDB });
    await a.save('p1', new Uint8Array(100).fill(1));
    await a.save('p1', new Uint8Array(50).fill(2));
    await a.save('p2', new Uint8Array(30).fill(3));
    await a.setAside('p2', [0]); // a set-aside row still takes its bytes
    await other.save('p1', new Uint8Array(1000).fill(4));
    expect(await measureSpaceDb('a', indexedDB)).toEqual({ bytes: 180, documents: 2 });
    expect(await measureSpaceDb('nothing-here', indexedDB)).toEqual({ bytes: 0, documents: 0 });
    expect((await indexedDB.databases()).map((d) => d.name).sort()).toEqual(['quire:a', 'quire:a-2']);
    await a.close();
    await other.close();
  });
});
