/**
 * The relay's limits: each a named default, overridable by an environment variable read in relay/main.ts
 * (table in docs/relay.md, "Limits"). The update size cap is the core's MAX_UPDATE_BYTES and the frame cap
 * MAX_FRAME_BYTES in server.ts; these are the rest.
 */
import { ErrorCode } from '../src/core/errors.ts';
import { MAX_UPDATE_BYTES } from '../src/core/guard/UpdateGuard.ts';
import { MAX_LISTED_MEMBERS } from '../src/protocol/accessMessages.ts';
import { RelayError } from './RelayError.ts';

/**
 * Bounds one document's encoded size in the relay's memory and storage. An update that would grow a
 * document past it is refused for that document only (reason too-large). At least twice MAX_UPDATE_BYTES so
 * that any update the guard admits fits into a document that is at most half full.
 */
export const MAX_DOCUMENT_BYTES = 2 * MAX_UPDATE_BYTES;
/**
 * Bounds what one space stores on the relay (the sum of its documents' stored states). An update that would
 * grow a space past it is refused for that document only (reason quota-exceeded). 1 GiB: eight documents at
 * MAX_DOCUMENT_BYTES, and far above a working space (a thousand text pages with their history measure tens
 * of MB), while a relay on a small disk can still host a few hundred full spaces. Operators set their own.
 */
export const MAX_SPACE_BYTES = 1024 * 1024 * 1024;
/**
 * Sustained messages per second one socket may send (all its documents together: sync, awareness,
 * stateless). Typing sends tens per second; a whole-space background sync sends ~4 per page opened.
 */
export const MESSAGES_PER_SECOND = 200;
/** Messages one socket may send in a burst above the sustained rate (the token bucket's capacity). */
export const MESSAGE_BURST = 2_000;
/**
 * Refusals a socket may collect (each closes the document whose message found the bucket empty) before the
 * relay closes the whole socket. Reset when the bucket is full again.
 */
export const RATE_LIMIT_STRIKES = 3;
/** A socket with no message for this long is closed; an unauthenticated one, this long after it connected. */
export const IDLE_TIMEOUT_MS = 60_000;
/** Bytes one socket may have queued for documents it has not yet authenticated; over it the socket is closed. */
export const MAX_UNAUTHENTICATED_QUEUE_BYTES = 4 * 1024 * 1024;
/** Messages one socket may have queued for documents it has not yet authenticated; over it the socket is closed. */
export const MAX_UNAUTHENTICATED_QUEUE_MESSAGES = 1_000;
/** Documents one socket may be authenticating at once; over it the socket is closed. */
export const MAX_PENDING_DOCUMENTS = 100;
/**
 * Members (devices) one invite may bring into a space; a new device over it is refused at authentication
 * with `quota-exceeded` (devices already recorded still connect). Every browser profile, and every reset of
 * site data, is a new device: 50 lets one link be shared with a group of about 15 people on 3 devices each,
 * while one leaked or hostile link can add no more than 50 rows. The owner's own devices are never capped.
 */
export const MAX_MEMBERS_PER_INVITE = 50;
/**
 * Members one space may have, not counting those of revoked invites (they can never connect again, so
 * revoking an abused invite frees its places). Over it a new device is refused with `quota-exceeded`.
 * 1,000 is far beyond a team's devices and keeps the stored member rows of a space near 200 KB; it is the
 * old single-reply list's size, so an owner's list was never cut off before this cap.
 */
export const MAX_MEMBERS_PER_SPACE = 1_000;
/**
 * Members in one page of the owner's list (one access reply). 100 rows is what a person scans in the
 * Share dialog before asking for more; at most MAX_LISTED_MEMBERS (the reply's bound in the protocol).
 */
export const MEMBERS_PER_PAGE = 100;
/**
 * Bytes the relay may hold for one socket that the client has not read yet (the `ws` socket's
 * `bufferedAmount`: its send queue and the TCP write buffer above the kernel's). A send that would take it
 * past this terminates the socket (slow-reader) instead of queueing: without it a reader that stops reading
 * and keeps asking (SyncStep1) makes the relay queue a copy of the document per request. An honest client
 * syncs SYNC_CONCURRENCY (4, src/sync/relay/SpaceSyncer.ts) pages at once, each answered with up to a whole
 * document, so the default lets four maximum-size documents be in flight to one socket at once.
 */
