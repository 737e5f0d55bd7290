/**
 * A third-party client of the Quire relay built from a stock `@hocuspocus/provider` and nothing of Quire's:
 * the example `docs/relay.md` ("Connecting a stock Hocuspocus provider") shows, kept here so that a test
 * (relay/stockProvider.test.ts) runs it against the real relay process and the page cannot drift from the
 * relay. It imports only the provider, Yjs and `ws` (Node has no global WebSocket before 22).
 *
 * What a client must know, all of it wire format:
 * - Document names are `<spaceId>/<docId>` (`space` for the space document, a page id for a page).
 * - The token is a JSON string `{"v":1,"cap":"<capability>","member":"<id>","name":"<display name>"}`; the
 *   capability comes from an invite link (or the owner's device). The member id is any 1-64 base64url
 *   characters the client keeps per device and space; the relay derives the id it lists from it.
 * - "Stored" is a stateless message `{"t":"quire:stored","v":2,"snapshot":"<base64 Yjs snapshot>"}` the
 *   relay sends after each store and to each new session; an update is stored once the snapshot contains it.
 * - A refusal (at authentication, or a per-document close later) carries a reason `<code>` or
 *   `<code>: <detail>`. After a refusal the provider must be destroyed: a provider left running keeps
 *   sending frames for a session the relay no longer has, and the relay drops the whole socket after its
 *   unauthenticated-queue bound.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';

/** The relay's refusal codes (RelayCloseReason in src/protocol/accessMessages.ts). */
const REFUSALS = ['unauthorized', 'expired', 'revoked', 'forbidden', 'invalid-update', 'too-large', 'rate-limited', 'registration-closed', 'quota-exceeded', 'slow-reader'];

export interface StockClient {
  readonly doc: Y.Doc;
  readonly provider: HocuspocusProvider;
  /** One socket can carry many documents (a provider each); in a browser, `new HocuspocusProvider({ url, ... })` makes its own. */
  readonly socket: HocuspocusProviderWebsocket;
  /** The relay's refusal code, once it refused this document (the provider is then destroyed). */
  refusal(): string | null;
  /** Whether the relay has stored everything this client's document holds. */
  stored(): boolean;
}

export function connectStockProvider(options: { url: string; spaceId: string; docId: string; capability: string; memberId: string; name: string }): StockClient {
  const doc = new Y.Doc();
  let snapshot: Y.Snapshot | null = null;
  let refusal: string | null = null;
  const socket = new HocuspocusProviderWebsocket({ url: options.url, WebSocketPolyfill: WebSocket });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: `${options.spaceId}/${options.docId}`,
    document: doc,
    token: JSON.stringify({ v: 1, cap: options.capability, member: options.memberId, name: options.name }),
  });
  const refused = (reason: string) => {
    const code = reason.split(':', 1)[0]!.trim().toLowerCase();
    // 'provider_initiated' (our own close echoed) and a bare socket close are not refusals.
    if (!REFUSALS.includes(code) && code !== 'permission-denied') return;
    refusal = code === 'permission-denied' ? 'unauthorized' : code;
    provider.destroy();
  };
  provider.on('authenticationFailed', ({ reason }: { reason: string }) => refused(reason));
  provider.on('close', ({ event }: { event: { reason: string } }) => refused(event.reason ?? ''));
  provider.attach(); // a provider on a socket it was given sends nothing until attached
  provider.on('stateless', ({ payload }: { payload: string }) => {
    let message: { t?: unknown; v?: unknown; snapshot?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return; // not an acknowledgement
    }
    if (message.t !== 'quire:stored' || message.v !== 2 || typeof message.snapshot !== 'string') return;
    snapshot = Y.decodeSnapshot(Buffer.from(message.snapshot, 'base64'));
  });
  return {
    doc,
    provider,
    socket,
    refusal: () => refusal,
    stored: () => snapshot !== null && Y.snapshotContainsUpdate(snapshot, Y.encodeStateAsUpdate(doc)),
  };
}
