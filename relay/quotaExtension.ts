/**
 * The per-space storage quota: an update that would grow a space's stored documents past `maxSpaceBytes`
 * is refused with `quota-exceeded`, closing that document's session only (nothing of it is applied, stored
 * or broadcast; the space's other documents and other spaces carry on). Value and environment variable:
 * relay/limits.ts, docs/relay.md "Limits".
 *
 * What a space stores is read from the engine once, when the space is first written to (SpaceUsage in
 * relay/stores.ts: one range read over its document names), and then tallied in memory:
 * - `stored`: the engine's total at that read, corrected after every store of one of its documents by the
 *   difference between the document's encoded size now and at its previous store (or when first seen);
 * - `pending`: per document, an upper bound on what it grew since its last store (the bytes of every update
 *   accepted since), as relay/limitsExtension.ts bounds a document's size. Only when the bound says "over"
 *   is the document encoded to replace its bound by the exact growth, so the O(document) cost is paid near
 *   the quota only.
 * A space's tally is dropped when its last document is unloaded, so the next use reads the engine again.
 *
 * Several nodes: each tallies the stores and updates it sees; what other nodes add reaches this node's tally
 * at its next re-read (a space none of whose documents is open here) or, for documents open here, when
 * this node stores what Redis brought. A space can thus overshoot by what the other nodes accepted since.
 */
import type { Document, Extension, afterStoreDocumentPayload, afterUnloadDocumentPayload, beforeSyncPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { RelayCloseReason } from '../src/protocol/accessMessages.ts';
import { SessionRefusal } from './SessionRefusal.ts';
import { parseDocumentName } from './authExtension.ts';
import type { SpaceUsage } from './stores.ts';

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

interface DocumentTally {
  /** Its encoded size at its last store here (or when this node first saw it), counted in the space's `stored`. */
  stored: number;
  /** Upper bound on its growth since then. */
  pending: number;
}

interface SpaceTally {
  stored: number;
  /** Sum of its documents' `pending`. */
  pending: number;
  readonly docs: Map<string, DocumentTally>;
}

export interface QuotaOptions {
  readonly maxSpaceBytes: number;
  readonly usage: SpaceUsage;
}

const encodedSize = (document: Document) => Y.encodeStateAsUpdate(document).byteLength;

function contains(document: Document, update: Uint8Array): boolean {
  try {
    return Y.snapshotContainsUpdate(Y.snapshot(document), update);
  } catch {
    return false; // undecodable: the update guard refuses it; here it counts as growth
  }
}

export function quotaExtension({ maxSpaceBytes, usage }: QuotaOptions): Extension {
  const spaces = new Map<string, Promise<SpaceTally>>();

  function tallyOf(spaceId: string): Promise<SpaceTally> {
    let tally = spaces.get(spaceId);
    if (!tally) {
      const read = usage.spaceBytes(spaceId).then((stored): SpaceTally => ({ stored, pending: 0, docs: new Map() }));
      spaces.set(spaceId, read);
      // A failed read is not remembered: the next update asks the engine again.
      read.catch(() => spaces.get(spaceId) === read && spaces.delete(spaceId));
      tally = read;
    }
    return tally;
  }

  return {
    extensionName: 'quire-quota',

    async beforeSync({ type, payload, document }: beforeSyncPayload): Promise<void> {
      if (type !== SYNC_STEP_2 && type !== SYNC_UPDATE) return;
      const name = parseDocumentName(document.name);
      if (name === null) return;
      const space = await tallyOf(name.spaceId);
      // From here on synchronous: the check and the count of one update cannot interleave with another's.
      let doc = space.docs.get(document.name);
      if (!doc) space.docs.set(document.name, (doc = { stored: encodedSize(document), pending: 0 }));
      if (space.stored + space.pending + payload.byteLength > maxSpaceBytes) {
        const exact = Math.max(0, encodedSize(document) - doc.stored);
        space.pending += exact - doc.pending;
        doc.pending = exact;
        if (contains(document, payload)) return; // adds nothing: a re-sync, never refused
        if (space.stored + space.pending + payload.byteLength > maxSpaceBytes) {
          throw new SessionRefusal(RelayCloseReason.QuotaExceeded, `space over ${maxSpaceBytes} bytes`);
        }
      }
      doc.pending += payload.byteLength;
      space.pending += payload.byteLength;
    },

    async afterStoreDocument({ documentName, document }: afterStoreDocumentPayload): Promise<void> {
      const name = parseDocumentName(documentName);
      const tally = name && spaces.get(name.spaceId);
      if (!tally) return; // not measured yet: the first read includes this store
      const space = await tally.catch(() => null);
      if (!space) return;
      // Taken after the store: it may include updates that arrived meanwhile (counted as stored a little early).
      const size = encodedSize(document);
      const doc = space.docs.get(documentName);
      if (!doc) {
        // Stored before any update passed here (another node's, through Redis): assumed already in the read total.
        space.docs.set(documentName, { stored: size, pending: 0 });
        return;
      }
      space.stored += size - doc.stored;
      space.pending -= doc.pending;
      doc.stored = size;
      doc.pending = 0;
    },

    async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
      const name = parseDocumentName(documentName);
      const tally = name && spaces.get(name.spaceId);
      if (!name || !tally) return;
      const space = await tally.catch(() => null);
      const doc = space?.docs.get(documentName);
      if (!space || !doc) return;
      space.pending -= doc.pending;
      space.docs.delete(documentName);
      if (space.docs.size === 0 && spaces.get(name.spaceId) === tally) spaces.delete(name.spaceId);
    },
  };
}
