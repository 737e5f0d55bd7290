import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { DEXIE_LAYER } from '../../core/persistence/fromDexieError.ts';

/** Dexie stores version n as IndexedDB version n * 10 (still so in Dexie 4.4), leaving the units digit
 * for its own "schema patch" bumps. */
export const DEXIE_VERSION_FACTOR = 10;

/**
 * An IDBFactory for Dexie that refuses the two ways Dexie 4 would touch a database this code does not own:
 *
 * - When IndexedDB answers VersionError (the stored version is newer than ours), Dexie 4 retries with
 *   `indexedDB.open(name)` without a version and opens the newer database as is, ready to read and write
 *   it with old code. Refused here: opening without a version rejects with 'version-too-new'.
 * - When the stored schema lacks something the code declares at the same version, Dexie adds it and
 *   bumps the native version by one. That means a released migration was edited, so the stored data is
 *   not what this code expects: refused with 'corrupt-data' instead of silently rewriting the schema.
 *
 * Both checks happen before IndexedDB sees a request, so the stored database is left byte-for-byte as it was.
 */
export function guardedIndexedDB(real: IDBFactory, newestNativeVersion: number): IDBFactory {
  const guarded = {
    open(name: string, version?: number): IDBOpenDBRequest {
      if (version === undefined) {
        throw new PersistenceError(
          ErrorCode.VersionTooNew,
          `The database "${name}" was written by a newer version of Quire (its schema is newer than ` +
            `${newestNativeVersion / DEXIE_VERSION_FACTOR}). This version will not open it, so nothing in it ` +
            `changes. Reload to get the newer version of Quire.`,
          { layer: DEXIE_LAYER },
        );
      }
      if (version % DEXIE_VERSION_FACTOR !== 0) {
        throw new PersistenceError(
          ErrorCode.CorruptData,
          `The database "${name}" does not have the schema its version declares (Dexie wanted to patch it ` +
            `to native version ${version}); it was left unchanged.`,
          { layer: DEXIE_LAYER },
        );
      }
      return real.open(name, version);
    },
    deleteDatabase: (name: string) => real.deleteDatabase(name),
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    ...(typeof real.databases === 'function' ? { databases: () => real.databases() } : {}),
  };
  return guarded as IDBFactory;
}
