import { ErrorCode, type QuireError } from '../core/errors.ts';

/** A sentence with a way forward for each error code the user can meet. */
export function describeError(e: QuireError | Error): string {
  const code = 'code' in e ? (e).code : null;
  switch (code) {
    case ErrorCode.QuotaExceeded:
      return 'Not saved: this browser is out of storage space for Quire. Your edits are kept in memory; free some space (delete unused spaces or other sites\u2019 data) and they will be saved.';
    case ErrorCode.StorageUnavailable:
      return 'Not saved: local storage is unavailable. Keep this tab open; Quire keeps retrying.';
    case ErrorCode.VersionTooNew:
      return 'This data was written by a newer version of Quire. Reload to get the newer version; this one will not change your data.';
    case ErrorCode.CorruptData:
      return `Some stored data could not be read and was set aside; the rest opened. ${e.message}`;
    default:
      return e.message;
  }
}
