/**
 * Presence (Yjs awareness) entries are bound to the connection that owns them: a client may set, change and
 * remove only its own awareness client ids, never another person's caret.
 *
 * Hocuspocus 4.7 applies every awareness entry a connection sends to the document's awareness, whoever's
 * client id it names: a viewer could rename the owner's caret, or (through the removal entries that
 * relay/awarenessRemovalExtension.ts applies) delete it. Hocuspocus does note which connection ADDED which
 * client (to remove them when it closes) but never checks that bookkeeping on the way in.
 *
 * Ownership, per loaded document:
 * - a client id is owned by the first connection that sets it while no live connection owns it;
 * - it is released when that connection removes it (a null entry) or closes;
 * - an id that has a state here but no owner on this relay process came from another node (Redis fan-out):
 *   its owner is a connection over there, so no connection here may set or remove it until that node
 *   removes it (its owner left) or y-protocols' 30 s timeout drops it.
 *
 * An entry for an id someone else owns is DROPPED, silently; the rest of the message is applied. It is not
 * refused with `forbidden` (closing the session), because an honest client meets this case too:
 * - one relay socket per browser (decision 0012): on a leader handover the new leader tab sends, in one
 *   message, its own client and every follower tab's client, while the old leader's connection, which owns
 *   the followers' ids, may still be closing;
 * - a device that reconnects after a network drop sends its own id while the relay still holds the dead
 *   connection (until the socket errors or the idle timeout closes it).
 * Refusing would close the new leader's (or the reconnected device's) session for doing nothing wrong. Dropped,
 * the entries wait: once the old connection closes, Hocuspocus removes its clients, and the new owner's next
 * update for them (the next caret move, at the latest y-protocols' 15 s renewal) sets them again. A forger
 * gains nothing either way: its entries never reach the document's awareness or anyone else.
 *
 * One connection owns at most MAX_PRESENCE_IDS_PER_CONNECTION ids per document; entries for more new ids
 * are dropped the same way.
 *
 * What this does not bind: the content of a client's own state (its display name is self-asserted, as in
 * any Yjs awareness); the carets' names are a courtesy, not an identity.
 */
import type { Connection, Document, Extension, beforeHandleAwarenessPayload, beforeHandleMessagePayload, connectedPayload } from '@hocuspocus/server';
import { awarenessEntriesOf } from './awarenessEntries.ts';

/**
 * Bounds the awareness client ids one connection may own on one document. An honest connection owns one
 * per editor showing that page through it: its own tab's, plus each follower tab's when it is the browser's
 * relay leader (decision 0012). 32 tabs with one page open is far beyond a person's use; without a bound a
 * member could fill every other client's caret list (and the relay's memory) with invented carets.
 */
export const MAX_PRESENCE_IDS_PER_CONNECTION = 32;

/** Who owns which awareness client ids, per loaded document (documents and connections are weak keys). */
export class PresenceOwnership {
  private readonly owners = new WeakMap<Document, Map<number, Connection>>();
  /** The client ids each connection's awareness message in flight names, per document name. */
  private readonly named = new WeakMap<Connection, Map<string, Set<number>>>();

  /** Notes the client ids of the awareness message `connection` sent for `documentName`, before Hocuspocus handles it. */
  expect(connection: Connection, documentName: string, clientIds: Iterable<number>): void {
    let byDoc = this.named.get(connection);
    if (!byDoc) this.named.set(connection, (byDoc = new Map<string, Set<number>>()));
    byDoc.set(documentName, new Set(clientIds));
  }

  /** The ids noted for that message (and forgets them); empty when none were. */
  takeExpected(connection: Connection, documentName: string): Set<number> {
    const byDoc = this.named.get(connection);
    const ids = byDoc?.get(documentName) ?? new Set<number>();
    byDoc?.delete(documentName);
    return ids;
  }

  private ownersOf(document: Document): Map<number, Connection> {
    let owners = this.owners.get(document);
    if (!owners) this.owners.set(document, (owners = new Map<number, Connection>()));
    return owners;
  }

  /**
   * May `connection` set or remove `clientId` on `document`? Yes if it owns it, or if nobody does: no live
   * connection here owns it and no other node's client has a state under it.
   */
  mayWrite(document: Document, connection: Connection, clientId: number): boolean {
    const owner = this.owners.get(document)?.get(clientId);
    if (owner !== undefined && document.hasConnection(owner)) return owner === connection;
    return !document.awareness.getStates().has(clientId);
  }

  owns(document: Document, connection: Connection, clientId: number): boolean {
    return this.owners.get(document)?.get(clientId) === connection;
  }

  /** How many client ids `connection` owns on `document`. */
  ownedBy(document: Document, connection: Connection): number {
    let n = 0;
    for (const owner of this.owners.get(document)?.values() ?? []) if (owner === connection) n++;
    return n;
  }

  /** `connection` set `clientId` (it may: `mayWrite` said so). */
  claim(document: Document, connection: Connection, clientId: number): void {
    this.ownersOf(document).set(clientId, connection);
  }

  /** `connection` removed `clientId`, or closed: the id is free again. */
  release(document: Document, connection: Connection, clientId: number): void {
    const owners = this.owners.get(document);
    if (owners?.get(clientId) === connection) owners.delete(clientId);
  }

  releaseAll(document: Document, connection: Connection): void {
    const owners = this.owners.get(document);
    if (!owners) return;
    for (const [clientId, owner] of owners) if (owner === connection) owners.delete(clientId);
  }
}

/**
 * Drops every awareness state entry for a client id the sending connection does not own, and records the
 * ids it may set as its own. (Removal entries never reach this hook, since Hocuspocus drops them before it;
 * the removal extension checks them against the same `ownership`.)
 */
export function presenceGuardExtension(ownership: PresenceOwnership): Extension {
  return {
    extensionName: 'quire-presence-guard',

    connected({ connection }: connectedPayload): Promise<void> {
      // Hocuspocus has already removed the closed connection's clients from the awareness by now.
      connection.onClose((document) => ownership.releaseAll(document, connection));
      return Promise.resolve();
    },

    beforeHandleMessage({ update, connection, documentName }: beforeHandleMessagePayload): Promise<void> {
      const entries = awarenessEntriesOf(update);
      if (entries) ownership.expect(connection, documentName, entries.filter((e) => !e.removed).map((e) => e.clientId));
      return Promise.resolve();
    },

    beforeHandleAwareness({ connection, document, states }: beforeHandleAwarenessPayload): Promise<void> {
      // No connection: the update came from another node through Redis, whose own guard checked it.
      if (!connection) return Promise.resolve();
      // Hocuspocus decodes into a scratch Awareness whose own local state ({} under a random client id) is
      // among `states` and would be broadcast as a phantom client on every message: only what was sent counts.
      const sent = ownership.takeExpected(connection, document.name);
      let owned = ownership.ownedBy(document, connection);
      for (const clientId of [...states.keys()]) {
        if (!sent.has(clientId)) {
          states.delete(clientId);
          continue;
        }
        const mine = ownership.mayWrite(document, connection, clientId);
        const isNew = mine && !ownership.owns(document, connection, clientId);
        if (mine && (!isNew || owned < MAX_PRESENCE_IDS_PER_CONNECTION)) {
          if (isNew) owned++;
          ownership.claim(document, connection, clientId);
        } else {
          states.delete(clientId); // another's, or one more invented caret past the bound
        }
      }
      return Promise.resolve();
    },
  };
}
