/**
 * The mapper of errors thrown by Dexie (and the IndexedDB errors it wraps) into PersistenceErrors. It lives in
 * the core, though the core uses no Dexie, because it only reads error names, and both wings that use Dexie
 * need it: storage (the `quire` database) and sync (the `quire-sync` state store), which may not import each
 * other. Raw IndexedDB errors (no Dexie in between) go through storage/pages/fromIndexedDbError.ts instead.
 */
import { ErrorCode, PersistenceError } from '../errors.ts';

/** The `layer` of errors raised by the `quire` Dexie database (callers of other databases name their own). */
export const DEXIE_LAYER = 'dexie';

/** Bounds how deep the mapper looks through wrapped causes (inner, failures, cause). */
const MAX_CAUSE_DEPTH = 5;

/** Names that mean the caller asked for something the store cannot do (duplicate key, bad value). */
const INVALID = new Set(['ConstraintError', 'DataError', 'DataCloneError', 'InvalidTableError', 'SchemaError']);

/**
 * Maps anything a Dexie or IndexedDB call threw to a PersistenceError, in one place. Dexie wraps the
 * browser's error in several ways: a quota error can arrive as `e.name`, as `e.inner.name` (an
 * AbortError whose transaction was aborted by the quota), in a BulkError's `failures`, or as a cause.
 * The most specific cause wins: quota beats the AbortError that carries it.
 */
export function fromDexieError(e: unknown, context: { docId?: string; action?: string; layer?: string } = {}): PersistenceError {
  if (e instanceof PersistenceError) return e;
  const names = collectNames(e);
  const code = codeFor(names);
  const base = e instanceof Error ? e.message : String(e);
  const message = context.action ? `${context.action} failed: ${base}` : base;
  return new PersistenceError(code, message, { cause: e, layer: context.layer ?? DEXIE_LAYER, docId: context.docId });
}

function codeFor(names: readonly string[]): ErrorCode {
  if (names.includes('QuotaExceededError')) return ErrorCode.QuotaExceeded;
  if (names.includes('VersionError')) return ErrorCode.VersionTooNew;
  // A wrapped ConstraintError (an AbortError carrying it) is the caller's mistake, not an outage.
  if (names.some((n) => INVALID.has(n))) return ErrorCode.InvalidOperation;
  // Everything else (DatabaseClosedError, OpenFailedError, AbortError, UnknownError, MissingAPIError,
  // InvalidStateError, ...) means the store could not do the work.
  return ErrorCode.StorageUnavailable;
}

interface Wrapped {
  name?: unknown;
  inner?: unknown;
  cause?: unknown;
  failures?: unknown;
}

/** The names of the error and of everything it wraps, outermost first. */
function collectNames(e: unknown): string[] {
  const names: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > MAX_CAUSE_DEPTH || value === null || typeof value !== 'object') return;
    const w = value as Wrapped;
    if (typeof w.name === 'string') names.push(w.name);
    visit(w.inner, depth + 1);
    visit(w.cause, depth + 1);
    const failures: unknown[] = Array.isArray(w.failures)
      ? (w.failures as unknown[])
      : w.failures && typeof w.failures === 'object'
        ? Object.values(w.failures)
        : [];
    for (const f of failures) visit(f, depth + 1);
  };
  visit(e, 0);
  return names;
}