export const MAX_SOCKET_BUFFERED_BYTES = 4 * MAX_DOCUMENT_BYTES;
/**
 * Authentication attempts (Auth frames) one socket may make per second, sustained, whatever their outcome.
 * A first background sync authenticates every page of a space on one socket; its sync messages are already
 * paced by MESSAGES_PER_SECOND (~4 per page), so this bound sits well above the pages/s an honest sync reaches.
 */
export const AUTH_ATTEMPTS_PER_SECOND = 200;
/** Authentication attempts one socket may make in a burst above the sustained rate (the bucket's depth). */
export const AUTH_ATTEMPT_BURST = 2_000;
/**
 * Signature checks one socket may cause per second: authentications whose capability is not already in the
 * relay's verified cache (relay/authExtension.ts). Each costs ~0.6 ms of CPU; an honest client needs one per
 * capability it holds (its spaces), whatever the number of pages, so the bound is low.
 */
export const SIGNATURE_CHECKS_PER_SECOND = 2;
/** Signature checks one socket may cause in a burst (the bucket's depth): more spaces than one device holds. */
export const SIGNATURE_CHECK_BURST = 50;
/**
 * Authentication attempts from one remote address per second, all its sockets together. Clients behind one
 * proxy or NAT share an address (docs/relay.md, "Limits"), hence a multiple of the per-socket bound.
 */
export const ADDRESS_AUTH_ATTEMPTS_PER_SECOND = 1_000;
/** Authentication attempts from one address in a burst (the bucket's depth). */
export const ADDRESS_AUTH_ATTEMPT_BURST = 10_000;
/** Signature checks from one remote address per second, all its sockets together (~6% of a core at the most). */
export const ADDRESS_SIGNATURE_CHECKS_PER_SECOND = 100;
/** Signature checks from one address in a burst (the bucket's depth). */
export const ADDRESS_SIGNATURE_CHECK_BURST = 500;

export interface RelayLimits {
  readonly maxDocumentBytes: number;
  readonly maxSpaceBytes: number;
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  readonly rateLimitStrikes: number;
  readonly idleTimeoutMs: number;
  readonly maxUnauthenticatedQueueBytes: number;
  readonly maxUnauthenticatedQueueMessages: number;
  readonly maxPendingDocuments: number;
  readonly maxMembersPerInvite: number;
  readonly maxMembersPerSpace: number;
  readonly membersPerPage: number;
  readonly maxSocketBufferedBytes: number;
  readonly authAttemptsPerSecond: number;
  readonly authAttemptBurst: number;
  readonly signatureChecksPerSecond: number;
  readonly signatureCheckBurst: number;
  readonly addressAuthAttemptsPerSecond: number;
  readonly addressAuthAttemptBurst: number;
  readonly addressSignatureChecksPerSecond: number;
  readonly addressSignatureCheckBurst: number;
}

export const DEFAULT_LIMITS: RelayLimits = {
  maxDocumentBytes: MAX_DOCUMENT_BYTES,
  maxSpaceBytes: MAX_SPACE_BYTES,
  messagesPerSecond: MESSAGES_PER_SECOND,
  messageBurst: MESSAGE_BURST,
  rateLimitStrikes: RATE_LIMIT_STRIKES,
  idleTimeoutMs: IDLE_TIMEOUT_MS,
  maxUnauthenticatedQueueBytes: MAX_UNAUTHENTICATED_QUEUE_BYTES,
  maxUnauthenticatedQueueMessages: MAX_UNAUTHENTICATED_QUEUE_MESSAGES,
  maxPendingDocuments: MAX_PENDING_DOCUMENTS,
  maxMembersPerInvite: MAX_MEMBERS_PER_INVITE,
  maxMembersPerSpace: MAX_MEMBERS_PER_SPACE,
  membersPerPage: MEMBERS_PER_PAGE,
  maxSocketBufferedBytes: MAX_SOCKET_BUFFERED_BYTES,
  authAttemptsPerSecond: AUTH_ATTEMPTS_PER_SECOND,
  authAttemptBurst: AUTH_ATTEMPT_BURST,
  signatureChecksPerSecond: SIGNATURE_CHECKS_PER_SECOND,
  signatureCheckBurst: SIGNATURE_CHECK_BURST,
  addressAuthAttemptsPerSecond: ADDRESS_AUTH_ATTEMPTS_PER_SECOND,
  addressAuthAttemptBurst: ADDRESS_AUTH_ATTEMPT_BURST,
  addressSignatureChecksPerSecond: ADDRESS_SIGNATURE_CHECKS_PER_SECOND,
  addressSignatureCheckBurst: ADDRESS_SIGNATURE_CHECK_BURST,
};

