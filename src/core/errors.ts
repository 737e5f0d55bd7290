/**
 * Error codes and the error classes of each boundary.
 *
 * One small const object of codes shared by every boundary, and one class per boundary, so a caller can
 * both `instanceof`-check where a failure came from and `switch` on what it was. Every failure the user can
 * hit maps to one of these codes; the UI turns the code into a sentence with a way forward.
 */
export const ErrorCode = {
  /** The browser refused the write: the origin is out of quota. */
  QuotaExceeded: 'quota-exceeded',
  /** The store cannot be reached: closed, deleted, evicted, blocked, or IndexedDB is unavailable. */
  StorageUnavailable: 'storage-unavailable',
  /**
   * The relay cannot be reached: this device is offline, or the relay is down. Not `storage-unavailable`:
   * this device's own storage is fine, and the person must be told which of the two failed.
   */
  Unreachable: 'unreachable',
  /** Stored bytes could not be read back as what they claim to be. */
  CorruptData: 'corrupt-data',
  /** An update from outside the process was malformed, oversized, or failed to apply. */
  InvalidUpdate: 'invalid-update',
  /** The caller may not do this (a viewer writing, an invalid capability). */
  Forbidden: 'forbidden',
  /** Data was written by a newer version of Quire; this version must not touch it. */
  VersionTooNew: 'version-too-new',
  /** The space, page or row does not exist. */
  NotFound: 'not-found',
  /** A command that would break an invariant (a page moved into its own subtree, a bad argument). */
  InvalidOperation: 'invalid-operation',
  /** An operation took longer than its bound (a load that never completes). */
  Timeout: 'timeout',
  /** The space or layer was already closed. */
  Closed: 'closed',
  /**
   * This browser lacks something Quire needs (no WebSocket to reach a relay, no working lock manager):
   * neither storage nor the relay failed, and waiting will not mend it.
   */
  Unsupported: 'unsupported',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const CODES = new Set<string>(Object.values(ErrorCode));
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/** Base of every Quire error: carries a code and, when there is one, the underlying cause. */
export abstract class QuireError extends Error {
  abstract readonly boundary: string;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A persistence layer (IndexedDB, relay, memory) failed to load, save or delete. */
export class PersistenceError extends QuireError {
  readonly boundary = 'persistence';
  override readonly name = 'PersistenceError';
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; layer?: string; docId?: string },
  ) {
    super(code, message, options);
    this.layer = options?.layer;
    this.docId = options?.docId;
  }
  readonly layer: string | undefined;
  readonly docId: string | undefined;
}

/** The update guard refused bytes that came from outside the process. */
export class UpdateRejectedError extends QuireError {
  readonly boundary = 'guard';
  override readonly name = 'UpdateRejectedError';
  constructor(
    message: string,
    options?: { cause?: unknown; source?: string; docId?: string; size?: number },
  ) {
    super(ErrorCode.InvalidUpdate, message, options);
    this.source = options?.source;
    this.docId = options?.docId;
    this.size = options?.size;
  }
  readonly source: string | undefined;
  readonly docId: string | undefined;
  readonly size: number | undefined;
}

/** A space command was refused: unknown page, invalid move, closed space, forbidden write. */
export class SpaceError extends QuireError {
  readonly boundary = 'space';
  override readonly name = 'SpaceError';
}

/** Turns anything thrown into a QuireError of the given boundary, keeping the original as the cause. */
export function asPersistenceError(e: unknown, fallback: ErrorCode, context: { layer?: string; docId?: string } = {}): PersistenceError {
  if (e instanceof PersistenceError) return e;
  if (e instanceof QuireError) return new PersistenceError(e.code, e.message, { cause: e, ...context });
  const message = e instanceof Error ? e.message : String(e);
  return new PersistenceError(fallback, message, { cause: e, ...context });
}
