/**
 * The relay as a two-way persistence layer of one space (design document 000): a byte-oriented client of
 * the Quire relay (Hocuspocus), with no copy of any document (decision 0011). Relay document names are
 * `<spaceId>/<docId>` (relay/stores.ts). Wire: relayWire.ts; acknowledgements: storedAck.ts; the change
 * query: changeQuery.ts. Semantics in docs/sync-client.md. The per-document sessions (and the acknowledgement
 * bookkeeping) are RelayDocSessions.ts; the change queries ChangeQueries.ts.
 *
 * - load: SyncStep1 with an empty state vector; the relay's SyncStep2 is the one row. Rejected at once,
 *   typed 'unreachable', while the relay is out of reach (the core opens from the local stores).
 * - follow: SyncStep1 with the local state vector; the relay's SyncStep2 and later Updates go to the
 *   subscribers (the core's guard applies them). The relay's own SyncStep1 is answered from `source.diff`.
 *   After a reconnect the exchange is repeated from the live document's state vector.
 * - save: sends the update and resolves ONLY when a stored acknowledgement's snapshot contains it. Saves
 *   wait across disconnects and relay restarts (they are sent again after every reconnect); while they
 *   wait they count in `status().unstored`. `close()` rejects the ones still waiting ('closed').
 * - A document the relay refused (a CLOSE or PermissionDenied with a reason) is detached: nothing more is
 *   sent for it, its waiting loads and saves reject with a typed error naming the reason, the error goes
 *   to `onError`, and other documents keep syncing. Following it again (a reopen) tries once more.
 * - Not a local store: nothing to set aside (its copy is one merged state, no rows of ours). A page deleted
 *   forever reaches other devices through the space document (its record leaves the tree, and each device
 *   drops its copy); the relay keeps the page's bytes until a later garbage collection on the relay removes
 *   documents no tree references. Deleting a space on this device only closes the layer: the relay's copy
 *   stays for the other members (removing a space from a relay is an owner's relay command).
 * - Not a secret store: secrets are the space's keys and tokens, and the relay is not trusted with them
 *   (docs/security.md).
 */
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId, type DocSource, type IncomingUpdate, type StoredRow, type TwoWayLayer } from '../../core/persistence/PersistenceLayer.ts';
import { Listeners } from '../../core/Listeners.ts';
import type { Awareness } from 'y-protocols/awareness';
import type { SyncStopReason } from '../../protocol/closeReason.ts';
import { ackCovers } from '../../protocol/storedAck.ts';
import { encodeStoreNow } from '../../protocol/storeNow.ts';
import { parseChangesAnswer, type ChangesAnswer } from '../../protocol/changeQuery.ts';
import { ChangeQueries } from './ChangeQueries.ts';
import { RelayConnectionPool, type ConnectionState, type RelayConnection, type WebSocketConstructor } from './RelayConnection.ts';
import { EMPTY_STATE_VECTOR, isSettled, type RelayDoc } from './RelayDoc.ts';
import { isEmptyUpdate, RelayDocSessions } from './RelayDocSessions.ts';
import { closedError, malformedMessageError, readOnlyError, unreachableError } from './relayErrors.ts';
import type { RelaySyncState, RelaySyncStatus } from './RelaySyncStatus.ts';

export type { RelaySyncState, RelaySyncStatus } from './RelaySyncStatus.ts';
export { CHANGES_TIMEOUT_MS } from './ChangeQueries.ts';
export { SESSION_REOPEN_MAX_MS, SESSION_REOPEN_MS } from './RelayDocSessions.ts';

/** How often a page waiting to be stored asks the relay again to store it now (storeNow.ts). */
export const STORE_NOW_REPEAT_MS = 150;

export interface RelayLayerOptions {
  /** ws:// or wss:// URL of the relay. */
  url: string;
  spaceId: string;
  /** The capability sent in each document's Auth frame. */
  token: () => string | Promise<string>;
  /** Connections are shared per URL within a pool; default: one pool per WebSocket constructor. */
  pool?: RelayConnectionPool;
  /** The WebSocket to use when no pool is given (the browser's; `ws` in Node). */
  WebSocket?: WebSocketConstructor;
  name?: string;
  now?: () => number;
}

