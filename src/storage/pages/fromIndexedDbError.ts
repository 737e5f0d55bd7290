/**
 * Where raw IndexedDB failures (the page stores, no Dexie in between) become PersistenceErrors; Dexie's go through
 * core/persistence/fromDexieError.ts. Browsers report the same failure in several
 * shapes (a DOMException on the request, `error` on the aborted transaction, an Event whose target holds it, or a
 * wrapper with `inner`/`cause`, as Dexie and lib0 do), so the names are collected from all of them.
 *
 * Mapping (first match wins):
 *   PersistenceError                                   -> unchanged
 *   QuotaExceededError anywhere (name, legacy Firefox
 *     NS_ERROR_DOM_QUOTA_REACHED, DOMException code 22,
 *     or in a wrapped message)                          -> 'quota-exceeded'
 *   DataError, DataCloneError (the request itself was
 *     malformed: an invalid key, an uncloneable value)  -> 'invalid-operation'
 *   anything else: InvalidStateError (connection closed
 *     or deleted), AbortError / TransactionInactiveError
 *     (aborted transaction), NotFoundError (a database
 *     without our stores), UnknownError, SecurityError
 *     (IndexedDB disabled), VersionError, ...           -> 'storage-unavailable'
 * The original error is always kept as `cause`.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);
const MALFORMED_NAMES = new Set(['DataError', 'DataCloneError']);
/** DOMException's legacy numeric code for QuotaExceededError. */
const QUOTA_EXCEEDED_ERR = 22;
/** How deep nested causes are followed; wrappers seen in practice nest two levels at most. */
const MAX_NESTING = 4;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  error?: unknown;
  inner?: unknown;
  cause?: unknown;
  target?: unknown;
}

/** The names found on an error and on whatever it wraps; `quota` is set when any shape says "out of quota". */
function inspect(e: unknown, depth = 0, found = { names: new Set<string>(), quota: false }) {
  if (depth > MAX_NESTING || e === null || typeof e !== 'object') return found;
  const x = e as ErrorLike;
  if (typeof x.name === 'string') found.names.add(x.name);
  if (x.code === QUOTA_EXCEEDED_ERR && typeof x.name === 'string' && x.name !== 'Error') found.quota = true;
  if (typeof x.message === 'string' && x.message.includes('QuotaExceededError')) found.quota = true;
  for (const next of [x.error, x.inner, x.cause, (x.target as ErrorLike | null | undefined)?.error]) inspect(next, depth + 1, found);
  return found;
}

export function fromIndexedDbError(e: unknown, context: { layer: string; docId?: DocId }): PersistenceError {
  if (e instanceof PersistenceError) return e;
  const { names, quota } = inspect(e);
  const code =
    quota || [...names].some((n) => QUOTA_NAMES.has(n))
      ? ErrorCode.QuotaExceeded
      : [...names].some((n) => MALFORMED_NAMES.has(n))
        ? ErrorCode.InvalidOperation
        : ErrorCode.StorageUnavailable;
  const detail = e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}` : String(e);
  const where = context.docId === undefined ? context.layer : `${context.layer} (${context.docId})`;
  return new PersistenceError(code, `${where}: ${detail}`, { cause: e, ...context });
}
