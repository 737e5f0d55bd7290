/**
 * The wire format between the tabs that share one relay connection (RelayLeadership), version 1.
 *
 * Transport: one BroadcastChannel per relay URL, named like the leader lock (`quire:relay-leader:<url>`);
 * structured-cloned plain objects. Every message carries v: 1, tab (the sender's tab id, whose lifetime
 * lock `quire:tab:<tab>` it holds) and kind:
 *   'hello'   a tab started leading, or started following: everyone re-announces (the leader its status
 *             per space, followers their open pages), so a new leader learns what to hold at once.
 *   'pages'   spaceId, seq, pageIds: the follower's open pages of that space, the whole set (idempotent);
 *             seq numbers the follower's announcements. The leader holds them open so its relay layer
 *             follows them; an empty set releases them.
 *   'status'  spaceId, status, answers?: the leader's relay status of that space (the followers' "Sync
 *             status"). `answers` {tab, seq}: sent once the pages of that announcement are open and
 *             followed, so the status covers them (until then the announcing follower does not show "Synced").
 *   'bye'     the follower closes cleanly: the leader releases what it held for it at once (a crashed
 *             follower is noticed through its tab lock instead).
 *   'awareness' spaceId, pageId, fromLeader, update (a y-protocols awareness update, bytes): presence,
 *             never stored. From a follower (fromLeader false): its own client's state on that page; the leader applies it to the page's
 *             presence hub (PresenceHub), which its relay layer sends to the other devices. From the
 *             leader (fromLeader true; followers ignore the others' own states): other devices' states of that page, which followers showing the page apply. A
 *             follower re-sends its state on the leader's 'hello' (a new leader knows nothing of it).
 *   'request' id, spaceId, command: an owner command a follower asks the leader to run with its relay
 *             layer (command.op 'list-members' cursor? | 'revoke-member' memberId | 'revoke-invite' inviteId).
 *   'reply'   id, to (the asking tab), result: {ok: true, members?, next?} or {ok: false, code, message}. A
 *             follower that hears no reply in time fails the command with 'timeout' (LeaderRequests).
 *   'stop'    spaceId: "Stop syncing" was pressed in a follower (which already saved the stopped
 *             settings): the leader detaches its relay layer from that space.
 * Every received message is untrusted: `parseRelayLeaderMessage` checks shape, types and sizes and throws
 * a typed PersistenceError otherwise; nothing is acted on before that.
 */
import { ErrorCode, isErrorCode, PersistenceError } from '../../../core/errors.ts';
import type { MemberInfo } from '../../../protocol/accessMessages.ts';
import type { RelaySyncState, RelaySyncStatus } from '../RelaySyncStatus.ts';
import { SyncStopReason } from '../../../protocol/closeReason.ts';

export const RELAY_LEADER_PROTOCOL_VERSION = 1;
/** Bounds one 'pages' message: more pages than this open in one tab is not a person reading. */
export const MAX_ANNOUNCED_PAGES = 1_000;
const MAX_ID = 256;
/**
 * Bounds one 'awareness' message: 256 KiB. A caret state (name, colour, selection) is about 200 bytes, and
 * the leader's full state of a page for a follower that just arrived carries every other device's: this
 * admits about a thousand people on one page.
 */
export const MAX_AWARENESS_BYTES = 256 * 1024;
/** Bounds a 'reply' listing members: more devices than this in one space is not a team. */
export const MAX_LISTED_MEMBERS = 10_000;
/** Bounds an error message carried by a 'reply' (it is shown to the owner). */
const MAX_MESSAGE = 2_000;
const MEMBER_ROLES = new Set<unknown>(['owner', 'editor', 'viewer']);
const STATES: readonly RelaySyncState[] = ['connecting', 'syncing', 'synced', 'offline', 'stopped'];
const REASONS = new Set<string>(Object.values(SyncStopReason));

