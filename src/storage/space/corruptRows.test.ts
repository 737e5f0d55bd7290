// The corrupt-row suite (../testing/corruptRowsSuite.ts) against the space store: one database per space.
import { runCorruptRowsSuite } from '../testing/corruptRowsSuite.ts';
import { SpaceDbLayer } from './SpaceDbLayer.ts';
import { spaceAdd, spaceRows } from './testing/spaceRaw.ts';

runCorruptRowsSuite({
  name: 'the space store',
  layer: (spaceId) => new SpaceDbLayer(spaceId),
  rawRows: async (spaceId, docId) => (await spaceRows(spaceId, docId)).map(([, v]) => v),
  rawAdd: spaceAdd,
});
