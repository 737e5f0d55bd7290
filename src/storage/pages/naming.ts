/**
 * Names of the page databases. y-indexeddb keeps ONE IndexedDB database per document, so a space is the set of
 * databases whose names carry its prefix:
 *
 *     quire:<encodeURIComponent(spaceId)>:<encodeURIComponent(docId)>
 *
 * The space document is the one whose docId is SPACE_DOC_ID ('space'): `quire:<space>:space`. For ordinary ids
 * (letters, digits, '-', '_', '.') the name is the plain `quire:${spaceId}:${docId}`. Both parts are URI-encoded
 * so that ':' inside an id can never make two (space, doc) pairs share a name: space 'a' + doc 'b:c' and space
 * 'a:b' + doc 'c' stay apart. Other Quire stores (Dexie, blobs) must not use names of the form `quire:<x>:<y>`.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';

/** Every page database name starts with this. */
export const PAGE_DB_PREFIX = 'quire:';

function part(kind: string, id: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new PersistenceError(ErrorCode.InvalidOperation, `page database name: the ${kind} id must be a non-empty string`);
  }
  return encodeURIComponent(id);
}

/** The prefix shared by every page database of one space (what `listDocs` and `destroy` filter on). */
export function spaceDbPrefix(spaceId: string): string {
  return `${PAGE_DB_PREFIX}${part('space', spaceId)}:`;
}

/** The IndexedDB database name of one document of one space. */
export function pageDbName(spaceId: string, docId: DocId): string {
  return spaceDbPrefix(spaceId) + part('document', docId);
}

/**
 * The document id a database name stands for, or null when the name is not a page database of this space
 * (another space, another store, or a name no `pageDbName` call produces, such as a non-canonical encoding).
 */
export function docIdFromDbName(spaceId: string, name: string): DocId | null {
  const prefix = spaceDbPrefix(spaceId);
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  if (rest.length === 0 || rest.includes(':')) return null;
  let docId: string;
  try {
    docId = decodeURIComponent(rest);
  } catch {
    return null; // a malformed escape: not a name we wrote
  }
  return encodeURIComponent(docId) === rest ? docId : null;
}

/**
 * The (space, document) a page database name stands for, or null for any other name (the space store's
 * `quire:<space>`, the Dexie database, a name no `pageDbName` call produces). The storage upgrade lists the
 * origin's databases once and groups the page databases by space with it.
 */
export function pageDbOf(name: string): { spaceId: string; docId: DocId } | null {
  if (!name.startsWith(PAGE_DB_PREFIX)) return null;
  const parts = name.slice(PAGE_DB_PREFIX.length).split(':');
  if (parts.length !== 2) return null;
  let spaceId: string;
  try {
    spaceId = decodeURIComponent(parts[0]!);
  } catch {
    return null;
  }
  if (spaceId.length === 0 || encodeURIComponent(spaceId) !== parts[0]) return null;
  const docId = docIdFromDbName(spaceId, name);
  return docId === null ? null : { spaceId, docId };
}
