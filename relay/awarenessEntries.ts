/**
 * Reading the entries of an awareness frame, for the relay's presence extensions (presence ownership and
 * removals) without a decode into a scratch Awareness.
 *
 * Frame: varString document name, varUint message type (1 = awareness), varUint8Array awareness update.
 * Awareness update format (y-protocols): varUint count, then per client varUint clientID, varUint clock,
 * varString JSON state ("null" for a removal).
 */
import * as decoding from 'lib0/decoding';

/** Hocuspocus's outer message type for awareness (MessageType.Awareness in @hocuspocus/common). */
const AWARENESS_MESSAGE = 1;

/** One removal entry of an awareness update: the client that left and its clock. */
export interface AwarenessRemoval {
  readonly clientId: number;
  readonly clock: number;
}

/** One entry of an awareness update: a client, its clock, and whether it is a removal (state "null"). */
export interface AwarenessEntry extends AwarenessRemoval {
  readonly removed: boolean;
}

/** The entries of an awareness frame, in order; null when it is not an awareness frame or is malformed. */
export function awarenessEntriesOf(frame: Uint8Array): AwarenessEntry[] | null {
  try {
    const d = decoding.createDecoder(frame);
    decoding.readVarString(d);
    if (decoding.readVarUint(d) !== AWARENESS_MESSAGE) return null;
    const update = decoding.createDecoder(decoding.readVarUint8Array(d));
    const entries: AwarenessEntry[] = [];
    for (let n = decoding.readVarUint(update); n > 0; n--) {
      const clientId = decoding.readVarUint(update);
      const clock = decoding.readVarUint(update);
      entries.push({ clientId, clock, removed: decoding.readVarString(update) === 'null' });
    }
    return entries;
  } catch {
    return null; // malformed: Hocuspocus's own decode refuses it
  }
}
