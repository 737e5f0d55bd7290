/**
 * Access messages between an owner's device and the relay, version 1, and the relay's close reasons.
 *
 * Owner commands travel as Hocuspocus stateless messages (JSON strings) on any document connection of the
 * space that authenticated with the OWNER capability (the app uses the space document, `<spaceId>/space`).
 * The relay answers on the same connection only. Each request carries a client-chosen `req` id (1-64
 * characters) that the reply echoes:
 *
 *   { "t": "quire:revoke-invite", "v": 1, "req": "...", "inviteId": "..." }
 *   { "t": "quire:revoke-member", "v": 1, "req": "...", "memberId": "..." }
 *   { "t": "quire:list-members",  "v": 1, "req": "...", "cursor"?: "..." }
 *
 *   { "t": "quire:access-reply", "v": 1, "req": "...", "ok": true }                       (a revoke)
 *   { "t": "quire:access-reply", "v": 1, "req": "...", "ok": true, "members": [Member, ...], "next"?: "..." }  (a list)
 *   { "t": "quire:access-reply", "v": 1, "req": "...", "ok": false, "code": "<ErrorCode>", "message": "..." }
 *
 * Member = { memberId, inviteId, role, name, firstSeenAt, lastSeenAt } (times in ms since the epoch). The
 * memberId is the relay's (derived from the invite and the device's own id, relayMemberId.ts); revoke-member
 * takes it as listed. The list comes in pages, the most recently joined first: a reply with `next` has more,
 * and the same request with `cursor: next` gets the following page (the cursor is opaque, the relay's own).
 * A request without a cursor (every client before paging) gets the first page.
 * A revoke is idempotent and closes, at once, every live connection of that invite or member on this relay
 * node with reason `revoked`. A non-owner's command gets `ok: false, code: "forbidden"`; a malformed one, or
 * revoking the owner capability or a member that joined with it, `invalid-operation`. Stateless messages whose "t" is not one of these are not access messages (null).
 * Unknown fields are ignored; a later "v" is refused with `version-too-new`.
 *
 * Close reasons: when the relay refuses or ends one document's session (Hocuspocus's per-document CLOSE, or
 * its permission-denied answer to Auth) the reason string is `<RelayCloseReason>` or `<RelayCloseReason>: <why>`.
 * The provider reports only the reason (the code is always 1000 on the client), so the reason is the contract.
 */
import { ErrorCode, QuireError, isErrorCode } from '../core/errors.ts';
import type { CapabilityRole } from './capability.ts';

export const ACCESS_MESSAGE_VERSION = 1;
export const AccessMessageType = {
  RevokeInvite: 'quire:revoke-invite',
  RevokeMember: 'quire:revoke-member',
  ListMembers: 'quire:list-members',
  Reply: 'quire:access-reply',
} as const;
export type AccessMessageType = (typeof AccessMessageType)[keyof typeof AccessMessageType];

/** Bounds one access message before it is parsed (a member list of MAX_LISTED_MEMBERS fits). */
export const MAX_ACCESS_MESSAGE_CHARS = 1024 * 1024;
/** Bounds the members one list reply (one page) carries; the relay's page size is at most this. */
export const MAX_LISTED_MEMBERS = 1000;
/** Bounds a request id and an invite or member id (characters). */
export const MAX_ACCESS_ID_CHARS = 64;
/** Bounds a page cursor (characters): the relay's are a time and a member id, about 60. */
export const MAX_MEMBER_CURSOR_CHARS = 128;

