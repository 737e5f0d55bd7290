// The page store: y-indexeddb's on-disk format behind an acknowledged, corruption-tolerant PersistenceLayer.
export { IndexedDbLayer, DELETE_BLOCKED_GRACE_MS, SECRETS_KEY, SET_ASIDE_PREFIX } from './IndexedDbLayer.ts';
export type { CompactionOutcome, IndexedDbLayerOptions, SetAsideRow } from './IndexedDbLayer.ts';
export { COMPACT_ABOVE_ROWS, mergeChecked } from './compaction.ts';
export { toPersistenceError } from './idbErrors.ts';
export { PAGE_DB_PREFIX, docIdFromDbName, pageDbName, spaceDbPrefix } from './naming.ts';
