import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { readManifest } from './manifest.ts';
import { CURRENT_SCHEMA_VERSION } from './migrations/index.ts';
import { QUIRE_DB_NAME, QuireDatabase, type QuireDatabaseOptions } from './QuireDatabase.ts';
import { DEXIE_LAYER, fromDexieError } from '../../core/persistence/fromDexieError.ts';

export interface OpenQuireDatabaseOptions extends QuireDatabaseOptions {
  name?: string;
  /** Runs before the database opens: the only moment Dexie middlewares (db.use) take effect. */
  configure?: (db: QuireDatabase) => void;
}

/**
 * Opens (creating or upgrading) the "quire" database. Rejects with a PersistenceError:
 * 'version-too-new' when the database was written by a newer schema (it is left untouched),
 * 'quota-exceeded' / 'storage-unavailable' when IndexedDB refuses, 'corrupt-data' for a bad manifest.
 */
export async function openQuireDatabase(options: OpenQuireDatabaseOptions = {}): Promise<QuireDatabase> {
  const db = new QuireDatabase(options.name ?? QUIRE_DB_NAME, options);
  options.configure?.(db);
  try {
    await db.open();
  } catch (e) {
    db.close();
    throw fromDexieError(e, { action: `open the database "${db.name}"` });
  }
  try {
    const manifest = await readManifest(db);
    // The native version decides what Dexie opens; the manifest is a second witness (a bundle restore or a
    // tool could write a newer manifest into an older-versioned database).
    if (manifest.schemaVersion > CURRENT_SCHEMA_VERSION) {
      throw new PersistenceError(
        ErrorCode.VersionTooNew,
        `The database "${db.name}" declares schema ${manifest.schemaVersion}, newer than ${CURRENT_SCHEMA_VERSION}. ` +
          'This version will not write to it. Reload to get the newer version of Quire.',
        { layer: DEXIE_LAYER },
      );
    }
  } catch (e) {
    db.close();
    throw fromDexieError(e);
  }
  return db;
}
