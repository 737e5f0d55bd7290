/**
 * A Yjs client of the relay as the browser will be one: one HocuspocusProviderWebsocket (one socket) with
 * a HocuspocusProvider per document multiplexed over it. Node 20 has no global WebSocket, so `ws` stands in.
 * Every document session authenticates with a relay token (src/protocol/inviteLink.ts): the client's
 * default, or one given to `open`. relay/testing/testSpace.ts makes real ones.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

export interface OpenDoc {
  readonly doc: Y.Doc;
  readonly provider: HocuspocusProvider;
  /** Close reasons the relay sent for this document's session. */
  readonly closeReasons: string[];
  /** Reasons the relay gave for refusing this document's authentication. */
  readonly denials: string[];
  /** Scopes the relay granted ('read-write' or 'readonly'), one per successful authentication. */
  readonly scopes: string[];
  /** Every raw frame the relay sent for this document. */
  readonly received: Uint8Array[];
  /** Every stateless message the relay sent for this document (stored acknowledgements among them). */
  readonly stateless: string[];
}

export interface RelayClient {
  readonly socket: HocuspocusProviderWebsocket;
  open(name: string, token?: string): OpenDoc;
  destroy(): void;
}

export function connectClient(url: string, token: string): RelayClient {
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket });
  const providers: HocuspocusProvider[] = [];
  const defaultToken = token;
  return {
    socket,
    open(name, token = defaultToken) {
      const doc = new Y.Doc();
      const closeReasons: string[] = [];
      const denials: string[] = [];
      const scopes: string[] = [];
      const received: Uint8Array[] = [];
      const stateless: string[] = [];
      const provider = new HocuspocusProvider({ websocketProvider: socket, name, document: doc, token });
      provider.on('close', ({ event }: { event: { reason: string } }) => closeReasons.push(event.reason));
      provider.on('authenticationFailed', ({ reason }: { reason: string }) => denials.push(reason));
      provider.on('authenticated', ({ scope }: { scope: string }) => scopes.push(scope));
      provider.on('message', ({ event }: { event: { data: ArrayBuffer } }) => received.push(new Uint8Array(event.data)));
      provider.on('stateless', ({ payload }: { payload: string }) => stateless.push(payload));
      // With a shared socket the provider does not manage it, and sends nothing until attached.
      provider.attach();
      providers.push(provider);
      return { doc, provider, closeReasons, denials, scopes, received, stateless };
    },
    destroy() {
      for (const p of providers) p.destroy();
      destroySocket(socket);
    },
  };
}

/**
 * Destroys a provider's socket, also while it is still connecting (a test that restarted the relay ends while
 * the client reconnects). `ws` reports closing a connecting socket as an 'error' event on the next tick, and
 * the provider's destroy() has removed its own listeners by then, so the error would be uncaught: the closing
 * is ours and expected, so it is absorbed here.
 */
export function destroySocket(socket: HocuspocusProviderWebsocket): void {
  const ws = socket.webSocket as WebSocket | null;
  if (ws && ws.readyState === WebSocket.CONNECTING) ws.on('error', () => undefined);
  socket.destroy();
}
