// Our databases are y-indexeddb databases: its own runtime opens what we write, and we load what it writes.
import { afterEach, describe, expect, it } from 'vitest';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import { IndexedDbLayer } from './IndexedDbLayer.ts';
import { pageDbName } from './naming.ts';
import { deleteAllDatabases, docOf, expectSettles, freshSpaceId, rawRows, typing } from './testing/testkit.ts';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
  await deleteAllDatabases();
});

function layer(spaceId: string, compactAboveRows?: number): IndexedDbLayer {
  const l = new IndexedDbLayer(spaceId, { compactAboveRows });
  cleanups.push(() => l.close());
  return l;
}

/** Opens a database with y-indexeddb's runtime; its whenSynced never rejects, so a hang fails the test instead. */
async function openWithYIndexeddb(name: string): Promise<{ doc: Y.Doc; persistence: IndexeddbPersistence }> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  cleanups.push(() => persistence.destroy());
  await expectSettles(persistence.whenSynced, 2_000, `y-indexeddb whenSynced of ${name}`);
  return { doc, persistence };
}

describe('interop with y-indexeddb 9', () => {
  it('a document written by the layer (compacted and not) opens with IndexeddbPersistence', async () => {
    const space = freshSpaceId();
    const l = layer(space, 5);
    const text = 'written by quire';
    for (const u of typing(text)) await l.save('p1', u);
    await l.close();
    expect((await rawRows(pageDbName(space, 'p1'))).length).toBeLessThanOrEqual(5); // a merged row is in there

    const { doc } = await openWithYIndexeddb(pageDbName(space, 'p1'));
    expect(doc.getText('t').toJSON()).toBe(text);
  });

  it('secrets are a plain value in the custom store that y-indexeddb can read', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.saveSecrets({ token: 'abc' });
    await l.close();
    const { persistence } = await openWithYIndexeddb(pageDbName(space, SPACE_DOC_ID));
    expect(await persistence.get('secrets')).toEqual({ token: 'abc' });
  });

  it('a document written by IndexeddbPersistence loads with the layer, and the layer can keep writing to it', async () => {
    const space = freshSpaceId();
    const name = pageDbName(space, 'p1');
    const { doc, persistence } = await openWithYIndexeddb(name);
    const text = doc.getText('t');
    for (const ch of 'from y-indexeddb') text.insert(text.length, ch);
    // y-indexeddb's writes are unacknowledged; destroy() closes its connection, which waits for them to finish.
    await persistence.destroy();

    const l = layer(space, 5);
    const rows = await l.load('p1');
    expect(rows.length).toBeGreaterThan(1);
    expect(docOf(rows).getText('t').toJSON()).toBe('from y-indexeddb');

    // Writes after the load, and our compaction, are still readable by y-indexeddb.
    const more = new Y.Doc();
    Y.applyUpdate(more, Y.encodeStateAsUpdate(doc));
    more.on('update', (u: Uint8Array) => void l.save('p1', u));
    more.getText('t').insert(more.getText('t').length, '!');
    await l.close();
    expect((await rawRows(name)).length).toBeLessThanOrEqual(5);
    const reopened = await openWithYIndexeddb(name);
    expect(reopened.doc.getText('t').toJSON()).toBe('from y-indexeddb!');
  });

  it('deleteDoc succeeds while y-indexeddb holds the database open (it closes on versionchange)', async () => {
    const space = freshSpaceId();
    const l = layer(space);
    await l.save('p1', typing('a')[0]!);
    await openWithYIndexeddb(pageDbName(space, 'p1'));
    await expectSettles(l.deleteDoc('p1'), 2_000, 'deleteDoc with y-indexeddb open');
    expect(await l.listDocs()).toEqual([]);
  });
});
