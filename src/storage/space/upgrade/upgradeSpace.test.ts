import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ErrorCode } from '../../../core/errors.ts';
import { SPACE_DOC_ID } from '../../../core/persistence/PersistenceLayer.ts';
import { rejection } from '../../../core/testing/rejection.ts';
import { IndexedDbLayer } from '../../pages/IndexedDbLayer.ts';
import { pageDbName } from '../../pages/naming.ts';
import { databaseNames, deleteAllDatabases, docOf, freshSpaceId, rawAdd, typing } from '../../pages/testing/testkit.ts';
import { SpaceDbLayer } from '../SpaceDbLayer.ts';
import { spaceDbName } from '../spaceDbSchema.ts';
import { legacyDatabases } from './legacyDatabases.ts';
import { StorageUpgradeError, UPGRADE_KEY, UpgradeFailure, upgradeSpace, type UpgradeProgress } from './upgradeSpace.ts';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((c) => c()));
  await deleteAllDatabases();
});

function legacy(spaceId: string): IndexedDbLayer {
  const l = new IndexedDbLayer(spaceId);
  closers.push(() => l.close());
  return l;
}
function spaceStore(spaceId: string): SpaceDbLayer {
  const l = new SpaceDbLayer(spaceId);
  closers.push(() => l.close());
  return l;
}

/** Writes a space in the old format: the space document, `pages` pages typed character by character, secrets. */
async function writeLegacySpace(spaceId: string, pages: number): Promise<Map<string, string>> {
  const store = legacy(spaceId);
  const texts = new Map<string, string>();
  for (const docId of [SPACE_DOC_ID, ...Array.from({ length: pages }, (_, i) => `page-${i}`)]) {
    const text = `${docId}: written before the upgrade`;
    for (const u of typing(text, 't', 7)) await store.save(docId, u);
    texts.set(docId, text);
  }
  await store.saveSecrets({ sync: '{"relay":"ws://r"}', other: 'kept' });
  await store.close();
  return texts;
}

async function textIn(store: SpaceDbLayer, docId: string): Promise<string> {
  return docOf(await store.load(docId)).getText('t').toString();
}

async function docsOf(spaceId: string): Promise<string[]> {
  return (await legacyDatabases()).get(spaceId) ?? [];
}

