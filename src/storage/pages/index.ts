// The page store: y-indexeddb's on-disk format behind an acknowledged, corruption-tolerant PersistenceLayer.
export { IndexedDbLayer, DELETE_BLOCKED_GRACE_MS, SECRETS_KEY, SET_ASIDE_PREFIX } from './IndexedDbLayer.ts';
export type { IndexedDbLayerOptions, SetAsideRow } from './IndexedDbLayer.ts';
export type { CompactionOutcome } from './compaction.ts';
export { COMPACT_ABOVE_ROWS, MAX_MERGED_ROW_BYTES, mergeChecked } from './compaction.ts';
export { fromIndexedDbError } from './fromIndexedDbError.ts';
export { PAGE_DB_PREFIX, docIdFromDbName, pageDbName, spaceDbPrefix } from './naming.ts';
export { measureSpaceStorage, type SpaceStorage } from './measureSpaceStorage.ts';
