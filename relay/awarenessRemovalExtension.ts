/**
 * Carries "this client left" through the relay at once.
 *
 * Hocuspocus 4.7 decodes every inbound awareness update into a scratch Awareness and re-encodes only the
 * clients that scratch still HAS a state for (MessageReceiver, MessageType.Awareness): a removal (a client
 * entry whose state is `null`) is dropped, so other devices keep a closed caret until y-protocols' 30 s
 * timeout. A socket that closes is fine (Hocuspocus removes that connection's clients itself); a client
 * that leaves while the session stays open (an editor closed in a tab whose relay session lives on, or a
 * follower tab's caret the leader tab forwards) is not.
 *
 * So before Hocuspocus handles an awareness message, this extension applies its removal entries itself to
 * the document's awareness, with the connection as origin (Hocuspocus's bookkeeping of which connection owns
 * which clients then sees them go, and broadcasts the removal). Everything else in the message is left to
 * Hocuspocus. It runs after the access and limits extensions: a refused message never gets here. Only the
 * sender's own clients are removed (relay/presenceGuardExtension.ts says which those are).
 *
 * The frame format is read by relay/awarenessEntries.ts.
 */
import type { Extension, beforeHandleMessagePayload } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import { applyAwarenessUpdate } from 'y-protocols/awareness';
import { awarenessEntriesOf, type AwarenessRemoval } from './awarenessEntries.ts';
import type { PresenceOwnership } from './presenceGuardExtension.ts';

/** The removal entries of an awareness frame; empty when it has none or is not an awareness frame. */
export function removalsOf(frame: Uint8Array): AwarenessRemoval[] {
  return (awarenessEntriesOf(frame) ?? []).filter((e) => e.removed).map(({ clientId, clock }) => ({ clientId, clock }));
}

/** The removals as an awareness update of their own. */
export function encodeRemovals(removals: readonly AwarenessRemoval[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, removals.length);
  for (const { clientId, clock } of removals) {
    encoding.writeVarUint(e, clientId);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, 'null');
  }
  return encoding.toUint8Array(e);
}

/**
 * Applies a message's removal entries for the clients the sender owns (relay/presenceGuardExtension.ts);
 * a removal of anyone else's client is dropped, like any entry for a client the sender does not own.
 */
export function awarenessRemovalExtension(ownership: PresenceOwnership): Extension {
  return {
    extensionName: 'quire-awareness-removal',
    beforeHandleMessage({ update, document, connection }: beforeHandleMessagePayload): Promise<void> {
      const own = removalsOf(update).filter((r) => ownership.mayWrite(document, connection, r.clientId));
      if (own.length === 0) return Promise.resolve();
      applyAwarenessUpdate(document.awareness, encodeRemovals(own), { source: 'connection', connection });
      for (const r of own) ownership.release(document, connection, r.clientId);
      return Promise.resolve();
    },
  };
}