describe('the storage upgrade (old one-database-per-page format -> the space store)', () => {
  it('moves every document, its secrets and its set-aside rows, verifies, then removes the old databases', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 5);
    // A row the guard refuses, and a row set aside earlier by the old store: both carried over, neither applied.
    await rawAdd(pageDbName(space, 'page-1'), new Uint8Array([0xff, 0xff, 0xff]));
    const progress: UpgradeProgress[] = [];
    const outcome = await upgradeSpace(space, { legacyDocs: await docsOf(space), onProgress: (p) => progress.push(p) });

    expect(outcome).toMatchObject({ moved: 6, setAside: 1, removed: 6, lateWrites: 0 });
    expect(await databaseNames()).toEqual([spaceDbName(space)]);
    const store = spaceStore(space);
    expect((await store.listDocs()).sort()).toEqual([...texts.keys()].sort());
    for (const [docId, text] of texts) {
      expect(await textIn(store, docId)).toBe(text);
      expect((await store.load(docId)).length).toBe(1); // one row holding the whole state
    }
    expect((await store.setAsideRows('page-1')).map((r) => Array.from(r.update))).toEqual([[0xff, 0xff, 0xff]]);
    expect(await store.loadSecrets()).toEqual({ sync: '{"relay":"ws://r"}', other: 'kept' });
    expect(await store.readMeta(UPGRADE_KEY)).toMatchObject({ state: 'moved', total: 6 });
    expect(progress.filter((p) => p.phase === 'moving').map((p) => p.done)).toEqual([6]); // one batch
    expect(progress.at(-1)).toEqual({ spaceId: space, done: 6, total: 6, phase: 'cleaning' });
  });

  it('keeps deletions, formatting and concurrent clients exactly (state vector and encoded state compared)', async () => {
    const space = freshSpaceId();
    const store = legacy(space);
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.clientID = 1;
    b.clientID = 2;
    const rows: Uint8Array[] = [];
    a.on('update', (u: Uint8Array) => rows.push(u));
    b.on('update', (u: Uint8Array) => rows.push(u));
    const fragment = a.getXmlFragment('content');
    const p = new Y.XmlElement('paragraph');
    fragment.insert(0, [p]);
    p.insert(0, [new Y.XmlText('hello world')]);
    (p.get(0) as Y.XmlText).format(0, 5, { bold: true });
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    b.getText('t').insert(0, 'from b, then partly deleted');
    b.getText('t').delete(5, 10);
    a.getMap('meta').set('title', 'kept');
    for (const r of rows) await store.save('page', r);
    await store.close();

    await upgradeSpace(space, { legacyDocs: ['page'] });
    const moved = docOf(await spaceStore(space).load('page'));
    const original = docOf(rows);
    expect(Y.encodeStateVector(moved)).toEqual(Y.encodeStateVector(original));
    expect(moved.getText('t').toString()).toBe(original.getText('t').toString());
    expect(moved.getXmlFragment('content').toString()).toBe(original.getXmlFragment('content').toString());
    expect(Y.equalSnapshots(Y.snapshot(moved), Y.snapshot(original))).toBe(true);
  });

  it('is resumable: a run stopped at any document leaves the old databases whole, and the next run ends with one copy of each', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 4);
    const docs = await docsOf(space);
    for (let stopAt = 1; stopAt <= docs.length; stopAt++) {
      // The tab closes after `stopAt` documents were moved: the next run must not duplicate them.
      const stopped = new Error('tab closed');
      await expect(
        upgradeSpace(space, {
          legacyDocs: docs,
          batchDocs: 1,
          onProgress: (p) => {
            if (p.phase === 'moving' && p.done === stopAt) throw stopped;
          },
        }),
      ).rejects.toBe(stopped);
      expect((await docsOf(space)).sort()).toEqual([...docs].sort());
      const partial = spaceStore(space);
      expect(await partial.readMeta(UPGRADE_KEY)).toMatchObject({ state: 'moving' });
      await partial.close();
    }
    // Everything was copied by the runs before: the last one verifies every copy and writes none again.
    expect(await upgradeSpace(space, { legacyDocs: docs })).toMatchObject({ moved: 0, removed: docs.length });
    const store = spaceStore(space);
    for (const [docId, text] of texts) {
      expect(await textIn(store, docId)).toBe(text);
      expect(await store.load(docId)).toHaveLength(1);
    }
    expect(await docsOf(space)).toEqual([]);
  });

  it('a resumed run writes only the documents the stopped one had not copied yet', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 5);
    const docs = await docsOf(space);
    await expect(
      upgradeSpace(space, {
        legacyDocs: docs,
        batchDocs: 2,
        onProgress: (p) => {
          if (p.phase === 'moving' && p.done === 4) throw new Error('closed');
        },
      }),
    ).rejects.toThrow('closed');
    const outcome = await upgradeSpace(space, { legacyDocs: docs, batchDocs: 2 });
    expect(outcome).toMatchObject({ moved: docs.length - 4, removed: docs.length });
    const store = spaceStore(space);
    for (const [docId, text] of texts) expect(await textIn(store, docId)).toBe(text);
  });

  it('a write that reaches an old database after the move (a tab of the previous version) is appended, never lost', async () => {
    const space = freshSpaceId();
    await writeLegacySpace(space, 2);
    const docs = await docsOf(space);
    // The move completes, but the tab closes before any old database was removed.
    await expect(
      upgradeSpace(space, {
        legacyDocs: docs,
        onProgress: (p) => {
          if (p.phase === 'cleaning') throw new Error('closed while cleaning');
        },
      }),
    ).rejects.toThrow('closed while cleaning');
    // The space is in use from the space store now; an old tab flushes its last keystrokes into its old database.
    const live = spaceStore(space);
    for (const u of typing(' + new here', 'u', 9)) await live.save('page-0', u);
    const old = legacy(space);
    for (const u of typing('late old-tab write', 'late', 8)) await old.save('page-1', u);
    await old.save('page-2', typing('a page the old tab created', 't', 8)[0]!);
    await old.close();

    const outcome = await upgradeSpace(space, { legacyDocs: await docsOf(space) });
    expect(outcome.moved).toBe(0); // nothing replaced: the space store is in use
    expect(outcome.lateWrites).toBe(2);
    expect(docOf(await live.load('page-1')).getText('late').toString()).toBe('late old-tab write');
    expect(docOf(await live.load('page-0')).getText('u').toString()).toBe(' + new here');
    expect(await textIn(live, 'page-0')).toBe('page-0: written before the upgrade');
    expect(docOf(await live.load('page-2')).getText('t').toString()).toBe('a');
    expect(await docsOf(space)).toEqual([]);
  });

  it('an old database that cannot be read stops the upgrade before anything is removed: the space stays as it was', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 3);
    const broken = pageDbName(space, 'page-2');
    const factory = {
      open: (name: string, version?: number) => {
        // What a damaged profile gives: the browser refuses to open that one database.
        if (name === broken) throw new DOMException('Internal error opening backing store', 'UnknownError');
        return version === undefined ? indexedDB.open(name) : indexedDB.open(name, version);
      },
      deleteDatabase: (name: string) => indexedDB.deleteDatabase(name),
      databases: () => indexedDB.databases(),
      cmp: (x: unknown, y: unknown) => indexedDB.cmp(x, y),
    };

    const error = await rejection(upgradeSpace(space, { indexedDB: factory, legacyDocs: await docsOf(space) }));
    expect(error).toBeInstanceOf(StorageUpgradeError);
    expect(error).toMatchObject({ reason: UpgradeFailure.SourceUnreadable, docId: 'page-2', spaceId: space });
    expect((error as Error).message).toMatch(/stays? where they were/);
    expect((await docsOf(space)).sort()).toEqual([...texts.keys()].sort());
    const old = legacy(space);
    for (const [docId, text] of texts) expect(docOf(await old.load(docId)).getText('t').toString()).toBe(text);
    expect(await spaceStore(space).readMeta(UPGRADE_KEY)).toMatchObject({ state: 'moving' });
  });

  it('a page database without its stores (created empty by another reader) holds nothing: it is not an unreadable source', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 1);
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(pageDbName(space, 'empty-page'), 1);
      req.onsuccess = () => (req.result.close(), resolve());
      req.onerror = () => reject(new Error('open failed'));
    });
    const outcome = await upgradeSpace(space, { legacyDocs: await docsOf(space) });
    expect(outcome).toMatchObject({ moved: 2, removed: 3 }); // the empty one needs no write
    const store = spaceStore(space);
    for (const [docId, text] of texts) expect(await textIn(store, docId)).toBe(text);
    expect(await store.load('empty-page')).toEqual([]);
    expect((await store.listDocs()).sort()).toEqual([...texts.keys()].sort());
    expect(await docsOf(space)).toEqual([]);
  });

  it('a copy that does not read back equal to its source fails verification and removes nothing', async () => {
    const space = freshSpaceId();
    const texts = await writeLegacySpace(space, 2);
    const target = spaceDbName(space);
    const proto = IDBObjectStore.prototype as unknown as { add: (value: unknown, key?: IDBValidKey) => IDBRequest };
    const add = proto.add;
    // The disk hands back other bytes than were written (a storage fault): a valid update of other content.
    proto.add = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const other = this.transaction.db.name === target && this.name === 'updates' ? typing('not what was written', 't', 3).at(-1)! : value;
      return add.call(this, other, key);
    };
    let error: unknown;
    try {
      error = await rejection(upgradeSpace(space, { legacyDocs: await docsOf(space) }));
    } finally {
      proto.add = add;
    }
    expect(error).toMatchObject({ reason: UpgradeFailure.VerifyFailed, code: ErrorCode.CorruptData });
    expect((await docsOf(space)).length).toBe(texts.size);
  });

  it('a space that already lives in the space store only takes in what stray old databases add', async () => {
    const space = freshSpaceId();
    const live = spaceStore(space);
    for (const u of typing('written by this version')) await live.save('page', u);
    const old = legacy(space);
    for (const u of typing('stray', 's', 4)) await old.save('page', u);
    await old.close();
    const outcome = await upgradeSpace(space, { legacyDocs: await docsOf(space) });
    expect(outcome).toMatchObject({ moved: 0, lateWrites: 1, removed: 1 });
    const doc = docOf(await live.load('page'));
    expect(doc.getText('t').toString()).toBe('written by this version');
    expect(doc.getText('s').toString()).toBe('stray');
  });

  it('finds the old databases of every space in one listing, and none of the new store', async () => {
    const a = freshSpaceId('a');
    const b = freshSpaceId('b:colon');
    await writeLegacySpace(a, 1);
    await writeLegacySpace(b, 0);
    await spaceStore(freshSpaceId('new')).save('p', typing('x')[0]!);
    const found = await legacyDatabases();
    expect(found.get(a)?.sort()).toEqual(['page-0', SPACE_DOC_ID]);
    expect(found.get(b)).toEqual([SPACE_DOC_ID]);
    expect(found.size).toBe(2);
  });
});
