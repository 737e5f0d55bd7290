// Public surface of the Dexie database: collections and the app import from here.
export * from './rows.ts';
export { QuireDatabase, QUIRE_DB_NAME, type QuireDatabaseOptions } from './QuireDatabase.ts';
export { openQuireDatabase, type OpenQuireDatabaseOptions } from './openQuireDatabase.ts';
export { CURRENT_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.ts';
export { DEXIE_VERSION_FACTOR } from './guardedIndexedDB.ts';
export { DatabaseSignals, type DatabaseSignal, type DatabaseSignalListener } from './DatabaseSignals.ts';
export { readManifest, type Manifest } from './manifest.ts';
export { fromDexieError } from '../../core/persistence/fromDexieError.ts';
export { ProjectionWriter, type ProjectionWriterOptions } from './ProjectionWriter.ts';
export { followSpace, type ObservableSpace, type SpaceFollower } from './followSpace.ts';
export { rebuildProjections, type CanonicalSpace, type RebuildReport } from './rebuildProjections.ts';
export { verifyEventChain, type ChainVerification, type ChainBreak } from './verifyEventChain.ts';
export { canonicalEventBytes, hashEvent, EVENT_HASH_FORMAT, GENESIS_HASH } from './eventHash.ts';
export { listRecentSpaces, recentSpacesQuery, RECENT_SPACES_LIMIT } from './recentSpaces.ts';
export { spaceKeyRange } from './spaceKeyRange.ts';
