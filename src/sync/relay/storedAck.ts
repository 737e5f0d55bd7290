/**
 * "The relay stored it": the acknowledgement a relay sends after it stored a document, version 1.
 *
 * Hocuspocus's own sync status only says the relay APPLIED an update in memory; it stores later (after
 * a debounce). So after each store the relay broadcasts, as a Hocuspocus stateless message to every
 * connection of that document, a JSON string:
 *
 *   { "t": "quire:stored", "v": 1, "sv": "<base64 of the Yjs state vector of exactly what was stored>" }
 *
 * A client calls its own changes synced once `sv` covers its clock (`ackCovers`). The state vector is taken
 * in the same task as the store encodes the document, so it never claims more than was written. Field rules:
 * `sv` decodes as a Yjs state vector of at most MAX_ACK_STATE_VECTOR_BYTES. Anything else is refused with a
 * typed PersistenceError ('invalid-update', or 'version-too-new' for a later version); unknown fields are
 * ignored. Stateless messages of other kinds (no "t": "quire:stored") are not acknowledgements: null.
 */
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';

export const STORED_ACK_TYPE = 'quire:stored';
export const STORED_ACK_VERSION = 1;
/** Bounds the state vector in one acknowledgement (a 1 MiB vector would mean ~100,000 writers). */
export const MAX_ACK_STATE_VECTOR_BYTES = 1024 * 1024;

export function encodeStoredAck(stateVector: Uint8Array): string {
  return JSON.stringify({ t: STORED_ACK_TYPE, v: STORED_ACK_VERSION, sv: toBase64(stateVector) });
}

function refuse(why: string, code: ErrorCode = ErrorCode.InvalidUpdate): PersistenceError {
  return new PersistenceError(code, `Rejected stored acknowledgement: ${why}`, { layer: 'relay' });
}

/** The stored state vector of an acknowledgement, null for another kind of stateless message. */
export function parseStoredAck(payload: string): Map<number, number> | null {
  let message: unknown;
  try {
    message = JSON.parse(payload);
  } catch {
    return null; // not ours: Quire's acknowledgements are always JSON
  }
  if (typeof message !== 'object' || message === null || (message as { t?: unknown }).t !== STORED_ACK_TYPE) return null;
  const { v, sv } = message as { v?: unknown; sv?: unknown };
  if (v !== STORED_ACK_VERSION) {
    throw typeof v === 'number' && v > STORED_ACK_VERSION ? refuse(`version ${v} is newer than ${STORED_ACK_VERSION}`, ErrorCode.VersionTooNew) : refuse('v must be 1');
  }
  if (typeof sv !== 'string' || sv.length > (MAX_ACK_STATE_VECTOR_BYTES * 4) / 3 + 4) throw refuse('sv must be a base64 string within the size bound');
  try {
    return Y.decodeStateVector(fromBase64(sv));
  } catch (cause) {
    throw new PersistenceError(ErrorCode.InvalidUpdate, 'Rejected stored acknowledgement: sv is not a state vector', { layer: 'relay', cause });
  }
}

/** Whether everything `doc`'s own client wrote up to now is within the stored state vector. */
export function ackCovers(stored: Map<number, number>, doc: Y.Doc): boolean {
  const own = Y.getState(doc.store, doc.clientID);
  return own === 0 || (stored.get(doc.clientID) ?? 0) >= own;
}
