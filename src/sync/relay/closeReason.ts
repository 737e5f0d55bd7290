/**
 * Why the relay stopped syncing a document: the reason of a per-document CLOSE or PermissionDenied frame,
 * mapped to a small vocabulary the status and the UI show. The relay writes reasons as `<code>` or
 * `<code>: <detail>` (relay/UpdateRefusal.ts; the access extension's RelayCloseReason uses the same codes),
 * because Hocuspocus hands the client only the reason string, never the close code.
 */
import { ErrorCode } from '../../core/errors.ts';

export const SyncStopReason = {
  /** No valid capability was presented. */
  Unauthorized: 'unauthorized',
  /** The invite or capability expired. */
  Expired: 'expired',
  /** The owner revoked the invite or the member. */
  Revoked: 'revoked',
  /** The capability does not allow this (a viewer writing, a reserved document). */
  Forbidden: 'forbidden',
  /** The relay's update guard refused an update of this document. */
  InvalidUpdate: 'invalid-update',
  /** An update or the document exceeded the relay's size limits. */
  TooLarge: 'too-large',
  /** The connection sent more than the relay's rate limit allows. */
  RateLimited: 'rate-limited',
  /**
   * Not a refusal: a reason this version does not know, or Hocuspocus's "Reset Connection" (the relay is
   * shutting down or failed to load the document). The session is reopened after a delay.
   */
  Other: 'other',
} as const;
export type SyncStopReason = (typeof SyncStopReason)[keyof typeof SyncStopReason];

/** The relay's echo of a CLOSE this client sent: the end of a session, not a refusal. */
export const PROVIDER_INITIATED_CLOSE = 'provider_initiated';

const KNOWN = new Set<string>(Object.values(SyncStopReason));

/** The stop reason named by a close or permission-denied reason string. */
export function syncStopReason(reason: string): SyncStopReason {
  const code = reason.split(':', 1)[0]!.trim().toLowerCase();
  if (code === 'permission-denied') return SyncStopReason.Unauthorized; // Hocuspocus's default denial
  return KNOWN.has(code) ? (code as SyncStopReason) : SyncStopReason.Other;
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
