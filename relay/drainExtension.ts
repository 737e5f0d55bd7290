/**
 * Makes a graceful shutdown finish. Hocuspocus's `Server.destroy()` closes the document connections it
 * knows of once, flushes debounced stores, and waits until every document has unloaded. On its own that
 * can wait forever (seen here about once in four fuzz runs), because:
 * - an upgraded WebSocket outlives `httpServer.close()`, and Quire's client reopens a session the relay
 *   reset ("Reset Connection" is not a refusal), so a document can be loaded again after the one pass;
 * - a document still loading when the pass runs has no connection yet to close, and gets one afterwards.
 * So while draining, this extension refuses new upgrades, destroys the sockets it saw upgraded (clients
 * reconnect elsewhere or later and re-send what was not acknowledged as stored), and repeats the pass until
 * nothing is left. It never unloads a document with a store pending or running: Hocuspocus's own
 * `unloadDocument` checks that, so draining cannot drop data.
 */
import type { Duplex } from 'node:stream';
import type { Extension, Hocuspocus } from '@hocuspocus/server';

/** How often the drain repeats its pass while documents remain: short, since shutdown waits on it. */
export const DRAIN_PASS_MS = 100;

export interface Drain {
  readonly extension: Extension;
  /** Starts draining `instance`: no new sockets, existing ones closed, passes until `stop()`. */
  start(instance: Hocuspocus): void;
  stop(): void;
}

export function drainExtension(): Drain {
  const sockets = new Set<Duplex>();
  let draining = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const pass = (instance: Hocuspocus) => {
    instance.closeConnections();
    instance.flushPendingStores();
    for (const document of instance.documents.values()) {
      if (!document.isLoading) void instance.unloadDocument(document); // a no-op while a store is pending
    }
  };

  return {
    extension: {
      // Before every other extension: nothing else needs to see an upgrade that is refused.
      priority: 10_000,
      onUpgrade(payload: { socket: Duplex }) {
        const { socket } = payload;
        if (draining) {
          socket.destroy();
          // Hocuspocus treats an empty rejection as "handled, stop here" (its upgrade handler rethrows others).
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          return Promise.reject(null);
        }
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
        return Promise.resolve();
      },
    },
    start(instance) {
      draining = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      pass(instance);
      timer = setInterval(() => pass(instance), DRAIN_PASS_MS);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
