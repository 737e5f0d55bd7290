import { ErrorCode, QuireError } from '../../src/core/errors.ts';
import { RelayError } from '../RelayError.ts';

/**
 * Runs one PostgreSQL operation; any failure that is not already a Quire error (connection refused, a
 * timeout, a dropped connection, a constraint) becomes a RelayError `storage-unavailable` naming the
 * operation, with the driver's error as its cause.
 */
export async function postgresOperation<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (cause) {
    if (cause instanceof QuireError) throw cause;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new RelayError(ErrorCode.StorageUnavailable, `PostgreSQL ${what} failed: ${why}`, { cause });
  }
}
