/**
 * The wire format between the tabs of one browser (TabChannelLayer), version 1.
 *
 * Transport: one BroadcastChannel per space, named `quire:space:<spaceId>`; messages are structured-cloned
 * plain objects (no JSON), delivered in order per sender to every other tab of the origin on that channel.
 * Every message carries:
 *   v: 1                 format version; a message of another version is refused (code 'version-too-new')
 *   tab: string          sender's tab id (1..128 chars); the sender holds the Web Lock `quire:tab:<tab>`
 *   kind: one of the following, with its fields:
 *   'update'       docId, seq, update     a change of document docId (Yjs update bytes). seq is the sender's
 *                                          message number, increasing per tab (0: not tracked, never held)
 *   'acked'        docId, upToSeq         the sender's local store has acknowledged every update of docId
 *                                          it posted with seq <= upToSeq (receivers stop holding them)
 *   'sync-request' docId, stateVector     the sender opened docId (Yjs state vector of what it has): tabs
 *                                          with it open answer with a sync-reply
 *   'sync-reply'   docId, to, seq, update what the requester (tab `to`) lacks; seq is the sender's last
 *                  [, held]                posted seq for docId not yet acked (0: all of it is stored)
 *                                          held (optional, added within version 1): the edits of other
 *                                          tabs the sender holds for docId, as { tab, seq } (the author and
 *                                          the highest seq held from it): the requester holds the reply
 *                                          against each author too, so if the sender goes away and then an
 *                                          author dies before storing, the requester stores them
 * Field rules: docId 1..256 chars; seq and upToSeq non-negative safe integers; update a non-empty
 * Uint8Array of at most MAX_UPDATE_BYTES; stateVector a Uint8Array of at most MAX_STATE_VECTOR_BYTES;
 * held, when present, an array of at most MAX_HELD_AUTHORS entries, each a tab id and a positive seq.
 * Unknown extra fields are ignored (room for additions within version 1).
 *
 * Changes within version 1 (no version bump: a tab of the previous release ignores them):
 * - 'sync-reply' gained `held`. A tab of the previous release drops the unknown field (its parser keeps
 *   only the fields it knows), so it behaves as before and only misses the extra protection; a reply from
 *   such a tab has no `held`, read as none. Bumping the version would make old and new tabs of one
 *   browser refuse each other's every message (live edits and crash protection included) during an
 *   update, for a field that only adds to what a reply protects.
 *
 * Every received message is untrusted: `parseTabMessage` checks shape, types and sizes and throws a typed
 * PersistenceError otherwise; update bytes are additionally decode-checked by the layer and applied only
 * through the update guard.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { MAX_UPDATE_BYTES } from '../../core/guard/UpdateGuard.ts';

export const TAB_PROTOCOL_VERSION = 1;
/** Bounds a state vector: 16 bytes per client would already mean 65,536 writers of one page. */
export const MAX_STATE_VECTOR_BYTES = 1024 * 1024;
const MAX_TAB_ID = 128;
/** Bounds the `held` list of a sync-reply: one entry per author tab, so 1,024 tabs of one browser. */
export const MAX_HELD_AUTHORS = 1024;
const MAX_DOC_ID = 256;

interface Base {
  readonly v: typeof TAB_PROTOCOL_VERSION;
  readonly tab: string;
  readonly docId: string;
}
export interface UpdateMessage extends Base {
  readonly kind: 'update';
  readonly seq: number;
  readonly update: Uint8Array;
}
export interface AckedMessage extends Base {
  readonly kind: 'acked';
  readonly upToSeq: number;
}
export interface SyncRequestMessage extends Base {
  readonly kind: 'sync-request';
  readonly stateVector: Uint8Array;
}
/** An author tab whose edits a sync-reply carries unstored, and the highest seq held from it. */
export interface HeldAuthor {
  readonly tab: string;
  readonly seq: number;
}
export interface SyncReplyMessage extends Base {
  readonly kind: 'sync-reply';
  readonly to: string;
  readonly seq: number;
  readonly update: Uint8Array;
  /** Absent on the wire from a tab of the previous release: parsed as []. */
  readonly held: readonly HeldAuthor[];
}
export type TabMessage = UpdateMessage | AckedMessage | SyncRequestMessage | SyncReplyMessage;

/** The channel name of a space. */
export function spaceChannelName(spaceId: string): string {
  return `quire:space:${spaceId}`;
}

/** Validates a received message. Throws PersistenceError 'invalid-update' (or 'version-too-new'). */
export function parseTabMessage(data: unknown, source: string): TabMessage {
  const bad = (why: string) => new PersistenceError(ErrorCode.InvalidUpdate, `${source}: refused a message from another tab: ${why}`, { layer: source });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('not an object');
  const m = data as Record<string, unknown>;
  if (m.v !== TAB_PROTOCOL_VERSION) {
    if (typeof m.v === 'number' && Number.isInteger(m.v) && m.v > TAB_PROTOCOL_VERSION) {
      throw new PersistenceError(ErrorCode.VersionTooNew, `${source}: another tab speaks version ${m.v} of the tab protocol; reload this tab`, { layer: source });
    }
    throw bad('unknown version');
  }
  if (!isString(m.tab, MAX_TAB_ID)) throw bad('no valid tab id');
  if (!isString(m.docId, MAX_DOC_ID)) throw bad('no valid docId');
  const base = { v: TAB_PROTOCOL_VERSION, tab: m.tab, docId: m.docId } as const;
  switch (m.kind) {
    case 'update':
      if (!isSeq(m.seq)) throw bad('update without a valid seq');
      if (!isBytes(m.update, 1, MAX_UPDATE_BYTES)) throw bad('update bytes missing, empty or too large');
      return { ...base, kind: 'update', seq: m.seq, update: m.update };
    case 'acked':
      if (!isSeq(m.upToSeq)) throw bad('acked without a valid upToSeq');
      return { ...base, kind: 'acked', upToSeq: m.upToSeq };
    case 'sync-request':
      if (!isBytes(m.stateVector, 0, MAX_STATE_VECTOR_BYTES)) throw bad('sync-request without a valid state vector');
      return { ...base, kind: 'sync-request', stateVector: m.stateVector };
    case 'sync-reply':
      if (!isString(m.to, MAX_TAB_ID)) throw bad('sync-reply without a valid recipient');
      if (!isSeq(m.seq)) throw bad('sync-reply without a valid seq');
      if (!isBytes(m.update, 1, MAX_UPDATE_BYTES)) throw bad('sync-reply bytes missing, empty or too large');
      return { ...base, kind: 'sync-reply', to: m.to, seq: m.seq, update: m.update, held: parseHeld(m.held, bad) };
    default:
      throw bad('unknown kind');
  }
}

function parseHeld(x: unknown, bad: (why: string) => PersistenceError): HeldAuthor[] {
  if (x === undefined) return [];
  if (!Array.isArray(x) || x.length > MAX_HELD_AUTHORS) throw bad('sync-reply with an invalid held list');
  return x.map((h: unknown) => {
    const e = (typeof h === 'object' && h !== null ? h : {}) as Record<string, unknown>;
    if (!isString(e.tab, MAX_TAB_ID) || !isSeq(e.seq) || e.seq === 0) throw bad('sync-reply with an invalid held entry');
    return { tab: e.tab, seq: e.seq };
  });
}

function isString(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= max;
}

function isSeq(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

function isBytes(x: unknown, min: number, max: number): x is Uint8Array {
  return x instanceof Uint8Array && x.byteLength >= min && x.byteLength <= max;
}
