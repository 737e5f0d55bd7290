/**
 * Access control on the relay: every document session must present a capability (src/sync/relay/capability.ts)
 * in Hocuspocus's Auth message, inside a relay token (src/sync/relay/inviteLink.ts). Design and threat model:
 * docs/security.md.
 *
 * - Names are `<spaceId>/<docId>`; a docId starting with '.' is reserved for the relay (refused: forbidden).
 * - A space unknown to the relay is registered by its first OWNER capability (trust on first use); from then
 *   on every capability must verify against that registered key. An unknown space and a bad capability get
 *   the same answer, `unauthorized`, so the answer does not tell whether a space exists. `expired` and
 *   `revoked` are only said to a holder of a capability that verifies against the space's key.
 * - Viewers: the connection is read-only (Hocuspocus then drops their updates, silently), and any
 *   content-carrying sync message (an Update, or a SyncStep2 that is not already contained in the document:
 *   every sync sends one, usually empty) closes the session with `forbidden`, so the client can say why.
 * - Expiry is enforced on live sessions: a timer closes the session with `expired` when exp passes, and
 *   every message is checked as well.
 * - Revocation (an owner command, src/sync/relay/accessMessages.ts) closes, at once, every live session of
 *   that invite or member on this relay process, and refuses them afterwards.
 */
import type { Connection, Extension, beforeHandleMessagePayload, beforeSyncPayload, connectedPayload, onAuthenticatePayload, onStatelessPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { ErrorCode, QuireError } from '../src/core/errors.ts';
import { CapabilityError, CapabilityFailure, OWNER_CAPABILITY_ID, verifyCapability } from '../src/sync/relay/capability.ts';
import type { CapabilityClaims, CapabilityRole } from '../src/sync/relay/capability.ts';
import { AccessMessageError, AccessMessageType, MAX_LISTED_MEMBERS, RelayCloseReason, encodeAccessReply, parseAccessRequest } from '../src/sync/relay/accessMessages.ts';
import type { AccessReply, AccessRequest } from '../src/sync/relay/accessMessages.ts';
import { parseRelayToken } from '../src/sync/relay/inviteLink.ts';
import type { AuthAttempt } from './authRateLimit.ts';
import { SessionRefusal } from './SessionRefusal.ts';
import type { AccessStore } from './stores.ts';

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
  readonly memberId: string;
  readonly exp: number | null;
}
interface WithAccess {
  access?: AccessContext;
}

export interface AuthOptions {
  readonly store: AccessStore;
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

export function authExtension({ store, now = Date.now, beforeSignatureCheck }: AuthOptions): Extension {
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
      const registered = await store.registerSpace(name.spaceId, claims.pk, at);
      // Two first owners raced with different keys: the one stored wins, the other is like any bad capability.
      if (registered.publicKey !== claims.pk) throw unauthorized();
    }
    if ((await store.isRevoked(name.spaceId, claims.id)) || (await store.isRevoked(name.spaceId, parts.memberId))) {
      throw new SessionRefusal(RelayCloseReason.Revoked);
    }
    await store.recordMember(name.spaceId, { memberId: parts.memberId, inviteId: claims.id, role: claims.role, name: parts.name, firstSeenAt: at, lastSeenAt: at });
    return { spaceId: name.spaceId, docId: name.docId, role: claims.role, inviteId: claims.id, memberId: parts.memberId, exp: claims.exp };
  }

  async function command(request: AccessRequest, access: AccessContext): Promise<AccessReply> {
    const ok = { t: AccessMessageType.Reply, req: request.req, ok: true } as const;
    if (request.t === AccessMessageType.ListMembers) {
      const members = (await store.listMembers(access.spaceId)).slice(0, MAX_LISTED_MEMBERS);
      return { ...ok, members };
    }
    const id = request.t === AccessMessageType.RevokeInvite ? request.inviteId : request.memberId;
    if (request.t === AccessMessageType.RevokeInvite && id === OWNER_CAPABILITY_ID) {
      return { t: AccessMessageType.Reply, req: request.req, ok: false, code: ErrorCode.InvalidOperation, message: 'The owner capability cannot be revoked' };
    }
    await store.revoke(access.spaceId, id, now());
    const field = request.t === AccessMessageType.RevokeInvite ? 'inviteId' : 'memberId';
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
      if ((await store.isRevoked(access.spaceId, access.inviteId)) || (await store.isRevoked(access.spaceId, access.memberId))) {
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
        // A store failure: the owner is told the command did not happen (and may retry); nothing is half-done
        // that matters, since revoke is idempotent.
        const code = e instanceof QuireError ? e.code : ErrorCode.StorageUnavailable;
        reply = { t: AccessMessageType.Reply, req: request.req, ok: false, code, message: e instanceof Error ? e.message : String(e) };
      }
      connection.sendStateless(encodeAccessReply(reply));
    },
  };
}
