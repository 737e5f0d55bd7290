import type { Document, Extension, afterStoreDocumentPayload, onStoreDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { encodeStoredAck } from '../src/sync/relay/storedAck.ts';

/**
 * Tells every connection of a document what the relay stored, after it stored it (wire format in
 * src/sync/relay/storedAck.ts). Must come BEFORE the storage extension in the list: its onStoreDocument
 * takes the state vector in the same task as the storage extension then encodes the document (no message
 * can be applied in between: hooks are chained by promises, messages arrive as separate tasks), so the
 * acknowledgement never claims an update that arrived while the store ran.
 */
export function storedAckExtension(): Extension {
  const pending = new WeakMap<Document, Uint8Array>();
  return {
    extensionName: 'quire-stored-ack',
    onStoreDocument({ document }: onStoreDocumentPayload): Promise<void> {
      pending.set(document, Y.encodeStateVector(document));
      return Promise.resolve();
    },
    afterStoreDocument({ document }: afterStoreDocumentPayload): Promise<void> {
      const sv = pending.get(document);
      pending.delete(document);
      if (sv) document.broadcastStateless(encodeStoredAck(sv));
      return Promise.resolve();
    },
  };
}
