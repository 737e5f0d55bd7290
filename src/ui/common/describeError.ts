import { ErrorCode, type QuireError } from '../../core/errors.ts';
import type { SyncRole } from '../../app/index.ts';
import { RelayRefusalError, SyncStopReason } from '../../protocol/closeReason.ts';
import { describeStopReason } from '../shell/describeStopReason.ts';

/** A sentence with a way forward for each error code the user can meet. */
export function describeError(e: QuireError | Error): string {
  const code = 'code' in e ? (e).code : null;
  switch (code) {
    case ErrorCode.QuotaExceeded:
      return 'Not saved: this browser is out of storage space for Quire. Your edits are kept in memory; free some space (delete unused spaces or other sites\u2019 data) and they will be saved.';
    case ErrorCode.StorageUnavailable:
      return 'Not saved: local storage is unavailable. Keep this tab open; Quire keeps retrying.';
    case ErrorCode.Unreachable:
      return 'The relay cannot be reached: this device is offline, or the relay is down. What is on this device is safe; try again once the relay is back.';
    case ErrorCode.Unsupported:
      return `This browser cannot do something Quire needs (${e.message}). What is on this device is safe; open Quire in an up-to-date browser to sync it.`;
    case ErrorCode.VersionTooNew:
      return 'This data was written by a newer version of Quire. Reload to get the newer version; this one will not change your data.';
    case ErrorCode.CorruptData:
      return `Some stored data could not be read and was set aside; the rest opened. ${e.message}`;
    default:
      return e.message;
  }
}

/**
 * The relay refused the space for a reason waiting does not mend (revoked, expired, ...). `unauthorized` is
 * not one: the relay answers it for a space it does not know yet as well (it does not tell the two apart).
 */
function lastingRefusal(e: Error): RelayRefusalError | null {
  const cause = e.cause;
  return cause instanceof RelayRefusalError && cause.reason !== SyncStopReason.Unauthorized ? cause : null;
}

/** Whether a failed open of a space this device syncs with `role` may succeed later without the person. */
export function openMayRetry(e: Error, role: SyncRole | null): boolean {
  return role !== null && 'code' in e && e.code === ErrorCode.NotFound && lastingRefusal(e) === null;
}

/**
 * Why a space did not open, for the person who asked for it. A space that is nowhere is told apart by what
 * this device knows of it: `role` is the role it syncs the space with (null: it does not sync it). A synced
 * space not found is one the relay has not got yet or could not be asked for: the caller tries again by
 * itself (useOpenSpace, when openMayRetry), and the sentence says so.
 */
export function describeOpenError(e: Error, role: SyncRole | null): string {
  if (!('code' in e) || e.code !== ErrorCode.NotFound) return describeError(e);
  if (role === null) return 'This space is not on this device: it was deleted, or the link comes from another browser. Pick a space in the sidebar, or ask its owner for an invite link.';
  const refusal = lastingRefusal(e);
  if (refusal) return `This space could not be fetched from the relay: ${describeStopReason(refusal.reason)}`;
  // The first layer that could not be asked (SpaceHandle.open's cause): out of reach is not "not there".
  const cause = e.cause;
  const causeCode = cause instanceof Error && 'code' in cause ? cause.code : null;
  if (causeCode === ErrorCode.Unreachable || causeCode === ErrorCode.Timeout) {
    return 'This space is not on this device yet, and the relay that has it cannot be reached: this device is offline, or the relay is down. Quire tries again by itself; the space opens once the relay answers.';
  }
  if (role === 'owner') {
    return 'This space is neither on this device nor on its relay yet. Open it on the device that created it while online, so that it reaches the relay; Quire tries again here by itself.';
  }
  return 'This space has not reached the relay yet: the owner\u2019s device has not synced it there. Quire tries again by itself; the space opens here once the owner opens Quire while online (you can ask them to).';
}