/** Why the relay refused or closed one document's session. Shown to the user as "why sync stopped". */
export const RelayCloseReason = {
  /** No capability, a forged or altered one, one for another space, or an unknown space: one answer for all. */
  Unauthorized: 'unauthorized',
  /** The invite's expiry passed (at connect time, or while connected). */
  Expired: 'expired',
  /** The owner revoked this invite or this member. */
  Revoked: 'revoked',
  /** The role does not allow it: a viewer's write, a reserved document name, a non-owner's command. */
  Forbidden: 'forbidden',
  /** The update guard refused the bytes (malformed or oversized update). */
  InvalidUpdate: 'invalid-update',
  /** The update would grow the document past the relay's document size limit. */
  TooLarge: 'too-large',
  /** This connection sent more messages (or authentication attempts) than the relay's rate limit allows. */
  RateLimited: 'rate-limited',
  /** The space is not registered here and this relay accepts new spaces only with its access code or from listed keys. */
  RegistrationClosed: 'registration-closed',
  /** The space reached a limit the relay's operator set: its stored bytes, or its members (per invite or per space). */
  QuotaExceeded: 'quota-exceeded',
  /** The socket did not read what the relay sent it and the relay's per-socket output bound was reached (whole socket). */
  SlowReader: 'slow-reader',
} as const;
export type RelayCloseReason = (typeof RelayCloseReason)[keyof typeof RelayCloseReason];

/** Close codes the relay uses server-side (4000-4999 is the application range). Clients see only the reason. */
export const RelayCloseCode = {
  unauthorized: 4401,
  expired: 4401,
  revoked: 4401,
  forbidden: 4403,
  'invalid-update': 4400,
  'too-large': 4413,
  'rate-limited': 4429,
  'registration-closed': 4402,
  'quota-exceeded': 4507,
  'slow-reader': 4408,
} as const satisfies Record<RelayCloseReason, number>;

const REASONS = new Set<string>(Object.values(RelayCloseReason));

/** The close reason named by a close or permission-denied reason string, or null if it is not the relay's. */
export function parseCloseReason(reason: string): RelayCloseReason | null {
  const head = reason.split(':', 1)[0]?.trim() ?? '';
  return REASONS.has(head) ? (head as RelayCloseReason) : null;
}

