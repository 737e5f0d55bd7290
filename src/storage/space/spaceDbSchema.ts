/**
 * The space store's on-disk format: ONE IndexedDB database per space holding the space document and every page
 * document of that space (decision 0010). SpaceDbLayer.ts reads and writes it; this file creates it.
 *
 * Database name: `quire:<encodeURIComponent(spaceId)>`. The page store's names (naming.ts) always have a second
 * ':' (`quire:<space>:<doc>`) and an encoded id never holds one, so the two formats can never share a name.
 *
 * IndexedDB version = schema version, SPACE_DB_VERSION (1). A database at a higher version was written by a newer
 * Quire: opening it fails with VersionError, which the layer turns into 'version-too-new' and touches nothing.
 *
 * Object stores of version 1 (keys are out-of-line; `seq` is a non-negative integer):
 *
 *   updates   key [docId, seq]   value: Uint8Array, one Yjs update as saved (or the checked merge of a compaction)
 *             One document's rows are the key range [docId] .. [docId, []] (arrays sort after numbers): a load is
 *             one getAll over it, a page deletion one `delete(range)`, a compaction one transaction over it.
 *   docs      key docId          value: { nextSeq: number }, the document's row counter
 *             One row per document that was ever saved and not deleted since: `listDocs` is one getAllKeys, no
 *             `indexedDB.databases()`. `nextSeq` only grows, so a key is never given twice within a document's
 *             life (a stale key handed to setAside by another tab can never hit a newer row). It is updated in
 *             the transaction that adds the row. Room for per-document facts later (e.g. "not yet stored by the
 *             relay").
 *   setAside  key [docId, seq]   value: { key: seq, value: <the row's value as it was>, setAsideAt: ms since epoch }
 *             Rows the update guard refused, moved here in the transaction that removes them from `updates`, so
 *             they never block a load again and can still be inspected or exported.
 *   meta      key string         values of the whole space: 'secrets' -> { [name]: string } (SecretStore)
 *
 * Reserved for the next issues, NOT created in version 1: 'blobs' (attachments), 'versions' (page history),
 * 'search' (the search index). Each arrives with the schema version that needs it, as an `upgrade` step from the
 * version before (adding stores rewrites no row, so that upgrade is cheap). Not created empty now, because an
 * empty store would freeze its key shape and indexes before they are designed, and an old Quire meeting the
 * newer version refuses the whole database ('version-too-new') rather than half-understand it, which is what
 * must happen once pages have attachments or history it would not delete with them.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';
import type { DbSchema } from '../pages/idb.ts';
import { spaceDbPrefix } from '../pages/naming.ts';

/** The schema version this code reads and writes; a database above it is refused (version-too-new). */
export const SPACE_DB_VERSION = 1;

export const UPDATES_STORE = 'updates';
export const DOCS_STORE = 'docs';
export const SET_ASIDE_STORE = 'setAside';
export const META_STORE = 'meta';
/** Key of the space's secrets in the meta store. */
export const SECRETS_KEY = 'secrets';

/** Store names kept free for later schema versions (see the format above); version 1 never creates them. */
export const RESERVED_STORES = { blobs: 'blobs', versions: 'versions', search: 'search' } as const;

/** The database name of a space's store. */
export function spaceDbName(spaceId: string): string {
  // The page store's prefix validates and encodes the id; without its trailing ':' it is this store's name.
  return spaceDbPrefix(spaceId).slice(0, -1);
}

/** The key range of one document's rows in `updates` or `setAside`: every [docId, seq]. */
export function docRange(docId: DocId): IDBKeyRange {
  return IDBKeyRange.bound([docId], [docId, []]);
}

/** A document id as a key part: a non-empty string (the page store refuses others through its naming too). */
export function checkDocId(docId: DocId): void {
  if (typeof docId !== 'string' || docId.length === 0) {
    throw new PersistenceError(ErrorCode.InvalidOperation, 'space store: the document id must be a non-empty string');
  }
}

/** The per-document row of `docs`. */
export interface DocEntry {
  readonly nextSeq: number;
}

/** A `docs` value as a DocEntry, or null when it is missing or malformed (the caller recomputes the counter). */
export function parseDocEntry(value: unknown): DocEntry | null {
  const seq = (value as { nextSeq?: unknown } | null | undefined)?.nextSeq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? { nextSeq: seq } : null;
}

export const SPACE_DB_SCHEMA: DbSchema = {
  version: SPACE_DB_VERSION,
  upgrade(db, oldVersion) {
    if (oldVersion < 1) {
      db.createObjectStore(UPDATES_STORE);
      db.createObjectStore(DOCS_STORE);
      db.createObjectStore(SET_ASIDE_STORE);
      db.createObjectStore(META_STORE);
    }
  },
};
