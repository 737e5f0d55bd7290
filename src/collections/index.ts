// Public surface of the collections: the UI's read path (and its write path for UI state).
export { dexieCollectionOptions, forbidden, type DexieCollectionConfig } from './dexieCollectionOptions.ts';
export { createDexieCollection } from './createDexieCollection.ts';
export { createUiStateCollections, type UiStateCollections } from './uiStateCollections.ts';
export { byString } from './byString.ts';
export { PageCollections, MAX_CACHED_PAGE_COLLECTIONS } from './PageCollections.ts';
export { DraftMailbox, DRAFT_AFTER_MS, type DraftReview, type DraftRow } from './DraftMailbox.ts';
export { pageText } from './pageText.ts';
// The rows the collections hold, as the UI reads and writes them (defined with the Dexie schema).
export type { SpaceRow, PageRow, TabRow, RoutingRow, ViewRow, UiPreferenceRow, DraftMailboxRow, JsonValue } from '../storage/db/index.ts';