/** The environment variable that overrides each limit (positive integers). */
export const LIMIT_ENV: Record<keyof RelayLimits, string> = {
  maxDocumentBytes: 'QUIRE_RELAY_MAX_DOCUMENT_BYTES',
  maxSpaceBytes: 'QUIRE_RELAY_MAX_SPACE_BYTES',
  messagesPerSecond: 'QUIRE_RELAY_MESSAGES_PER_SECOND',
  messageBurst: 'QUIRE_RELAY_MESSAGE_BURST',
  rateLimitStrikes: 'QUIRE_RELAY_RATE_LIMIT_STRIKES',
  idleTimeoutMs: 'QUIRE_RELAY_IDLE_TIMEOUT_MS',
  maxUnauthenticatedQueueBytes: 'QUIRE_RELAY_MAX_UNAUTHENTICATED_QUEUE_BYTES',
  maxUnauthenticatedQueueMessages: 'QUIRE_RELAY_MAX_UNAUTHENTICATED_QUEUE_MESSAGES',
  maxPendingDocuments: 'QUIRE_RELAY_MAX_PENDING_DOCUMENTS',
  maxMembersPerInvite: 'QUIRE_RELAY_MAX_MEMBERS_PER_INVITE',
  maxMembersPerSpace: 'QUIRE_RELAY_MAX_MEMBERS_PER_SPACE',
  membersPerPage: 'QUIRE_RELAY_MEMBERS_PER_PAGE',
  maxSocketBufferedBytes: 'QUIRE_RELAY_MAX_SOCKET_BUFFERED_BYTES',
  authAttemptsPerSecond: 'QUIRE_RELAY_AUTH_ATTEMPTS_PER_SECOND',
  authAttemptBurst: 'QUIRE_RELAY_AUTH_ATTEMPT_BURST',
  signatureChecksPerSecond: 'QUIRE_RELAY_SIGNATURE_CHECKS_PER_SECOND',
  signatureCheckBurst: 'QUIRE_RELAY_SIGNATURE_CHECK_BURST',
  addressAuthAttemptsPerSecond: 'QUIRE_RELAY_ADDRESS_AUTH_ATTEMPTS_PER_SECOND',
  addressAuthAttemptBurst: 'QUIRE_RELAY_ADDRESS_AUTH_ATTEMPT_BURST',
  addressSignatureChecksPerSecond: 'QUIRE_RELAY_ADDRESS_SIGNATURE_CHECKS_PER_SECOND',
  addressSignatureCheckBurst: 'QUIRE_RELAY_ADDRESS_SIGNATURE_CHECK_BURST',
};

/** The limits from the environment over the defaults; a value that is not a positive integer is an error naming the variable. */
export function limitsFromEnv(env: Record<string, string | undefined>): RelayLimits {
  const limits: Record<string, number> = { ...DEFAULT_LIMITS };
  for (const [key, name] of Object.entries(LIMIT_ENV)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value <= 0) throw new RelayError(ErrorCode.InvalidOperation, `${name} must be a positive integer, got "${raw}"`);
    limits[key] = value;
  }
  if ((limits.membersPerPage ?? 0) > MAX_LISTED_MEMBERS) {
    throw new RelayError(ErrorCode.InvalidOperation, `${LIMIT_ENV.membersPerPage} must be at most ${MAX_LISTED_MEMBERS} (what one access reply may carry), got ${limits.membersPerPage}`);
  }
  return limits as unknown as RelayLimits;
}
