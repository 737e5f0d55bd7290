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
 * Every received message is untrusted: `parseRelayLeaderMessage` checks shape, types and sizes and throws
 * a typed PersistenceError otherwise; nothing is acted on before that.
 */
import { ErrorCode, PersistenceError } from '../../../core/errors.ts';
import type { RelaySyncState, RelaySyncStatus } from '../RelayLayer.ts';
import { SyncStopReason } from '../closeReason.ts';

export const RELAY_LEADER_PROTOCOL_VERSION = 1;
/** Bounds one 'pages' message: more pages than this open in one tab is not a person reading. */
export const MAX_ANNOUNCED_PAGES = 1_000;
const MAX_ID = 256;
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
export type RelayLeaderMessage = HelloMessage | PagesMessage | StatusMessage | ByeMessage;

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
    default:
      throw bad('unknown kind');
  }
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
