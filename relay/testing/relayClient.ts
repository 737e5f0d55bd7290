/**
 * A Yjs client of the relay as the browser will be one: one HocuspocusProviderWebsocket (one socket) with
 * a HocuspocusProvider per document multiplexed over it. Node 20 has no global WebSocket, so `ws` stands in.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface OpenDoc {
  readonly doc: Y.Doc;
  readonly provider: HocuspocusProvider;
  /** Close reasons the relay sent for this document's session. */
  readonly closeReasons: string[];
  /** Every raw frame the relay sent for this document. */
  readonly received: Uint8Array[];
  /** Every stateless message the relay sent for this document (stored acknowledgements among them). */
  readonly stateless: string[];
}

export interface RelayClient {
  readonly socket: HocuspocusProviderWebsocket;
  open(name: string): OpenDoc;
  destroy(): void;
}

export function connectClient(url: string): RelayClient {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket });
  const providers: HocuspocusProvider[] = [];
  return {
    socket,
    open(name) {
      const doc = new Y.Doc();
      const closeReasons: string[] = [];
      const received: Uint8Array[] = [];
      const stateless: string[] = [];
      const provider = new HocuspocusProvider({ websocketProvider: socket, name, document: doc, token: 'test' });
      provider.on('close', ({ event }: { event: { reason: string } }) => closeReasons.push(event.reason));
      provider.on('message', ({ event }: { event: { data: ArrayBuffer } }) => received.push(new Uint8Array(event.data)));
      provider.on('stateless', ({ payload }: { payload: string }) => stateless.push(payload));
      // With a shared socket the provider does not manage it, and sends nothing until attached.
      provider.attach();
      providers.push(provider);
      return { doc, provider, closeReasons, received, stateless };
    },
    destroy() {
      for (const p of providers) p.destroy();
      socket.destroy();
    },
  };
}
