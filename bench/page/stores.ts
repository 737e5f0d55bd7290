/**
 * The two local stores the bench compares, each behind a bare SpaceManager (no Dexie projection), built the way
 * the app's composition root builds its local store: 'space' is the one-database-per-space SpaceDbLayer the app
 * moves to (issue 12), 'page' the one-database-per-page IndexedDbLayer (y-indexeddb 9's format) it leaves. Naming
 * the store here, not through LocalWorkspace, keeps each row measuring the store it says whichever one the app
 * wires in.
 */
import { SpaceManager } from '../../src/core/manager/SpaceManager.ts';
import { IndexedDbLayer } from '../../src/storage/pages/IndexedDbLayer.ts';
import { SpaceDbLayer } from '../../src/storage/space/SpaceDbLayer.ts';

export type StoreKind = 'space' | 'page';

/** A SpaceManager whose only layer is the given store, with strict durability as the app writes. */
export function storeManager(kind: StoreKind): SpaceManager {
  return new SpaceManager({
    layers: [(spaceId) => (kind === 'space' ? new SpaceDbLayer(spaceId, { durability: 'strict' }) : new IndexedDbLayer(spaceId, { durability: 'strict' }))],
  });
}

/** How a row names the store it measured. */
export function storeLabel(kind: StoreKind): string {
  return kind === 'space' ? 'space store (SpaceDbLayer, one database per space)' : 'page store (IndexedDbLayer, one database per page)';
}
