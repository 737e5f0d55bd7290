/**
 * The relay's view of each client WebSocket: its remote address (for per-address limits and log lines) and
 * a bound on the bytes the relay holds for it.
 *
 * Output bound: every frame the relay sends to a socket (auth answers, sync replies, broadcasts, awareness,
 * stateless messages) goes through that socket's `send`, which Hocuspocus calls for every document on it.
 * Hocuspocus handles one document's messages in order but the documents of a socket concurrently, and a
 * SyncStep1 of a few bytes is answered with a whole document; so the bound is checked at the send itself,
 * not on incoming messages. A send that would take the socket's `bufferedAmount` (ws's queue plus what the
 * TCP socket has not yet handed to the kernel) past `maxBufferedBytes` is not made: the socket is
 * terminated at once (a closing handshake would queue behind the unread bytes, so the client sees an
 * abnormal closure, 1006) and the relay logs `slow-reader` (RelayCloseCode 4408). A client that reads keeps
 * its queue near zero; only one that stops reading while asking for more reaches the bound.
 */
import type { Socket } from 'node:net';
import type { Extension, Hocuspocus, beforeHandleMessagePayload, onConnectPayload } from '@hocuspocus/server';
import type WebSocket from 'ws';
import { RelayCloseCode, RelayCloseReason } from '../src/protocol/accessMessages.ts';
import type { RefusalLog } from './RefusalLog.ts';
import { SessionRefusal } from './SessionRefusal.ts';

/** How long a closed socket's address is still known by its id: Hocuspocus logs a few lines after a close. */
const CLOSED_SOCKET_MEMORY_MS = 5_000;

export interface RelaySocket {
  /** The peer's IP address as the relay sees it (a proxy's, behind one). */
  readonly address: string;
  /** Hocuspocus's id of the socket, once its first document asked to authenticate. */
  socketId: string | null;
  /**
   * Closes the whole socket with a relay close reason (a closing handshake: the client is reading); what
   * the client sends from then on is dropped unread.
   */
  close(reason: RelayCloseReason): void;
}

export interface RelaySockets {
  /** The socket a Hocuspocus request (one per socket) arrived on. */
  of(request: Request): RelaySocket | undefined;
  /** A socket by Hocuspocus's socket id, also for a short time after it closed. */
  byId(socketId: string): RelaySocket | undefined;
  /** Learns each socket's id (onConnect runs before anything else of a document). */
  readonly extension: Extension;
  /** Wraps `hocuspocus.handleConnection` so that every socket is known and its output bounded. */
  watch(hocuspocus: Hocuspocus): void;
}

export interface RelaySocketsOptions {
  readonly maxBufferedBytes: number;
  readonly log: RefusalLog;
}

export function relaySockets({ maxBufferedBytes, log }: RelaySocketsOptions): RelaySockets {
  const byRequest = new WeakMap<Request, RelaySocket>();
  const byId = new Map<string, RelaySocket>();
  const closed = new WeakSet<RelaySocket>();
  const slowReaders = new WeakSet<RelaySocket>();

  function watch(hocuspocus: Hocuspocus): void {
    const handleConnection = hocuspocus.handleConnection.bind(hocuspocus);
    hocuspocus.handleConnection = (incoming, request, context) => {
      // crossws hands Hocuspocus a proxy of the `ws` socket; properties set on it land on the socket.
      const ws = incoming as WebSocket;
      const address = (ws as unknown as { _socket?: Socket })._socket?.remoteAddress ?? 'unknown';
      let closing = false;
      const socket: RelaySocket = {
        address,
        socketId: null,
        close(reason) {
          closing = true;
          ws.close(RelayCloseCode[reason], reason);
        },
      };
      const send = ws.send.bind(ws);
      ws.send = function boundedSend(data: Parameters<WebSocket['send']>[0], ...rest: unknown[]): void {
        const size = typeof data === 'string' ? Buffer.byteLength(data) : (data as ArrayBufferView | ArrayBuffer).byteLength;
        if (ws.readyState === ws.OPEN && ws.bufferedAmount + size > maxBufferedBytes) {
          log.refused({ address, socket: socket.socketId ?? '?', document: null, reason: `${RelayCloseReason.SlowReader} (${RelayCloseCode[RelayCloseReason.SlowReader]}): ${ws.bufferedAmount} bytes unread, bound ${maxBufferedBytes}` });
          slowReaders.add(socket);
          ws.terminate();
          return;
        }
        (send as (...args: unknown[]) => void)(data, ...rest);
      } as WebSocket['send'];
      ws.on('close', () => {
        closed.add(socket);
        const id = socket.socketId;
        if (id !== null) setTimeout(() => byId.delete(id), CLOSED_SOCKET_MEMORY_MS).unref();
      });
      byRequest.set(request, socket);
      const connection = handleConnection(incoming, request, context);
      // Frames that arrive after the relay decided to close the socket (a flood has many in flight) are
      // dropped unread: each would cost a parse and a hook chain, for a socket that is going away.
      const handleMessage = connection.handleMessage;
      connection.handleMessage = (data) => {
        if (!closing) handleMessage(data);
      };
      return connection;
    };
  }

  return {
    watch,
    of: (request) => byRequest.get(request),
    byId: (socketId) => byId.get(socketId),
    extension: {
      extensionName: 'quire-sockets',
      onConnect({ request, socketId }: onConnectPayload): Promise<void> {
        const socket = byRequest.get(request);
        if (socket && socket.socketId === null && !closed.has(socket)) {
          socket.socketId = socketId;
          byId.set(socketId, socket);
        }
        return Promise.resolve();
      },
      // Messages of a slow reader still queued when it was terminated: answering them would only build
      // replies nobody reads (a whole document per SyncStep1). Refusing one ends its document's queue.
      beforeHandleMessage({ socketId }: beforeHandleMessagePayload): Promise<void> {
        const socket = byId.get(socketId);
        return socket && slowReaders.has(socket) ? Promise.reject(new SessionRefusal(RelayCloseReason.SlowReader, 'socket terminated')) : Promise.resolve();
      },
    },
  };
}
