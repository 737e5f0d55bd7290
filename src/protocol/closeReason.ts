/**
 * Why the relay stopped syncing a document: the reason of a per-document CLOSE or PermissionDenied frame,
 * mapped to a small vocabulary the status and the UI show. The relay writes reasons as `<code>` or
 * `<code>: <detail>` (relay/UpdateRefusal.ts; the access extension's RelayCloseReason uses the same codes),
 * because Hocuspocus hands the client only the reason string, never the close code.
 */
import { ErrorCode, PersistenceError } from '../core/errors.ts';
import { parseCloseReason, RelayCloseReason } from './accessMessages.ts';

/**
 * The relay's own close reasons (one vocabulary, defined with the relay's wire format in accessMessages.ts),
 * plus Other: not a refusal. A reason this version does not know (a newer relay), or Hocuspocus's "Reset
 * Connection" (the relay is shutting down or failed to load the document): the session is reopened after a delay.
 */
export const SyncStopReason = { ...RelayCloseReason, Other: 'other' } as const;
export type SyncStopReason = (typeof SyncStopReason)[keyof typeof SyncStopReason];

/** The relay's echo of a CLOSE this client sent: the end of a session, not a refusal. */
export const PROVIDER_INITIATED_CLOSE = 'provider_initiated';

/** The stop reason named by a close or permission-denied reason string. */
export function syncStopReason(reason: string): SyncStopReason {
  if (reason.split(':', 1)[0]!.trim().toLowerCase() === 'permission-denied') return SyncStopReason.Unauthorized; // Hocuspocus's default denial
  return parseCloseReason(reason.toLowerCase()) ?? SyncStopReason.Other;
}

/** The error code a refusal is reported with (the core routes invalid-update as a one-off, the rest as a streak). */
export function errorCodeOf(reason: SyncStopReason): ErrorCode {
  switch (reason) {
    case SyncStopReason.InvalidUpdate:
    case SyncStopReason.TooLarge:
      return ErrorCode.InvalidUpdate;
    case SyncStopReason.Other:
      return ErrorCode.StorageUnavailable;
    default:
      return ErrorCode.Forbidden;
  }
}

/**
 * A load or save the relay refused, with the reason it gave: the code alone (`forbidden`) cannot tell an
 * invite the relay does not know (a space not there yet) from one that was revoked or expired, and the
 * person is told different things for each.
 */
export class RelayRefusalError extends PersistenceError {
  constructor(
    readonly reason: Exclude<SyncStopReason, 'other'>,
    message: string,
    options: { layer: string; docId: string },
  ) {
    super(errorCodeOf(reason), message, options);
  }
}