interface Base {
  readonly v: typeof RELAY_LEADER_PROTOCOL_VERSION;
  readonly tab: string;
}
export interface HelloMessage extends Base {
  readonly kind: 'hello';
}
export interface PagesMessage extends Base {
  readonly kind: 'pages';
  readonly spaceId: string;
  readonly seq: number;
  readonly pageIds: readonly string[];
}
export interface StatusMessage extends Base {
  readonly kind: 'status';
  readonly spaceId: string;
  readonly status: RelaySyncStatus;
  readonly answers?: { readonly tab: string; readonly seq: number };
}
export interface ByeMessage extends Base {
  readonly kind: 'bye';
}
export interface AwarenessMessage extends Base {
  readonly kind: 'awareness';
  readonly spaceId: string;
  readonly pageId: string;
  readonly fromLeader: boolean;
  readonly update: Uint8Array;
}
/** An owner command run by the leader (memberCommands.ts) on a follower's behalf. */
export type OwnerCommand = { readonly op: 'list-members'; readonly cursor?: string } | { readonly op: 'revoke-member'; readonly memberId: string } | { readonly op: 'revoke-invite'; readonly inviteId: string };
export type OwnerCommandResult = { readonly ok: true; readonly members?: readonly MemberInfo[]; readonly next?: string } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };
export interface RequestMessage extends Base {
  readonly kind: 'request';
  readonly id: string;
  readonly spaceId: string;
  readonly command: OwnerCommand;
}
export interface ReplyMessage extends Base {
  readonly kind: 'reply';
  readonly id: string;
  readonly to: string;
  readonly result: OwnerCommandResult;
}
export interface StopMessage extends Base {
  readonly kind: 'stop';
  readonly spaceId: string;
}
export type RelayLeaderMessage = HelloMessage | PagesMessage | StatusMessage | ByeMessage | AwarenessMessage | RequestMessage | ReplyMessage | StopMessage;

/** Validates a received message. Throws PersistenceError 'invalid-update' (or 'version-too-new'). */
export function parseRelayLeaderMessage(data: unknown): RelayLeaderMessage {
  const bad = (why: string) => new PersistenceError(ErrorCode.InvalidUpdate, `relay leader channel: refused a message: ${why}`, { layer: 'relay-leader' });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('not an object');
  const m = data as Record<string, unknown>;
  if (m.v !== RELAY_LEADER_PROTOCOL_VERSION) {
    if (typeof m.v === 'number' && Number.isInteger(m.v) && m.v > RELAY_LEADER_PROTOCOL_VERSION) {
      throw new PersistenceError(ErrorCode.VersionTooNew, `another tab speaks version ${m.v} of the relay leader protocol; reload this tab`, { layer: 'relay-leader' });
    }
    throw bad('unknown version');
  }
  if (!isId(m.tab)) throw bad('no valid tab id');
  const base = { v: RELAY_LEADER_PROTOCOL_VERSION, tab: m.tab } as const;
  switch (m.kind) {
    case 'hello':
    case 'bye':
      return { ...base, kind: m.kind };
    case 'pages':
      if (!isId(m.spaceId)) throw bad('pages without a valid spaceId');
      if (!isSeq(m.seq)) throw bad('pages without a valid seq');
      if (!Array.isArray(m.pageIds) || m.pageIds.length > MAX_ANNOUNCED_PAGES || !m.pageIds.every(isId)) throw bad('pages without a valid list of page ids');
      return { ...base, kind: 'pages', spaceId: m.spaceId, seq: m.seq, pageIds: m.pageIds };
    case 'status': {
      if (!isId(m.spaceId)) throw bad('status without a valid spaceId');
      const status = parseStatus(m.status);
      if (!status) throw bad('status without a valid relay status');
      if (m.answers === undefined) return { ...base, kind: 'status', spaceId: m.spaceId, status };
      const answers = m.answers as Record<string, unknown> | null;
      if (typeof answers !== 'object' || answers === null || !isId(answers.tab) || !isSeq(answers.seq)) throw bad('status with a malformed answers');
      return { ...base, kind: 'status', spaceId: m.spaceId, status, answers: { tab: answers.tab, seq: answers.seq } };
    }
    case 'awareness':
      if (!isId(m.spaceId) || !isId(m.pageId)) throw bad('awareness without a valid spaceId and pageId');
      if (typeof m.fromLeader !== 'boolean') throw bad('awareness without fromLeader');
      if (!(m.update instanceof Uint8Array) || m.update.byteLength === 0 || m.update.byteLength > MAX_AWARENESS_BYTES) throw bad('awareness without a valid update');
      return { ...base, kind: 'awareness', spaceId: m.spaceId, pageId: m.pageId, fromLeader: m.fromLeader, update: m.update };
    case 'request': {
      if (!isId(m.id) || !isId(m.spaceId)) throw bad('request without a valid id and spaceId');
      const command = parseCommand(m.command);
      if (!command) throw bad('request without a valid command');
      return { ...base, kind: 'request', id: m.id, spaceId: m.spaceId, command };
    }
    case 'reply': {
      if (!isId(m.id) || !isId(m.to)) throw bad('reply without a valid id and recipient');
      const result = parseResult(m.result);
      if (!result) throw bad('reply without a valid result');
      return { ...base, kind: 'reply', id: m.id, to: m.to, result };
    }
    case 'stop':
      if (!isId(m.spaceId)) throw bad('stop without a valid spaceId');
      return { ...base, kind: 'stop', spaceId: m.spaceId };
    default:
      throw bad('unknown kind');
  }
}

