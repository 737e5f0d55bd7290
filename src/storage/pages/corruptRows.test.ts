// The corrupt-row suite (../testing/corruptRowsSuite.ts) against the page store: one database per page.
import { runCorruptRowsSuite } from '../testing/corruptRowsSuite.ts';
import { IndexedDbLayer } from './IndexedDbLayer.ts';
import { pageDbName } from './naming.ts';
import { rawAdd, rawRows } from './testing/testkit.ts';

runCorruptRowsSuite({
  name: 'a page store',
  layer: (spaceId) => new IndexedDbLayer(spaceId),
  rawRows: async (spaceId, docId) => (await rawRows(pageDbName(spaceId, docId))).map(([, v]) => v),
  rawAdd: async (spaceId, docId, value) => {
    await rawAdd(pageDbName(spaceId, docId), value);
  },
});
