/**
 * "The relay stored it": the acknowledgement a relay sends after it stored a document, version 2.
 *
 * Hocuspocus's own sync status only says the relay APPLIED an update in memory; it stores later (after
 * a debounce). So after each store the relay broadcasts, as a Hocuspocus stateless message to every
 * connection of that document, a JSON string; and it sends the same message to each new connection of a
 * loaded document, describing what was last stored (so a save of bytes the relay already stored resolves
 * without waiting for a store that will never come):
 *
 *   { "t": "quire:stored", "v": 2, "snapshot": "<base64 of Y.encodeSnapshot(Y.snapshot(document))>" }
 *
 * Version 1 carried only the state vector, which cannot see deletions (a delete-only update advances no
 * clock), so a deletion could be called stored before it was. A snapshot is the state vector plus the
 * delete set; a client calls an update stored once `Y.snapshotContainsUpdate(snapshot, update)` holds
 * (`ackCovers`). The snapshot is taken in the same task as the store encodes the document, so it never
 * claims more than was written.
 *
 * Field rules: `snapshot` decodes as a Yjs snapshot of at most MAX_ACK_SNAPSHOT_BYTES. Anything else is
 * refused with a typed PersistenceError ('invalid-update', or 'version-too-new' for a later version); unknown
 * fields are ignored. Stateless messages of other kinds (no "t": "quire:stored") are not acknowledgements:
 * null.
 */
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../core/errors.ts';

export const STORED_ACK_TYPE = 'quire:stored';
export const STORED_ACK_VERSION = 2;
/**
 * Bounds the snapshot in one acknowledgement: 4 MiB. A state vector is a few bytes per writer; a delete
 * set is run-length encoded (a few bytes per deleted range), so even a long-edited page stays far below.
 */
export const MAX_ACK_SNAPSHOT_BYTES = 4 * 1024 * 1024;

export function encodeStoredAck(snapshot: Uint8Array): string {
  return JSON.stringify({ t: STORED_ACK_TYPE, v: STORED_ACK_VERSION, snapshot: toBase64(snapshot) });
}

function refuse(why: string, code: ErrorCode = ErrorCode.InvalidUpdate, cause?: unknown): PersistenceError {
  return new PersistenceError(code, `Rejected stored acknowledgement: ${why}`, { layer: 'relay', cause });
}

/** The stored snapshot of an acknowledgement, null for another kind of stateless message. */
export function parseStoredAck(payload: string): Y.Snapshot | null {
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return null; // not ours: Quire's acknowledgements are always JSON
  }
  if (typeof message !== 'object' || message === null || (message as { t?: unknown }).t !== STORED_ACK_TYPE) return null;
  const { v, snapshot } = message as { v?: unknown; snapshot?: unknown };
  if (v !== STORED_ACK_VERSION) {
    throw typeof v === 'number' && v > STORED_ACK_VERSION ? refuse(`version ${v} is newer than ${STORED_ACK_VERSION}`, ErrorCode.VersionTooNew) : refuse(`v must be ${STORED_ACK_VERSION}`);
  }
  if (typeof snapshot !== 'string' || snapshot.length > (MAX_ACK_SNAPSHOT_BYTES * 4) / 3 + 4) throw refuse('snapshot must be a base64 string within the size bound');
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(snapshot);
  } catch (cause) {
    throw refuse('snapshot is not base64', ErrorCode.InvalidUpdate, cause);
  }
  let decoded: Y.Snapshot;
  try {
    decoded = Y.decodeSnapshot(bytes);
  } catch (cause) {
    throw refuse('snapshot is not a Yjs snapshot', ErrorCode.InvalidUpdate, cause);
  }
  // decodeSnapshot reads past garbage leniently: a real snapshot re-encodes to the same bytes.
  const again = Y.encodeSnapshot(decoded);
  if (again.byteLength !== bytes.byteLength || again.some((b, i) => b !== bytes[i])) throw refuse('snapshot is not a Yjs snapshot');
  return decoded;
}

/**
 * Whether everything `update` carries (insertions and deletions) is within the stored snapshot. Bytes
 * that do not decode as an update are never covered (the relay refuses them; that refusal is the answer).
 */
export function ackCovers(stored: Y.Snapshot, update: Uint8Array): boolean {
  try {
    return Y.snapshotContainsUpdate(stored, update);
  } catch {
    return false;
  }
}

/** Whether everything `doc` holds now is within the stored snapshot. */
export function ackCoversDoc(stored: Y.Snapshot, doc: Y.Doc): boolean {
  return ackCovers(stored, Y.encodeStateAsUpdate(doc));
}
