import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import { DEXIE_LAYER, fromDexieError } from '../../core/persistence/fromDexieError.ts';

/** The database's manifest (document 004), stored as rows of the meta table. */
export interface Manifest {
  schemaVersion: number;
  appVersionCreatedWith: string;
  createdAt: number;
}

/** Reads the manifest; a missing or malformed one is 'corrupt-data'. */
export async function readManifest(db: QuireDatabase): Promise<Manifest> {
  let rows;
  try {
    rows = await db.meta.bulkGet(['schemaVersion', 'appVersionCreatedWith', 'createdAt']);
  } catch (e) {
    throw fromDexieError(e, { action: 'read the manifest' });
  }
  const [schemaVersion, appVersion, createdAt] = rows.map((r) => r?.value);
  if (typeof schemaVersion !== 'number' || typeof appVersion !== 'string' || typeof createdAt !== 'number') {
    throw new PersistenceError(ErrorCode.CorruptData, `The manifest of database "${db.name}" is missing or malformed.`, {
      layer: DEXIE_LAYER,
    });
  }
  return { schemaVersion, appVersionCreatedWith: appVersion, createdAt };
}
