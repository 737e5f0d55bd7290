/**
 * One multiplexed WebSocket to one relay URL, shared by every space that syncs there (RelayConnectionPool),
 * carrying one session per relay document (wire format in relayWire.ts).
 *
 * - The socket opens when the first session does, and closes IDLE_CLOSE_MS after the last one ended.
 * - A session starts with the Auth frame carrying its token; frames the session sends before the token is
 *   known wait in the session, then go out in order behind the Auth frame.
 * - When the socket drops, every session is reset (its handler hears `disconnected`), and after the next
 *   open every session authenticates again and its handler hears `connected`, where it re-sends what the
 *   relay has not stored (the relay layer does). Reconnects back off (RECONNECT_*).
 * - Ending a session sends CLOSE; the relay echoes a CLOSE ('provider_initiated'). A new session for the
 *   same document waits for that echo: a token sent earlier would reach the old server-side session,
 *   which ignores it, and every later frame would then queue as unauthenticated.
 * - A session the relay refused (PermissionDenied, or a CLOSE with a reason) is over: nothing more is
 *   sent for it (Hocuspocus kills the whole socket after 1000 queued messages for a refused document).
 * - Keep-alive: Hocuspocus drops a socket it heard nothing from for 60 s; every KEEPALIVE_MS the
 *   connection sends a QueryAwareness (answered with nothing) on one authenticated session.
 */
import { decodeFrame, encodeAuth, encodeClose, encodeQueryAwareness, PONG_FRAME, type IncomingFrame } from '../../protocol/relayWire.ts';
import { PROVIDER_INITIATED_CLOSE } from '../../protocol/closeReason.ts';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { Listeners } from '../../core/Listeners.ts';

/** First reconnect delay after the socket dropped or failed to open; doubles per failure. */
export const RECONNECT_INITIAL_MS = 250;
/** Bounds the reconnect backoff: a relay back up is found within 10 s (plus jitter). */
export const RECONNECT_MAX_MS = 10_000;
/** Bounds the random spread added to each reconnect delay (a fraction of it), so tabs and devices that
 * lost the same relay do not all come back in the same millisecond. */
export const RECONNECT_JITTER = 0.25;
/** Bounds how long opening the socket may take before the attempt counts as failed. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** Keep-alive period: well under Hocuspocus's 60 s idle timeout. */
export const KEEPALIVE_MS = 20_000;
/** How long a socket without sessions stays open (a page closed and reopened reuses it). */
export const IDLE_CLOSE_MS = 30_000;

/** The part of the WebSocket API used here: the browser's, or `ws` in Node. */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'offline' | 'closed';

export interface SessionHandler {
  /** The token of this document's Auth frame. */
  token(): string | Promise<string>;
  /** The socket is open and the Auth frame is on its way: send what the session needs (SyncStep1...). */
  connected(): void;
  /** The socket dropped: what was sent and not acknowledged must be sent again after `connected`. */
  disconnected(): void;
  /** A frame of this document (sync, awareness, stateless, sync-status, authenticated). */
  frame(frame: IncomingFrame): void;
  /** The relay refused or closed this session; nothing more is sent for it. */
  refused(reason: string): void;
  /** The token could not be obtained: the session waits for the next reconnect. */
  tokenFailed(error: unknown): void;
}

export class Session {
  /** Frames waiting for the Auth frame (not started yet, or the token is being fetched). */
  private waiting: Uint8Array[] | null = [];
  /** The socket generation this session last authenticated on. */
  private startedOn = -1;
  ended = false;
  refused = false;
  authenticated = false;

  constructor(
    readonly doc: string,
    private readonly connection: RelayConnection,
    readonly handler: SessionHandler,
  ) {}

  /** Sends a frame of this session; dropped while the socket is down (the handler re-sends on connect). */
  send(frame: Uint8Array): void {
    if (this.ended || this.refused) return;
    if (this.waiting) this.waiting.push(frame);
    else this.connection.sendRaw(frame);
  }

  /** Whether frames sent now can reach the relay (the socket is open). */
  get live(): boolean {
    return !this.ended && !this.refused && this.connection.state === 'open';
  }

  /** Ends the session (CLOSE). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.connection.endSession(this);
  }

  /** @internal the socket opened: authenticate, then let the handler send. */
  start(generation: number): void {
    if (this.ended || this.refused || this.startedOn === generation) return;
    this.startedOn = generation;
    this.authenticated = false;
    const waiting: Uint8Array[] = this.waiting ?? [];
    this.waiting = waiting;
    let token: string | Promise<string>;
    try {
      token = this.handler.token();
    } catch (e) {
      this.waiting = null;
      this.handler.tokenFailed(e);
      return;
    }
    const go = (t: string) => {
      if (this.waiting !== waiting) return; // reset meanwhile
      this.waiting = null;
      this.connection.sendRaw(encodeAuth(this.doc, t));
      for (const f of waiting) this.connection.sendRaw(f);
    };
    if (typeof token === 'string') {
      this.handler.connected(); // frames queue behind the Auth frame sent just below
      go(token);
    } else {
      this.handler.connected();
      token.then(go, (e: unknown) => {
        if (this.waiting !== waiting) return;
        this.waiting = null;
        this.handler.tokenFailed(e);
      });
    }
  }

