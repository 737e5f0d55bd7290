/**
 * The owner's access commands (list members, revoke a member, revoke an invite) as typed calls: one
 * request/reply exchange over the relay layer's stateless channel on the space document's session, which
 * authenticated with the owner capability. Wire format: accessMessages.ts. Relay side: relay/authExtension.ts.
 *
 * - Each call sends one request with a fresh `req` id and resolves with the reply that echoes it; replies to
 *   other requests and other stateless messages are ignored.
 * - A failed reply (`ok: false`) rejects with a MemberCommandError carrying the relay's code (`forbidden` for
 *   a device that is not the owner's, `invalid-operation` for a malformed command or the owner capability).
 * - No reply within the timeout rejects with `timeout`. A relay that is offline rejects at once with
 *   `unreachable`; a stopped or closed layer rejects with the layer's own error code.
 * - A revoke is idempotent on the relay, so retrying after a timeout is safe. A request still queued while
 *   the socket reconnects may reach the relay after its call timed out: for a revoke that is what the owner
 *   asked for anyway.
 */
import { ErrorCode, QuireError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId } from '../../core/persistence/PersistenceLayer.ts';
import { AccessMessageError, AccessMessageType, encodeAccessRequest, parseAccessReply, type AccessReply, type AccessRequest, type MemberInfo } from '../../protocol/accessMessages.ts';
import type { RelaySyncStatus } from './RelaySyncStatus.ts';

export type { MemberInfo } from '../../protocol/accessMessages.ts';

/** One page of the owner's member list; `next` asks for the following page (null: this was the last). */
export interface MemberPage {
  readonly members: MemberInfo[];
  readonly next: string | null;
}

/** Bounds how long a command waits for the relay's reply. */
export const MEMBER_COMMAND_TIMEOUT_MS = 10_000;

/** What a command needs of a relay layer (RelayLayer has all of it). */
export interface AccessChannel {
  sendStateless(docId: DocId, payload: string): void;
  onStateless(listener: (docId: DocId, payload: string) => void): () => void;
  status(): Pick<RelaySyncStatus, 'state'>;
  /** Keeps the document's session open while a reply is awaited (RelayLayer.hold). */
  hold?(docId: DocId): () => void;
}

export interface MemberCommandOptions {
  readonly timeoutMs?: number;
}
export interface ListMembersOptions extends MemberCommandOptions {
  /** The `next` of the previous page; none for the first page. */
  readonly cursor?: string | null;
}

/** An owner command the relay refused, or that could not be sent or answered. */
export class MemberCommandError extends QuireError {
  readonly boundary = 'member-command';
  override readonly name = 'MemberCommandError';
}

/**
 * One page of the members the relay has seen in this space, the most recently joined first (the owner's
 * devices too). Member ids are the relay's (relayMemberId.ts): give them to revokeMember as listed.
 */
export async function listMembers(layer: AccessChannel, { cursor, ...options }: ListMembersOptions = {}): Promise<MemberPage> {
  const request = cursor ? { t: AccessMessageType.ListMembers, req: nextReq(), cursor } : { t: AccessMessageType.ListMembers, req: nextReq() };
  const reply = await command(layer, request, options);
  return { members: [...(reply.members ?? [])], next: reply.next ?? null };
}

/** Ends every session of one member (one device, its id as listed) now and refuses it from then on. */
export async function revokeMember(layer: AccessChannel, memberId: string, options: MemberCommandOptions = {}): Promise<void> {
  await command(layer, { t: AccessMessageType.RevokeMember, req: nextReq(), memberId }, options);
}

/** Ends every session that joined with this invite now, and refuses the invite from then on. */
export async function revokeInvite(layer: AccessChannel, inviteId: string, options: MemberCommandOptions = {}): Promise<void> {
  await command(layer, { t: AccessMessageType.RevokeInvite, req: nextReq(), inviteId }, options);
}

let counter = 0;
function nextReq(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `m${Date.now().toString(36)}-${counter}`;
}

type OkReply = Extract<AccessReply, { ok: true }>;

function command(layer: AccessChannel, request: AccessRequest, { timeoutMs = MEMBER_COMMAND_TIMEOUT_MS }: MemberCommandOptions): Promise<OkReply> {
  const state = layer.status().state;
  if (state === 'offline') return Promise.reject(new MemberCommandError(ErrorCode.Unreachable, 'The relay is unreachable; try again when this device is online'));
  return new Promise<OkReply>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      off();
      release();
      settle();
    };
    const release = layer.hold?.(SPACE_DOC_ID) ?? (() => {});
    const off = layer.onStateless((docId, payload) => {
      if (docId !== SPACE_DOC_ID) return;
      let reply: AccessReply | null;
      try {
        reply = parseAccessReply(payload);
      } catch (e) {
        if (!(e instanceof AccessMessageError)) throw e;
        return; // a reply this version cannot read cannot be matched to a request
      }
      if (reply?.req !== request.req) return;
      const r = reply;
      finish(() => (r.ok ? resolve(r) : reject(new MemberCommandError(r.code, r.message))));
    });
    const timer = setTimeout(() => finish(() => reject(new MemberCommandError(ErrorCode.Timeout, `The relay did not answer within ${Math.round(timeoutMs / 1000)} s; try again`))), timeoutMs);
    try {
      layer.sendStateless(SPACE_DOC_ID, encodeAccessRequest(request));
    } catch (e) {
      // Sending failed on the way out (no socket to write to): the relay was not reached, nothing local failed.
      const code = e instanceof QuireError ? e.code : ErrorCode.Unreachable;
      finish(() => reject(new MemberCommandError(code, `Could not reach the relay: ${e instanceof Error ? e.message : String(e)}`, { cause: e })));
    }
  });
}
