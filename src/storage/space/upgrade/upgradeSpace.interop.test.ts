// The old format is y-indexeddb 9's: a space written by y-indexeddb's own runtime upgrades with every word.
import { afterEach, describe, expect, it } from 'vitest';
import { IndexeddbPersistence, storeState } from 'y-indexeddb';
import * as Y from 'yjs';
import { SPACE_DOC_ID } from '../../../core/persistence/PersistenceLayer.ts';
import { pageDbName } from '../../pages/naming.ts';
import { databaseNames, deleteAllDatabases, docOf, expectSettles, freshSpaceId } from '../../pages/testing/testkit.ts';
import { SpaceDbLayer } from '../SpaceDbLayer.ts';
import { spaceDbName } from '../spaceDbSchema.ts';
import { legacyDatabases } from './legacyDatabases.ts';
import { upgradeSpace } from './upgradeSpace.ts';

afterEach(deleteAllDatabases);

/** Writes one document with y-indexeddb itself, merges its rows the way its trimming does, and closes it. */
async function writeWithYIndexeddb(name: string, edit: (doc: Y.Doc) => void, trim = false): Promise<Uint8Array> {
  const doc = new Y.Doc();
  const persistence = new IndexeddbPersistence(name, doc);
  await expectSettles(persistence.whenSynced, 2_000, `y-indexeddb whenSynced of ${name}`);
  edit(doc);
  // Its trimming runs on a timer after PREFERRED_TRIM_SIZE rows; forced here so the test does not wait on it. Each
  // update's transaction was opened synchronously on the edit, and closing the database lets them all complete.
  if (trim) await storeState(persistence, true);
  const state = Y.encodeStateAsUpdate(doc);
  await persistence.destroy();
  doc.destroy();
  return state;
}

describe('upgrading a space written by y-indexeddb 9 itself', () => {
  it('moves every page with every word, its own merged rows and unmerged ones alike', async () => {
    const space = freshSpaceId();
    const expected = new Map<string, Uint8Array>();
    expected.set(
      SPACE_DOC_ID,
      await writeWithYIndexeddb(pageDbName(space, SPACE_DOC_ID), (doc) => {
        const pages = doc.getMap('pages');
        for (const id of ['p1', 'p2']) pages.set(id, new Y.Map([['title', `Page ${id}`]]));
      }),
    );
    for (const id of ['p1', 'p2']) {
      expected.set(
        id,
        await writeWithYIndexeddb(pageDbName(space, id), (doc) => {
          const text = doc.getText('t');
          // 600 single-character edits, p1's then merged by y-indexeddb's own trim, p2's left as 601 rows.
          for (let i = 0; i < 600; i++) text.insert(i, String.fromCharCode(97 + ((i * 7) % 26)));
          text.delete(10, 20);
        }, id === 'p1'),
      );
    }
    const outcome = await upgradeSpace(space, { legacyDocs: (await legacyDatabases()).get(space)! });
    expect(outcome).toMatchObject({ moved: 3, removed: 3, setAside: 0 });
    expect(await databaseNames()).toEqual([spaceDbName(space)]);

    const store = new SpaceDbLayer(space);
    for (const [docId, state] of expected) {
      const moved = docOf(await store.load(docId));
      const original = docOf([state]);
      expect(Y.encodeStateVector(moved)).toEqual(Y.encodeStateVector(original));
      expect(moved.getText('t').toString()).toBe(original.getText('t').toString());
      expect(moved.getMap('pages').toJSON()).toEqual(original.getMap('pages').toJSON());
    }
    expect(docOf(await store.load('p1')).getText('t').length).toBe(580);
    await store.close();
  });
});