/** `<reason>: <why>` within the 123 bytes a WebSocket close reason may hold. */
export function formatCloseReason(reason: RelayCloseReason, why?: string): string {
  const text = why ? `${reason}: ${why}` : reason;
  const bytes = new TextEncoder().encode(text);
  if (bytes.byteLength <= MAX_CLOSE_REASON_BYTES) return text;
  let cut = MAX_CLOSE_REASON_BYTES;
  while (cut > 0 && ((bytes[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return new TextDecoder().decode(bytes.subarray(0, cut));
}
/** RFC 6455 5.5: a 125-byte control payload minus the 2-byte code. */
const MAX_CLOSE_REASON_BYTES = 123;

export interface MemberInfo {
  readonly memberId: string;
  readonly inviteId: string;
  readonly role: CapabilityRole;
  readonly name: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

export type AccessRequest =
  | { readonly t: typeof AccessMessageType.RevokeInvite; readonly req: string; readonly inviteId: string }
  | { readonly t: typeof AccessMessageType.RevokeMember; readonly req: string; readonly memberId: string }
  | { readonly t: typeof AccessMessageType.ListMembers; readonly req: string; readonly cursor?: string };

export type AccessReply =
  | { readonly t: typeof AccessMessageType.Reply; readonly req: string; readonly ok: true; readonly members?: readonly MemberInfo[]; readonly next?: string }
  | { readonly t: typeof AccessMessageType.Reply; readonly req: string; readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** A malformed or unsupported access message (either direction). */
export class AccessMessageError extends QuireError {
  readonly boundary = 'access-message';
  override readonly name = 'AccessMessageError';
}

export function encodeAccessRequest(request: AccessRequest): string {
  return JSON.stringify({ ...request, v: ACCESS_MESSAGE_VERSION });
}

export function encodeAccessReply(reply: AccessReply): string {
  return JSON.stringify({ ...reply, v: ACCESS_MESSAGE_VERSION });
}

/** The request in a stateless payload, null if the payload is not an access request, or AccessMessageError. */
export function parseAccessRequest(payload: string): AccessRequest | null {
  const m = readMessage(payload, [AccessMessageType.RevokeInvite, AccessMessageType.RevokeMember, AccessMessageType.ListMembers]);
  if (m === null) return null;
  const req = id(m.req, 'req');
  switch (m.t) {
    case AccessMessageType.RevokeInvite:
      return { t: m.t, req, inviteId: id(m.inviteId, 'inviteId') };
    case AccessMessageType.RevokeMember:
      return { t: m.t, req, memberId: id(m.memberId, 'memberId') };
    default:
      return m.cursor === undefined ? { t: AccessMessageType.ListMembers, req } : { t: AccessMessageType.ListMembers, req, cursor: cursor(m.cursor) };
  }
}

/** The reply in a stateless payload, null if the payload is not an access reply, or AccessMessageError. */
export function parseAccessReply(payload: string): AccessReply | null {
  const m = readMessage(payload, [AccessMessageType.Reply]);
  if (m === null) return null;
  const req = id(m.req, 'req');
  if (m.ok === false) {
    if (!isErrorCode(m.code) || typeof m.message !== 'string') throw refuse('a failed reply needs an ErrorCode and a message');
    return { t: AccessMessageType.Reply, req, ok: false, code: m.code, message: m.message };
  }
  if (m.ok !== true) throw refuse('ok must be true or false');
  if (m.members === undefined) return { t: AccessMessageType.Reply, req, ok: true };
  if (!Array.isArray(m.members) || m.members.length > MAX_LISTED_MEMBERS) throw refuse(`members must be a list of at most ${MAX_LISTED_MEMBERS}`);
  const members = m.members.map(member);
  return m.next === undefined ? { t: AccessMessageType.Reply, req, ok: true, members } : { t: AccessMessageType.Reply, req, ok: true, members, next: cursor(m.next) };
}

function readMessage(payload: string, types: readonly string[]): Record<string, unknown> | null {
  if (typeof payload !== 'string' || payload.length > MAX_ACCESS_MESSAGE_CHARS) return null;
  let m: unknown;
  try {
    m = JSON.parse(payload);
  } catch {
    return null; // not ours: access messages are always JSON
  }
  if (typeof m !== 'object' || m === null || !types.includes((m as { t?: unknown }).t as string)) return null;
  const v = (m as { v?: unknown }).v;
  if (v !== ACCESS_MESSAGE_VERSION) {
    if (typeof v === 'number' && v > ACCESS_MESSAGE_VERSION) throw new AccessMessageError(ErrorCode.VersionTooNew, `Access message version ${v} is newer than ${ACCESS_MESSAGE_VERSION}`);
    throw refuse(`v must be ${ACCESS_MESSAGE_VERSION}`);
  }
  return m as Record<string, unknown>;
}

function refuse(why: string): AccessMessageError {
  return new AccessMessageError(ErrorCode.InvalidOperation, `Malformed access message: ${why}`);
}

function id(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_ACCESS_ID_CHARS) throw refuse(`${what} must be 1-${MAX_ACCESS_ID_CHARS} characters`);
  return value;
}

function cursor(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_MEMBER_CURSOR_CHARS) throw refuse(`a cursor must be 1-${MAX_MEMBER_CURSOR_CHARS} characters`);
  return value;
}

const ROLES = new Set<unknown>(['owner', 'editor', 'viewer']);
function member(value: unknown): MemberInfo {
  const m = value as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null) throw refuse('a member is an object');
  const { memberId, inviteId, role, name, firstSeenAt, lastSeenAt } = m;
  if (typeof memberId !== 'string' || typeof inviteId !== 'string' || !ROLES.has(role) || typeof name !== 'string' || typeof firstSeenAt !== 'number' || typeof lastSeenAt !== 'number') {
    throw refuse('a member has memberId, inviteId, role, name, firstSeenAt and lastSeenAt');
  }
  return { memberId, inviteId, role: role as CapabilityRole, name, firstSeenAt, lastSeenAt };
}
