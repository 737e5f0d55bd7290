/**
 * Access control on the relay: every document session must present a capability (src/protocol/capability.ts)
 * in Hocuspocus's Auth message, inside a relay token (src/protocol/inviteLink.ts). Design and threat model:
 * docs/security.md.
 *
 * - Names are `<spaceId>/<docId>`; a docId starting with '.' is reserved for the relay (refused: forbidden).
 * - A space unknown to the relay is registered by its first OWNER capability (trust on first use); from then
 *   on every capability must verify against that registered key. An unknown space and a bad capability get
 *   the same answer, `unauthorized`, so the answer does not tell whether a space exists. `expired` and
 *   `revoked` are only said to a holder of a capability that verifies against the space's key.
 * - Who may register is the operator's choice (relay/registrationPolicy.ts): a verified self-signed owner
 *   the policy does not admit is refused with `registration-closed`.
 * - Viewers: the connection is read-only (Hocuspocus then drops their updates, silently), and any
 *   content-carrying sync message (an Update, or a SyncStep2 that is not already contained in the document:
 *   every sync sends one, usually empty) closes the session with `forbidden`, so the client can say why.
 * - Expiry is enforced on live sessions: a timer closes the session with `expired` when exp passes, and
 *   every message is checked as well.
 * - Members: the relay records each device under an id it derives from the invite and the token's member id
 *   (src/protocol/relayMemberId.ts), so no client can pick an id that is another member's, an invite's or
 *   the owner's. A NEW member over the invite's or the space's cap (relay/limits.ts) is refused with
 *   `quota-exceeded`; the owner's devices are never capped. The owner's list comes in pages (memberPage.ts).
 * - Revocation (an owner command, src/protocol/accessMessages.ts) closes, at once, every live session of
 *   that invite or member on this relay process, and refuses them afterwards. Invite and member revocations
 *   are separate namespaces. The owner capability, and a member that joined with it, cannot be revoked: it is
 *   the same capability on every owner device, so refusing one of them would protect nothing.
 */