function parseCommand(x: unknown): OwnerCommand | null {
  if (typeof x !== 'object' || x === null) return null;
  const c = x as Record<string, unknown>;
  if (c.op === 'list-members') return c.cursor === undefined ? { op: 'list-members' } : isId(c.cursor) ? { op: 'list-members', cursor: c.cursor } : null;
  if (c.op === 'revoke-member' && isId(c.memberId)) return { op: 'revoke-member', memberId: c.memberId };
  if (c.op === 'revoke-invite' && isId(c.inviteId)) return { op: 'revoke-invite', inviteId: c.inviteId };
  return null;
}

function parseResult(x: unknown): OwnerCommandResult | null {
  if (typeof x !== 'object' || x === null) return null;
  const r = x as Record<string, unknown>;
  if (r.ok === false) return isErrorCode(r.code) && typeof r.message === 'string' && r.message.length <= MAX_MESSAGE ? { ok: false, code: r.code, message: r.message } : null;
  if (r.ok !== true) return null;
  if (r.members === undefined) return { ok: true };
  if (!Array.isArray(r.members) || r.members.length > MAX_LISTED_MEMBERS) return null;
  const members: MemberInfo[] = [];
  for (const value of r.members as unknown[]) {
    const member = parseMember(value);
    if (!member) return null;
    members.push(member);
  }
  if (r.next === undefined) return { ok: true, members };
  return isId(r.next) ? { ok: true, members, next: r.next } : null;
}

function parseMember(x: unknown): MemberInfo | null {
  if (typeof x !== 'object' || x === null) return null;
  const { memberId, inviteId, role, name, firstSeenAt, lastSeenAt } = x as Record<string, unknown>;
  if (!isId(memberId) || typeof inviteId !== 'string' || inviteId.length > MAX_ID || !MEMBER_ROLES.has(role) || typeof name !== 'string' || name.length > MAX_MESSAGE) return null;
  if (typeof firstSeenAt !== 'number' || typeof lastSeenAt !== 'number') return null;
  return { memberId, inviteId, role: role as MemberInfo['role'], name, firstSeenAt, lastSeenAt };
}

function parseStatus(x: unknown): RelaySyncStatus | null {
  if (typeof x !== 'object' || x === null) return null;
  const s = x as Record<string, unknown>;
  if (!STATES.includes(s.state as RelaySyncState)) return null;
  if (typeof s.unstored !== 'number' || !Number.isSafeInteger(s.unstored) || s.unstored < 0) return null;
  if (s.reason !== null && !(typeof s.reason === 'string' && REASONS.has(s.reason))) return null;
  if (s.lastSyncedAt !== null && !(typeof s.lastSyncedAt === 'number' && Number.isFinite(s.lastSyncedAt))) return null;
  if (s.role !== null && !(typeof s.role === 'string' && s.role.length <= MAX_ID)) return null;
  return { state: s.state as RelaySyncState, unstored: s.unstored, reason: s.reason as SyncStopReason | null, lastSyncedAt: s.lastSyncedAt, role: s.role };
}

function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_ID;
}
