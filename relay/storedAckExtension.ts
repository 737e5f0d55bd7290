import type { Document, Extension, Hocuspocus, afterLoadDocumentPayload, afterStoreDocumentPayload, connectedPayload, onConfigurePayload, onStatelessPayload, onStoreDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { encodeStoredAck } from '../src/protocol/storedAck.ts';
import { encodeChangesAnswer, parseChangesQuery } from '../src/protocol/changeQuery.ts';
import { isStoreNow, STORE_NOW_MIN_INTERVAL_MS } from '../src/protocol/storeNow.ts';
import { PersistenceError } from '../src/core/errors.ts';
import type { ChangeIndex } from './stores.ts';

/** Relay document names are `<spaceId>/<docId>` (stores.ts). */
function splitName(name: string): { spaceId: string; docId: string } | null {
  const i = name.indexOf('/');
  return i > 0 && i < name.length - 1 ? { spaceId: name.slice(0, i), docId: name.slice(i + 1) } : null;
}

/**
 * Tells every connection of a document what the relay stored, after it stored it (wire format in
 * src/protocol/storedAck.ts), and each new connection what was last stored. Records each store in the
 * change index (when given) BEFORE the acknowledgement goes out, so a client that saw an acknowledgement
 * finds the document in "changes since" (wire format in src/protocol/changeQuery.ts, answered here).
 * Runs a document's pending store at once when a client asks (src/protocol/storeNow.ts).
 *
 * Must come BEFORE the storage extension in the list: its onStoreDocument takes the snapshot in the same
 * task as the storage extension then encodes the document (no message can be applied in between: hooks
 * are chained by promises, messages arrive as separate tasks), so the acknowledgement never claims an
 * update that arrived while the store ran.
 */
export function storedAckExtension(options: { changes?: ChangeIndex } = {}): Extension {
  const pending = new WeakMap<Document, Uint8Array>();
  /** What was last stored (or loaded from storage) of each loaded document. */
  const stored = new WeakMap<Document, Uint8Array>();
  /** When each loaded document was last stored on request (store-now's rate bound). */
  const storedOnRequest = new WeakMap<Document, number>();
  let instance: Hocuspocus | null = null;
  return {
    extensionName: 'quire-stored-ack',
    onConfigure(payload: onConfigurePayload): Promise<void> {
      instance = payload.instance;
      return Promise.resolve();
    },
    afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
      // Nothing is applied before the load completes: what is in memory now is what storage holds.
      stored.set(document, Y.encodeSnapshot(Y.snapshot(document)));
      // Hocuspocus queues the load's own update for broadcast (flushDelay batching) and sends it, a copy
      // of the whole document, to the first connections once they attach. Flushing now, with no connection
      // yet, drops it: each client gets what it lacks through its SyncStep1 instead (measured: a 1,000-page
      // space document sent 238 KB to the first device after every relay restart).
      document.flush();
      return Promise.resolve();
    },
    connected({ connection }: connectedPayload): Promise<void> {
      const last = stored.get(connection.document);
      if (last) connection.sendStateless(encodeStoredAck(last));
      return Promise.resolve();
    },
    onStoreDocument({ document }: onStoreDocumentPayload): Promise<void> {
      pending.set(document, Y.encodeSnapshot(Y.snapshot(document)));
      return Promise.resolve();
    },
    async afterStoreDocument({ document, documentName }: afterStoreDocumentPayload): Promise<void> {
      const snapshot = pending.get(document);
      pending.delete(document);
      if (!snapshot) return;
      const name = splitName(documentName);
      if (options.changes && name) await options.changes.recordStored(name.spaceId, name.docId);
      stored.set(document, snapshot);
      document.broadcastStateless(encodeStoredAck(snapshot));
    },
    async onStateless({ connection, document, documentName, payload }: onStatelessPayload): Promise<void> {
      if (isStoreNow(payload)) {
        const id = `onStoreDocument-${documentName}`;
        const last = storedOnRequest.get(document) ?? -Infinity;
        if (connection.readOnly || !instance?.debouncer.isDebounced(id) || Date.now() - last < STORE_NOW_MIN_INTERVAL_MS) return;
        storedOnRequest.set(document, Date.now());
        await instance.debouncer.executeNow(id);
        return;
      }
      if (!options.changes) return;
      let query;
      try {
        query = parseChangesQuery(payload);
      } catch (e) {
        if (e instanceof PersistenceError) return; // a malformed query gets no answer; the client times out
        throw e;
      }
      const name = splitName(documentName);
      if (!query || !name) return;
      const { seq, docIds } = await options.changes.changesSince(name.spaceId, query.since);
      connection.sendStateless(encodeChangesAnswer({ id: query.id, seq, docs: docIds }));
    },
  };
}