const defaultPools = new Map<WebSocketConstructor, RelayConnectionPool>();

export class RelayLayer implements TwoWayLayer {
  readonly direction = 'two-way' as const;
  /** Off this device: its acknowledgements mean "synced", never "saved" (SaveStatus's device part). */
  readonly remote = true;
  /**
   * Each change goes out as it is made, not after the save coalescing window (250 ms): another device is
   * waiting for it (live editing), a frame costs the relay little, and the relay's own store debounce
   * already bounds its writes. Measured in bench/ (relay round trip row).
   */
  readonly immediate = true;
  /** Saves go out in order on one session and are acknowledged by the relay's stored acknowledgements. */
  readonly pipelined = true;
  readonly name: string;
  private readonly connection: RelayConnection;
  private readonly pool: RelayConnectionPool;
  private readonly sessions: RelayDocSessions;
  private readonly queries: ChangeQueries;
  private readonly listeners = new Listeners<IncomingUpdate>();
  private readonly errorListeners = new Listeners<PersistenceError>();
  private readonly statusListeners = new Listeners<RelaySyncStatus>();
  private readonly statelessListeners = new Listeners<{ readonly docId: DocId; readonly payload: string }>();
  private readonly changeListeners = new Listeners<DocId>();
  private readonly offState: () => void;
  private closed = false;
  private reason: SyncStopReason | null = null;
  private lastSyncedAt: number | null = null;
  private lastStatus = '';
  private readonly now: () => number;