import type { Connection, Extension, beforeHandleMessagePayload, beforeSyncPayload, connectedPayload, onAuthenticatePayload, onStatelessPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { ErrorCode, QuireError } from '../src/core/errors.ts';
import { CapabilityError, CapabilityFailure, OWNER_CAPABILITY_ID, verifyCapability } from '../src/protocol/capability.ts';
import type { CapabilityClaims, CapabilityRole } from '../src/protocol/capability.ts';
import { AccessMessageError, AccessMessageType, RelayCloseReason, encodeAccessReply, parseAccessRequest } from '../src/protocol/accessMessages.ts';
import type { AccessReply, AccessRequest } from '../src/protocol/accessMessages.ts';
import { parseRelayToken } from '../src/protocol/inviteLink.ts';
import { relayMemberId } from '../src/protocol/relayMemberId.ts';
import type { RelayLimits } from './limits.ts';
import { memberPage } from './memberPage.ts';
import type { AuthAttempt } from './authRateLimit.ts';
import { SessionRefusal } from './SessionRefusal.ts';
import { OPEN_REGISTRATION, mayRegister } from './registrationPolicy.ts';
import type { RegistrationPolicy } from './registrationPolicy.ts';
import type { AccessStore, MemberCaps } from './stores.ts';

/** y-protocols sync message types that carry document content. */
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
/** setTimeout's largest delay (2^31 - 1 ms, ~24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647;
/**
 * Bounds the cache of verified capabilities (entries of ~400 bytes). A signature check costs ~0.6 ms and a
 * client authenticates every document of a space with the same capability, so each is checked once.
 */
export const VERIFIED_CACHE_ENTRIES = 10_000;
/** Bounds a document name (characters): a space id, '/', a page id. */
export const MAX_DOCUMENT_NAME_CHARS = 256;

/** What an authenticated session carries in its Hocuspocus context. */
export interface AccessContext {
  readonly spaceId: string;
  readonly docId: string;
  readonly role: CapabilityRole;
  readonly inviteId: string;
  /** The relay's id of this device (relayMemberId), not the token's. */
  readonly memberId: string;
  readonly exp: number | null;
}
interface WithAccess {
  access?: AccessContext;
}

export interface AuthOptions {
  readonly store: AccessStore;
  /** Who may register a new space; default open. */
  readonly registration?: RegistrationPolicy;
  /** Member caps and the list's page size (relay/limits.ts). */
  readonly limits: Pick<RelayLimits, 'maxMembersPerInvite' | 'maxMembersPerSpace' | 'membersPerPage'>;
  readonly now?: () => number;
  /**
   * Called before each signature check the verified cache cannot answer; throws (a SessionRefusal) to refuse
   * the attempt first. The relay's authentication rate limit (relay/authRateLimit.ts).
   */
  readonly beforeSignatureCheck?: (attempt: AuthAttempt) => void;
}

/** `<spaceId>/<docId>` split, or null for a name that is not one. */
export function parseDocumentName(name: string): { spaceId: string; docId: string } | null {
  if (name.length > MAX_DOCUMENT_NAME_CHARS) return null;
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return null;
  return { spaceId: name.slice(0, slash), docId: name.slice(slash + 1) };
}

const unauthorized = () => new SessionRefusal(RelayCloseReason.Unauthorized);

export function authExtension({ store, limits, registration = OPEN_REGISTRATION, now = Date.now, beforeSignatureCheck }: AuthOptions): Extension {
  const caps: MemberCaps = { perInvite: limits.maxMembersPerInvite, perSpace: limits.maxMembersPerSpace };
  const isRevoked = async (spaceId: string, inviteId: string, memberId: string) =>
    (await store.isRevoked(spaceId, 'invite', inviteId)) || (await store.isRevoked(spaceId, 'member', memberId));

  /** Live sessions per space, for revocation. */
  const live = new Map<string, Set<Connection>>();
  const timers = new WeakMap<Connection, ReturnType<typeof setTimeout>>();

  /** Capabilities already verified against a registered key (key: `<public key> <capability>`), oldest first. */
  const verified = new Map<string, CapabilityClaims>();

  async function verify(capability: string, spaceId: string, publicKey: string | null, at: number, attempt: AuthAttempt): Promise<CapabilityClaims> {
    const key = publicKey === null ? null : `${publicKey} ${capability}`;
    const hit = key === null ? undefined : verified.get(key);
    if (hit && hit.space === spaceId) {
      if (hit.exp !== null && at >= hit.exp) throw new CapabilityError(ErrorCode.Forbidden, CapabilityFailure.Expired, 'The capability expired');
      return hit;
    }
    beforeSignatureCheck?.(attempt);
    const claims = await verifyCapability(capability, { spaceId, publicKey, now: at });
    if (key !== null) {
      if (verified.size >= VERIFIED_CACHE_ENTRIES) verified.delete(verified.keys().next().value as string);
      verified.set(key, claims);
    }
    return claims;
  }

  const accessOf = (connection: Connection): AccessContext | undefined => (connection.context as WithAccess | undefined)?.access;

  function close(connection: Connection, reason: SessionRefusal): void {
    connection.close({ code: reason.code, reason: reason.reason });
  }

  function armExpiry(connection: Connection, exp: number): void {
    const delay = exp - now();
    if (delay <= 0) {
      close(connection, new SessionRefusal(RelayCloseReason.Expired));
      return;
    }
    timers.set(connection, setTimeout(() => armExpiry(connection, exp), Math.min(delay, MAX_TIMER_MS)));
  }

  async function authenticate(token: string, documentName: string, attempt: AuthAttempt): Promise<AccessContext> {
    const name = parseDocumentName(documentName);
    if (name === null) throw unauthorized();
    if (name.docId.startsWith('.')) throw new SessionRefusal(RelayCloseReason.Forbidden, 'reserved document name');
    let parts;
    try {
      parts = parseRelayToken(token);
    } catch {
      throw unauthorized();
    }
    const space = await store.getSpace(name.spaceId);
    const at = now();
    let claims;
    try {
      claims = await verify(parts.capability, name.spaceId, space?.publicKey ?? null, at, attempt);
    } catch (e) {
      if (!(e instanceof CapabilityError)) throw e;
      // Expiry is only worth telling a holder of a genuine capability for a space this relay knows.
      if (e.failure === CapabilityFailure.Expired && space !== null) throw new SessionRefusal(RelayCloseReason.Expired);
      throw unauthorized();
    }
    if (space === null) {
      if (claims.role !== 'owner') throw unauthorized();
      if (!mayRegister(registration, claims.pk, parts.accessCode)) throw new SessionRefusal(RelayCloseReason.RegistrationClosed);
      const registered = await store.registerSpace(name.spaceId, claims.pk, at);
      // Two first owners raced with different keys: the one stored wins, the other is like any bad capability.
      if (registered.publicKey !== claims.pk) throw unauthorized();
    }
    const memberId = relayMemberId(claims.id, parts.memberId);
    if (await isRevoked(name.spaceId, claims.id, memberId)) throw new SessionRefusal(RelayCloseReason.Revoked);
    const member = { memberId, inviteId: claims.id, role: claims.role, name: parts.name, firstSeenAt: at, lastSeenAt: at };
    const recorded = await store.recordMember(name.spaceId, member, claims.role === 'owner' ? null : caps);
    if (recorded === 'invite-full') throw new SessionRefusal(RelayCloseReason.QuotaExceeded, `this invite has its ${caps.perInvite} devices`);
    if (recorded === 'space-full') throw new SessionRefusal(RelayCloseReason.QuotaExceeded, `this space has its ${caps.perSpace} devices`);
    return { spaceId: name.spaceId, docId: name.docId, role: claims.role, inviteId: claims.id, memberId, exp: claims.exp };
  }

  async function command(request: AccessRequest, access: AccessContext): Promise<AccessReply> {
    const ok = { t: AccessMessageType.Reply, req: request.req, ok: true } as const;
    const refuse = (message: string): AccessReply => ({ t: AccessMessageType.Reply, req: request.req, ok: false, code: ErrorCode.InvalidOperation, message });
    if (request.t === AccessMessageType.ListMembers) {
      return { ...ok, ...(await memberPage(store, access.spaceId, request.cursor, limits.membersPerPage)) };
    }
    const kind = request.t === AccessMessageType.RevokeInvite ? 'invite' : 'member';
    const id = request.t === AccessMessageType.RevokeInvite ? request.inviteId : request.memberId;
    if (kind === 'invite' && id === OWNER_CAPABILITY_ID) return refuse('The owner capability cannot be revoked');
    if (kind === 'member') {
      const member = await store.getMember(access.spaceId, id);
      if (member === null) return refuse('No member of this space has that id (use the id the member list gives)');
      if (member.inviteId === OWNER_CAPABILITY_ID) return refuse("The owner's devices cannot be revoked: they all hold the same owner capability");
    }
    await store.revoke(access.spaceId, kind, id, now());
    const field = kind === 'invite' ? 'inviteId' : 'memberId';
    for (const connection of [...(live.get(access.spaceId) ?? [])]) {
      if (accessOf(connection)?.[field] === id) close(connection, new SessionRefusal(RelayCloseReason.Revoked));
    }
    return ok;
  }

  return {
    extensionName: 'quire-auth',

    async onAuthenticate({ token, documentName, connectionConfig, request }: onAuthenticatePayload): Promise<WithAccess> {
      const access = await authenticate(token, documentName, { request });
      if (access.role === 'viewer') connectionConfig.readOnly = true;
      return { access };
    },

    async connected({ connection }: connectedPayload): Promise<void> {
      const access = accessOf(connection);
      if (!access) return; // unreachable: onAuthenticate always sets it or refuses
      let sessions = live.get(access.spaceId);
      if (!sessions) live.set(access.spaceId, (sessions = new Set()));
      sessions.add(connection);
      connection.onClose(() => {
        clearTimeout(timers.get(connection));
        sessions.delete(connection);
        if (sessions.size === 0 && live.get(access.spaceId) === sessions) live.delete(access.spaceId);
      });
      // A revocation may have landed between authentication and now.
      if (await isRevoked(access.spaceId, access.inviteId, access.memberId)) {
        close(connection, new SessionRefusal(RelayCloseReason.Revoked));
        return;
      }
      if (access.exp !== null) armExpiry(connection, access.exp);
    },

    beforeHandleMessage({ connection }: beforeHandleMessagePayload): Promise<void> {
      const access = accessOf(connection);
      if (!access) return Promise.reject(unauthorized());
      // The timer is the main enforcement; this catches a message that races it.
      if (access.exp !== null && now() >= access.exp) return Promise.reject(new SessionRefusal(RelayCloseReason.Expired));
      return Promise.resolve();
    },

    beforeSync({ connection, type, payload, document }: beforeSyncPayload): Promise<void> {
      if (accessOf(connection)?.role !== 'viewer' || (type !== SYNC_STEP_2 && type !== SYNC_UPDATE)) return Promise.resolve();
      // Every sync carries a SyncStep2 with what the client has that the relay lacks: empty for an honest
      // viewer. Only one that would change the document is a write.
      let harmless: boolean;
      try {
        harmless = Y.snapshotContainsUpdate(Y.snapshot(document), payload);
      } catch {
        harmless = false; // undecodable: refuse it like any other viewer write
      }
      return harmless ? Promise.resolve() : Promise.reject(new SessionRefusal(RelayCloseReason.Forbidden, 'viewers cannot write'));
    },

    async onStateless({ connection, payload }: onStatelessPayload): Promise<void> {
      const access = accessOf(connection);
      let request: AccessRequest | null;
      try {
        request = parseAccessRequest(payload);
      } catch (e) {
        if (!(e instanceof AccessMessageError)) throw e;
        const req = (() => {
          try {
            const r = (JSON.parse(payload) as { req?: unknown }).req;
            return typeof r === 'string' ? r.slice(0, 64) || '?' : '?';
          } catch {
            return '?';
          }
        })();
        connection.sendStateless(encodeAccessReply({ t: AccessMessageType.Reply, req, ok: false, code: e.code, message: e.message }));
        return;
      }
      if (request === null || !access) return;
      if (access.role !== 'owner') {
        connection.sendStateless(encodeAccessReply({ t: AccessMessageType.Reply, req: request.req, ok: false, code: ErrorCode.Forbidden, message: 'Only the owner can manage access' }));
        return;
      }
      let reply: AccessReply;
      try {
        reply = await command(request, access);
      } catch (e) {
        // A store failure (or a cursor the relay never gave: invalid-operation): the owner is told the command
        // did not happen (and may retry); nothing is half-done that matters, since revoke is idempotent.
        const code = e instanceof QuireError ? e.code : ErrorCode.StorageUnavailable;
        reply = { t: AccessMessageType.Reply, req: request.req, ok: false, code, message: e instanceof Error ? e.message : String(e) };
      }
      connection.sendStateless(encodeAccessReply(reply));
    },
  };
}
