/**
 * The core's full update guard (src/core/guard/UpdateGuard.ts, decision 0005) on the relay: every content
 * update a client sends (SyncStep2, Update) is applied to a shadow copy of the document before Hocuspocus
 * applies it to the live one. An update that decodes but makes Yjs throw is refused with `invalid-update`
 * (closing that document's session only), so it is never applied, stored or broadcast.
 *
 * Why not the shape check alone (relay/updateGuardExtension.ts, which still runs first, before the limits):
 * y-protocols catches what `Y.applyUpdate` throws and only logs it, Hocuspocus then answers "applied", and
 * Yjs may already have integrated (and emitted, hence broadcast and stored) a prefix of the update. Why not a
 * fresh empty document as the shadow: on an empty document the structs of a corrupt edit wait for their
 * missing dependencies instead of integrating, so it throws for none of the updates that throw on the real
 * document (measurements: docs/decisions/0013-relay-full-update-guard.md).
 *
 * The shadow is made on a document's first content update (Y.encodeStateAsUpdate of the live document) and
 * kept equal by mirroring every live change; it goes with the document when Hocuspocus unloads it. It runs
 * LAST among the content checks (after access and limits), so that an update it let into the shadow is one
 * that Hocuspocus applies to the live document next: the shadow never holds what the live document refused.
 */
import type { Document, Extension, beforeSyncPayload, beforeUnloadDocumentPayload } from '@hocuspocus/server';
import { UpdateRejectedError } from '../src/core/errors.ts';
import { UpdateGuard } from '../src/core/guard/UpdateGuard.ts';
import { UpdateRefusal } from './UpdateRefusal.ts';

/** y-protocols sync message types that carry document content (SyncStep1 only carries a state vector). */
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

export function shadowGuardExtension(): Extension {
  const guards = new WeakMap<Document, UpdateGuard>();
  return {
    extensionName: 'quire-shadow-guard',

    beforeSync({ type, payload, document, documentName, connection }: beforeSyncPayload): Promise<void> {
      if (type !== SYNC_STEP_2 && type !== SYNC_UPDATE) return Promise.resolve();
      // Hocuspocus does not apply a read-only connection's updates: nothing to check (auth refuses a viewer's writes).
      if (connection.readOnly) return Promise.resolve();
      let guard = guards.get(document);
      if (!guard) guards.set(document, (guard = new UpdateGuard(document)));
      try {
        guard.check(payload, { source: 'relay-client', docId: documentName });
      } catch (e) {
        if (e instanceof UpdateRejectedError) return Promise.reject(new UpdateRefusal(e));
        throw e;
      }
      return Promise.resolve();
    },

    beforeUnloadDocument({ document }: beforeUnloadDocumentPayload): Promise<void> {
      guards.get(document)?.destroy();
      guards.delete(document);
      return Promise.resolve();
    },
  };
}
