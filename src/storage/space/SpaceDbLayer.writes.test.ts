import { afterEach, describe, expect, it } from 'vitest';
import { deleteAllDatabases, docOf, freshSpaceId, typing } from '../pages/testing/testkit.ts';
import { SpaceDbLayer } from './SpaceDbLayer.ts';

const layers: SpaceDbLayer[] = [];
function layer(spaceId: string): SpaceDbLayer {
  const l = new SpaceDbLayer(spaceId);
  layers.push(l);
  return l;
}
afterEach(async () => {
  await Promise.allSettled(layers.splice(0).map((l) => l.close()));
  await deleteAllDatabases();
});

/** Counts readwrite transactions opened on the database named `name` while `work` runs. */
async function countWriteTransactions(name: string, work: () => Promise<void>): Promise<number> {
  const proto = IDBDatabase.prototype as unknown as { transaction: (...args: unknown[]) => IDBTransaction };
  const original = proto.transaction;
  let count = 0;
  proto.transaction = function (this: IDBDatabase, ...args: unknown[]) {
    if (this.name === name && args[1] === 'readwrite') count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.transaction = original;
  }
  return count;
}

describe('SpaceDbLayer: writes (group commit, order, the whole-space read)', () => {
  it('saves of several pages issued together share one transaction, each acknowledged when it completed', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.save('warm-up', typing('w')[0]!); // the database exists: what follows is saves only
    const txs = await countWriteTransactions(l.dbName, async () => {
      await Promise.all([l.save('a', typing('a1')[0]!), l.save('b', typing('b1')[0]!), l.save('a', typing('a1')[1]!)]);
    });
    expect(txs).toBe(1);
    expect(docOf(await l.load('a')).getText('t').toString()).toBe('a1');
    expect((await l.load('a')).map((r) => r.key)).toEqual([0, 1]);
    expect(docOf(await l.load('b')).getText('t').toString()).toBe('b');
    // The counter moved past both rows of 'a': the next save gets a fresh key.
    await l.save('a', typing('a12')[2]!);
    expect((await l.load('a')).map((r) => r.key)).toEqual([0, 1, 2]);
  });

  it('keeps the order of writes: a save issued before a deletion never brings the page back, one issued after does', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.save('gone', typing('x')[0]!);
    await Promise.all([l.save('gone', typing('xy')[1]!), l.deleteDoc('gone')]);
    expect(await l.load('gone')).toEqual([]);
    expect(await l.listDocs()).toEqual([]);
    await Promise.all([l.deleteDoc('again'), l.save('again', typing('z')[0]!)]);
    expect(docOf(await l.load('again')).getText('t').toString()).toBe('z');
  });

  it('a failed batch rejects every save in it and writes none of them', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.save('warm-up', typing('w')[0]!);
    const proto = IDBObjectStore.prototype as unknown as { add: (...args: unknown[]) => IDBRequest };
    const add = proto.add;
    proto.add = function (this: IDBObjectStore, ...args: unknown[]) {
      if ((args[1] as unknown[])[0] === 'b') throw new DOMException('Injected: the quota was exceeded', 'QuotaExceededError');
      return add.apply(this, args);
    };
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled([l.save('a', typing('a')[0]!), l.save('b', typing('b')[0]!)]);
    } finally {
      proto.add = add;
    }
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(results.map((r) => ((r as PromiseRejectedResult).reason as { code: string }).code)).toEqual(['quota-exceeded', 'quota-exceeded']);
    expect(await l.load('a')).toEqual([]);
    await l.save('a', typing('a')[0]!); // the queue goes on after a failure
    expect(docOf(await l.load('a')).getText('t').toString()).toBe('a');
  });

  it('reads every document of the space in one transaction, grouped, rows in key order', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    for (const u of typing('one')) await l.save('p1', u);
    for (const u of typing('two', 't', 2)) await l.save('p2', u);
    await layer(freshSpaceId('other')).save('p1', typing('elsewhere')[0]!);
    const all = await l.loadAll();
    expect([...all.keys()].sort()).toEqual(['p1', 'p2']);
    expect(all.get('p1')!.map((r) => r.key)).toEqual([0, 1, 2]);
    expect(docOf(all.get('p2')!).getText('t').toString()).toBe('two');
    expect(await layer(freshSpaceId('none')).loadAll()).toEqual(new Map());
  });
});
