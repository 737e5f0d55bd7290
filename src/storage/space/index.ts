// The space store: one IndexedDB database per space behind the LocalStore contract (decision 0010).
export { SpaceDbLayer } from './SpaceDbLayer.ts';
export type { SpaceDbLayerOptions } from './SpaceDbLayer.ts';
export { RESERVED_STORES, SPACE_DB_VERSION, spaceDbName } from './spaceDbSchema.ts';