  constructor(opts: RelayLayerOptions) {
    this.name = opts.name ?? `relay:${opts.url}`;
    this.now = opts.now ?? (() => Date.now());
    let pool = opts.pool;
    if (!pool) {
      const ws = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!ws) throw new PersistenceError(ErrorCode.Unsupported, 'This browser has no WebSocket, which Quire needs to reach the relay', { layer: this.name });
      pool = defaultPools.get(ws);
      if (!pool) defaultPools.set(ws, (pool = new RelayConnectionPool({ WebSocket: ws })));
    }
    this.pool = pool;
    this.connection = pool.acquire(opts.url);
    this.sessions = new RelayDocSessions({
      name: this.name,
      spaceId: opts.spaceId,
      connection: this.connection,
      token: () => opts.token(),
      events: {
        deliver: (docId, update) => this.listeners.emit({ docId, update }),
        error: (e) => this.emitError(e),
        changed: () => this.emitStatus(),
        stateless: (d, payload) => this.stateless(d, payload),
        refused: (d, reason, error) => {
          this.reason = reason;
          this.queries.refused(d.docId, error);
        },
      },
    });
    this.queries = new ChangeQueries(this.name, this.sessions, (docId, payload) => this.sendStateless(docId, payload));
    this.offState = this.connection.onState((s) => this.connectionChanged(s));
  }

  // ---- PersistenceLayer

  load(docId: DocId): Promise<StoredRow[]> {
    if (this.closed) return Promise.reject(closedError(this.name, docId));
    if (this.connection.state === 'offline') return Promise.reject(unreachableError(this.name, docId));
    const d = this.sessions.doc(docId);
    if (d.refusal) return Promise.reject(d.refusal);
    return this.sessions.load(d);
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.name, docId));
    const d = this.sessions.doc(docId);
    if (d.refusal) return Promise.reject(d.refusal);
    if (d.scope === 'readonly') return Promise.reject(readOnlyError(this.name, docId));
    const bytes = update.slice();
    if (d.stored && ackCovers(d.stored, bytes)) return Promise.resolve();
    this.changeListeners.emit(docId);
    return this.sessions.save(d, bytes, () => this.sendStateless(docId, encodeStoreNow()));
  }

  /**
   * DocSync queued a change of `docId` for this layer (it may wait out a retry backoff before `save`):
   * `onLocalChange` listeners hear of it now, so the background sync can record it durably. Not for a
   * document this device may only read (its changes never go to the relay).
   */
  queued(docId: DocId): void {
    if (this.closed) return;
    const d = this.sessions.get(docId);
    if (d?.scope === 'readonly' || this.sessions.get(SPACE_DOC_ID)?.scope === 'readonly') return;
    this.changeListeners.emit(docId);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.offState();
    this.sessions.close((docId) => closedError(this.name, docId));
    this.queries.close(() => closedError(this.name));
    this.pool.release(this.connection);
    this.emitStatus();
    return Promise.resolve();
  }

  // ---- TwoWayLayer

  subscribe(listener: (incoming: IncomingUpdate) => void): () => void {
    return this.listeners.add(listener);
  }

  onError(listener: (error: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  follow(docId: DocId, stateVector: Uint8Array, source: DocSource): void {
    if (this.closed) return;
    const d = this.sessions.doc(docId);
    d.source = source;
    d.synced = false;
    if (d.refusal) {
      // A new open tries once more (an invite renewed, a page repaired); a refusal then says so again.
      d.refusal = null;
    }
    this.sessions.follow(d, stateVector);
    this.emitStatus();
  }

  unfollow(docId: DocId): void {
    const d = this.sessions.get(docId);
    if (!d) return;
    d.source = null;
    d.synced = false;
    // What this layer sent on its own is given again by the next follow's exchange.
    d.saves = d.saves.filter((s) => s.resolve);
    this.sessions.maybeEnd(d);
    this.emitStatus();
  }

  // ---- status, awareness, stateless

  status(): RelaySyncStatus {
    const docs = [...this.sessions.all()];
    const unstored = docs.reduce((n, d) => n + d.saves.length, 0);
    const space = this.sessions.get(SPACE_DOC_ID);
    const role = space?.scope === 'readonly' ? 'viewer' : space?.scope === 'read-write' ? 'editor' : null;
    let state: RelaySyncState;
    if (this.closed || space?.refusal) state = 'stopped';
    else if (this.connection.state === 'offline') state = 'offline';
    else if (this.connection.state !== 'open') state = 'connecting';
    else {
      const behind = docs.some((d) => d.source && !d.refusal && !d.synced);
      state = unstored > 0 || behind ? 'syncing' : 'synced';
    }
    if (state === 'synced') this.lastSyncedAt = this.now();
    return { state, unstored, reason: this.reason, lastSyncedAt: this.lastSyncedAt, role };
  }

  onStatus(listener: (s: RelaySyncStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  /**
   * Resolves when every change sent for `docId` is covered by a stored acknowledgement and, if it is
   * followed, the relay answered its SyncStep1 (the background sync releases a page then); or when the
   * relay refused it.
   */
  whenSettled(docId: DocId, options: { storeNow?: boolean } = {}): Promise<void> {
    const d = this.sessions.doc(docId);
    if (isSettled(d)) return Promise.resolve();
    const settled = new Promise<void>((resolve) => d.settledWaiters.push(resolve));
    if (!options.storeNow) return settled;
    // Ask the relay to store now rather than after its debounce (storeNow.ts), again while saves are still
    // waiting (the first ask may come before this page's exchange sent them): the relay bounds the rate.
    const ask = () => {
      if (d.saves.length > 0 && d.session?.live && !d.refusal && !this.closed) this.sendStateless(docId, encodeStoreNow());
    };
    ask();
    d.storeNowWaiters++;
    const timer = setInterval(ask, STORE_NOW_REPEAT_MS);
    return settled.finally(() => {
      clearInterval(timer);
      d.storeNowWaiters--;
    });
  }

  /**
   * Whether the relay's latest stored acknowledgement of `docId` covers everything the followed live
   * document holds now (false when it is not followed, refused, or unacknowledged and not empty). A
   * refusal settles `whenSettled` without storing anything: this tells "stored" apart. Cost: the part of
   * the document beyond the acknowledged state vector, plus its delete set, encoded and checked once.
   */
  storedCovers(docId: DocId): boolean {
    const d = this.sessions.get(docId);
    if (this.closed || !d?.source || d.refusal) return false;
    if (!d.stored) return isEmptyUpdate(d.source.diff(EMPTY_STATE_VECTOR));
    return ackCovers(d.stored, d.source.diff(Y.encodeStateVector(d.stored.sv)));
  }

  /**
   * Sends local awareness changes of `docId` to the relay and applies remote ones (never persisted).
   * Returns a detach function, which tells the others this client left.
   */
  attachAwareness(docId: DocId, awareness: Awareness): () => void {
    return this.sessions.attachAwareness(this.sessions.doc(docId), awareness);
  }

  /** Sends a stateless message on a document's session (access commands). */
  sendStateless(docId: DocId, payload: string): void {
    if (this.closed) throw closedError(this.name, docId);
    const d = this.sessions.doc(docId);
    if (d.refusal) throw d.refusal;
    this.sessions.sendStateless(d, payload);
  }

  /**
   * Keeps `docId`'s session open until the returned release is called: a stateless request (an owner's
   * access command) waits for its reply on that session even when nothing else needs it.
   */
  hold(docId: DocId): () => void {
    if (this.closed) return () => {};
    const d = this.sessions.doc(docId);
    d.holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (d.holds > 0) d.holds--;
      this.sessions.maybeEnd(d);
    };
  }

  /** A local change of `docId` was queued for or handed to this layer (the background sync marks the page). */
  onLocalChange(listener: (docId: DocId) => void): () => void {
    return this.changeListeners.add(listener);
  }

  /** Stateless messages from the relay other than stored acknowledgements. */
  onStateless(listener: (docId: DocId, payload: string) => void): () => void {
    return this.statelessListeners.add(({ docId, payload }) => listener(docId, payload));
  }

  /** Which documents of this space the relay stored after sequence `since` (changeQuery.ts). */
  changesSince(since: number): Promise<ChangesAnswer> {
    if (this.closed) return Promise.reject(closedError(this.name));
    if (this.connection.state === 'offline') return Promise.reject(unreachableError(this.name, SPACE_DOC_ID));
    return this.queries.ask(since);
  }

  /** Drops the connection as a network failure would (every layer on it reconnects with backoff). */
  interrupt(): void {
    this.connection.interrupt();
  }

  /** Tries to reach the relay now instead of at the next backoff step. */
  retryNow(): void {
    this.connection.retryNow();
  }

  /** The shared connection's byte and frame counters (measurements). */
  get traffic(): RelayConnection['traffic'] {
    return this.connection.traffic;
  }

  // ---- events of the sessions and the connection

  /** A stateless message that is not a stored acknowledgement: a change answer, else for `onStateless`. */
  private stateless(d: RelayDoc, payload: string): void {
    let answer: ChangesAnswer | null;
    try {
      answer = parseChangesAnswer(payload);
    } catch (e) {
      if (!(e instanceof PersistenceError)) throw e;
      this.emitError(malformedMessageError(this.name, d.docId, e));
      return;
    }
    if (answer) this.queries.answered(d, answer);
    else this.statelessListeners.emit({ docId: d.docId, payload });
  }

  private connectionChanged(state: ConnectionState): void {
    this.sessions.connectionChanged(state);
    if (state === 'offline') this.queries.unreachable((docId) => unreachableError(this.name, docId));
    this.emitStatus();
  }

  private emitStatus(): void {
    for (const d of this.sessions.all()) {
      if (d.settledWaiters.length > 0 && isSettled(d)) for (const w of d.settledWaiters.splice(0)) w();
    }
    if (this.statusListeners.size === 0) return;
    const s = this.status();
    const key = `${s.state}|${s.unstored}|${s.reason}|${s.role}|${s.state === 'synced' ? '' : s.lastSyncedAt}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.statusListeners.emit(s);
  }

  private emitError(e: PersistenceError): void {
    this.errorListeners.emit(e);
  }
}