  /** @internal the socket dropped. */
  reset(): void {
    this.waiting = [];
    this.authenticated = false;
    if (!this.ended && !this.refused) this.handler.disconnected();
  }
}

export interface RelayConnectionOptions {
  WebSocket: WebSocketConstructor;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  idleCloseMs?: number;
}

export class RelayConnection {
  private socket: WebSocketLike | null = null;
  private readonly sessions = new Map<string, Session>();
  /** Sessions ended whose CLOSE echo has not arrived; a new session of the same document waits for it. */
  private readonly closing = new Map<string, Session[]>();
  private readonly waitingToStart = new Map<string, Session>();
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connectTimer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  private readonly stateListeners = new Listeners<ConnectionState>();
  private readonly errorListeners = new Listeners<PersistenceError>();
  state: ConnectionState = 'idle';
  /** Counts sockets opened: a session authenticates once per socket. */
  private generation = 0;
  /** Bytes sent and received over this connection (measurements). */
  readonly traffic = { sent: 0, received: 0, framesSent: 0, framesReceived: 0 };

  constructor(
    readonly url: string,
    private readonly opts: RelayConnectionOptions,
  ) {}

  onState(listener: (s: ConnectionState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  /** Malformed frames from the relay (they are dropped; the sessions carry on). */
  onError(listener: (e: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.stateListeners.emit(s);
  }

  /** Opens a session for a relay document. One live session per document per connection. */
  open(doc: string, handler: SessionHandler): Session {
    if (this.state === 'closed') throw new Error('RelayConnection is closed');
    const existing = this.sessions.get(doc) ?? this.waitingToStart.get(doc);
    if (existing && !existing.ended) throw new Error(`A session for ${doc} is already open`);
    const session = new Session(doc, this, handler);
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    if ((this.closing.get(doc)?.length ?? 0) > 0) {
      this.waitingToStart.set(doc, session);
    } else {
      this.sessions.set(doc, session);
      this.startSoon(session);
    }
    this.ensureSocket();
    return session;
  }

  /** Starts a session after the caller holds it (its handler may send from `connected`). */
  private startSoon(session: Session): void {
    queueMicrotask(() => {
      if (this.state === 'open' && this.sessions.get(session.doc) === session) session.start(this.generation);
    });
  }

  /** Tries to connect now (the browser went online, a test restarted the relay). */
  retryNow(): void {
    if (this.state !== 'offline') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.failures = 0;
    this.connect();
  }

  /**
   * Drops the socket now, as a network failure would, and reconnects with backoff (the browser reported
   * going offline; tests cut the connection).
   */
  interrupt(): void {
    if (!this.socket) return;
    this.dropSocket();
    this.failed();
  }

  /** Closes the socket for good; sessions are reset and never restarted. */
  close(): void {
    if (this.state === 'closed') return;
    for (const t of [this.retryTimer, this.connectTimer, this.idleTimer]) if (t) clearTimeout(t);
    if (this.keepAlive) clearInterval(this.keepAlive);
    const s = this.socket;
    this.socket = null;
    this.setState('closed');
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      s.onerror = () => undefined;
      s.close();
    }
    for (const session of this.sessions.values()) session.reset();
    this.sessions.clear();
    this.waitingToStart.clear();
    this.closing.clear();
  }

  /** @internal */
  sendRaw(frame: Uint8Array): void {
    const s = this.socket;
    if (!s || s.readyState !== OPEN || this.state !== 'open') return;
    s.send(frame);
    this.traffic.sent += frame.byteLength;
    this.traffic.framesSent++;
  }

  /** @internal */
  endSession(session: Session): void {
    if (this.waitingToStart.get(session.doc) === session) {
      this.waitingToStart.delete(session.doc);
    } else if (this.sessions.get(session.doc) === session) {
      this.sessions.delete(session.doc);
      if (!session.refused && this.state === 'open') {
        this.sendRaw(encodeClose(session.doc));
        this.closing.set(session.doc, [...(this.closing.get(session.doc) ?? []), session]);
      }
    }
    this.maybeIdle();
  }

  private maybeIdle(): void {
    if (this.sessions.size > 0 || this.waitingToStart.size > 0 || this.idleTimer || this.state === 'closed') return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.sessions.size > 0 || this.waitingToStart.size > 0) return;
      this.dropSocket();
      if (this.retryTimer) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.setState('idle');
    }, this.opts.idleCloseMs ?? IDLE_CLOSE_MS);
  }

  private ensureSocket(): void {
    if (this.socket || this.retryTimer || this.state === 'closed') return;
    this.connect();
  }

  private connect(): void {
    this.setState('connecting');
    let s: WebSocketLike;
    try {
      s = new this.opts.WebSocket(this.url);
    } catch {
      this.failed();
      return;
    }
    this.socket = s;
    s.binaryType = 'arraybuffer';
    this.connectTimer = setTimeout(() => {
      this.connectTimer = null;
      if (this.socket === s && this.state === 'connecting') {
        this.dropSocket();
        this.failed();
      }
    }, this.opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    s.onopen = () => {
      if (this.socket !== s) return;
      if (this.connectTimer) clearTimeout(this.connectTimer);
      this.connectTimer = null;
      this.failures = 0;
      this.generation++;
      this.setState('open');
      this.keepAlive = setInterval(() => {
        const any = [...this.sessions.values()].find((x) => x.authenticated);
        if (any) this.sendRaw(encodeQueryAwareness(any.doc));
      }, KEEPALIVE_MS);
      for (const session of [...this.sessions.values()]) session.start(this.generation);
    };
    s.onmessage = (ev) => {
      if (this.socket !== s) return;
      this.receive(ev.data);
    };
    s.onerror = () => undefined; // the close event follows and carries the outcome
    s.onclose = () => {
      if (this.socket !== s) return;
      this.dropSocket();
      this.failed();
    };
  }

  /** Forgets the socket and resets every session (nothing sent on it counts any more). */
  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = null;
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // Kept (a no-op): closing a socket still connecting makes it emit an error, unhandled without one.
      s.onerror = () => undefined;
      try {
        s.close();
      } catch {
        // closing a socket that never opened: nothing to release
      }
    }
    // The relay forgot every session of that socket: nothing is closing any more.
    this.closing.clear();
    for (const [doc, session] of this.waitingToStart) this.sessions.set(doc, session);
    this.waitingToStart.clear();
    for (const session of this.sessions.values()) session.reset();
  }

  private failed(): void {
    if (this.state === 'closed') return;
    if (this.sessions.size === 0) {
      this.setState('idle');
      return;
    }
    this.setState('offline');
    const initial = this.opts.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
    const max = this.opts.reconnectMaxMs ?? RECONNECT_MAX_MS;
    const base = Math.min(max, initial * 2 ** this.failures++);
    const delay = base + Math.random() * base * RECONNECT_JITTER;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state === 'offline') this.connect();
    }, delay);
  }

  private receive(data: unknown): void {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data instanceof Uint8Array ? data : null;
    if (!bytes) return this.malformed(new PersistenceError(ErrorCode.InvalidUpdate, 'Malformed frame from the relay: not binary', { layer: 'relay' }));
    this.traffic.received += bytes.byteLength;
    this.traffic.framesReceived++;
    let frame: IncomingFrame;
    try {
      frame = decodeFrame(bytes);
    } catch (e) {
      return this.malformed(e as PersistenceError);
    }
    if (frame.kind === 'ping') {
      this.socket?.send(PONG_FRAME);
      return;
    }
    const doc = frame.doc;
    if (frame.kind === 'close' && frame.reason === PROVIDER_INITIATED_CLOSE) {
      const list = this.closing.get(doc);
      if (list && list.length > 0) {
        list.shift();
        if (list.length === 0) this.closing.delete(doc);
        const next = this.waitingToStart.get(doc);
        if (next && !this.closing.has(doc)) {
          this.waitingToStart.delete(doc);
          this.sessions.set(doc, next);
          this.startSoon(next);
        }
        return;
      }
    }
    const session = this.sessions.get(doc);
    if (!session) return; // a late frame of a session this client ended
    if (frame.kind === 'close' || frame.kind === 'permission-denied') {
      session.refused = true;
      this.sessions.delete(doc);
      session.handler.refused(frame.reason);
      this.maybeIdle();
      return;
    }
    if (frame.kind === 'token-request') {
      // The relay asks for the token again (a token refresh): answer on the live session.
      void Promise.resolve()
        .then(() => session.handler.token())
        .then(
          (t) => session.live && this.sendRaw(encodeAuth(doc, t)),
          (e: unknown) => session.handler.tokenFailed(e),
        );
      return;
    }
    if (frame.kind === 'authenticated') session.authenticated = true;
    session.handler.frame(frame);
  }

  private malformed(e: PersistenceError): void {
    this.errorListeners.emit(e);
  }
}

/** One connection per relay URL (per browser tab, or per test replica: give each its own pool). */
export class RelayConnectionPool {
  private readonly connections = new Map<string, { connection: RelayConnection; users: number }>();

  constructor(private readonly opts: RelayConnectionOptions) {}

  acquire(url: string): RelayConnection {
    let entry = this.connections.get(url);
    if (!entry || entry.connection.state === 'closed') this.connections.set(url, (entry = { connection: new RelayConnection(url, this.opts), users: 0 }));
    entry.users++;
    return entry.connection;
  }

  release(connection: RelayConnection): void {
    const entry = this.connections.get(connection.url);
    if (!entry || entry.connection !== connection) return;
    if (--entry.users > 0) return;
    this.connections.delete(connection.url);
    connection.close();
  }
}
