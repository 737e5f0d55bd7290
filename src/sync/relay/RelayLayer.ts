/**
 * The relay as a two-way persistence layer of one space (design document 000): a byte-oriented client of
 * the Quire relay (Hocuspocus), with no copy of any document (decision 0011). Relay document names are
 * `<spaceId>/<docId>` (relay/stores.ts). Wire: relayWire.ts; acknowledgements: storedAck.ts; the change
 * query: changeQuery.ts. Semantics in docs/sync-client.md.
 *
 * - load: SyncStep1 with an empty state vector; the relay's SyncStep2 is the one row. Rejected at once,
 *   typed 'storage-unavailable', while the relay is unreachable (the core opens from the local stores).
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
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId, type DocSource, type IncomingUpdate, type StoredRow, type TwoWayLayer } from '../../core/persistence/PersistenceLayer.ts';
import { encodeAwareness, encodeStateless, encodeSyncStep1, encodeSyncStep2, encodeUpdate, type IncomingFrame } from '../../protocol/relayWire.ts';
import { RelayConnectionPool, type ConnectionState, type RelayConnection, type Session, type WebSocketConstructor } from './RelayConnection.ts';
import { RelayRefusalError, syncStopReason, SyncStopReason } from '../../protocol/closeReason.ts';
import { ackCovers, parseStoredAck } from '../../protocol/storedAck.ts';
import { encodeStoreNow } from '../../protocol/storeNow.ts';
import { encodeChangesQuery, parseChangesAnswer, type ChangesAnswer } from '../../protocol/changeQuery.ts';

/** Bounds how long a "changes since" question may wait for its answer. */
export const CHANGES_TIMEOUT_MS = 10_000;
/**
 * A session the relay closed for a reason that is not a refusal ("Reset Connection" while it shuts down or
 * failed to load the document) is reopened after this delay, doubling per repeat up to SESSION_REOPEN_MAX_MS:
 * a relay that keeps closing a document is not hammered.
 */
export const SESSION_REOPEN_MS = 1_000;
/** How often a page waiting to be stored asks the relay again to store it now (storeNow.ts). */
export const STORE_NOW_REPEAT_MS = 150;
export const SESSION_REOPEN_MAX_MS = 30_000;

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

export type RelaySyncState = 'connecting' | 'syncing' | 'synced' | 'offline' | 'stopped';

export interface RelaySyncStatus {
  readonly state: RelaySyncState;
  /** Local changes sent or queued that no stored acknowledgement covers yet. */
  readonly unstored: number;
  /** Why sync stopped (the latest refusal), or null. */
  readonly reason: SyncStopReason | null;
  /** The last moment nothing was unstored and every followed document was in sync (ms), or null. */
  readonly lastSyncedAt: number | null;
  /** What the relay lets this device do in the space ('editor' read-write, 'viewer' read-only), or null before it said. */
  readonly role: string | null;
}

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

interface PendingSave {
  readonly update: Uint8Array;
  /** Absent for what this layer sent on its own (answers to the relay's SyncStep1). */
  readonly resolve?: () => void;
  readonly reject?: (e: PersistenceError) => void;
}

interface Loader {
  resolve: (rows: StoredRow[]) => void;
  reject: (e: PersistenceError) => void;
  sent: boolean;
}

interface DocState {
  readonly docId: DocId;
  readonly name: string;
  session: Session | null;
  source: DocSource | null;
  loads: Loader[];
  /** One entry per SyncStep1 sent on the current session, in order: the loads its answer resolves. */
  step1s: (Loader[] | null)[];
  saves: PendingSave[];
  stored: Y.Snapshot | null;
  /** The relay answered this session's SyncStep1 for the followed document. */
  synced: boolean;
  refusal: PersistenceError | null;
  scope: 'readonly' | 'read-write' | null;
  awareness: Awareness | null;
  /**
   * The clients of `awareness` this device speaks for: its own, and those another tab handed it (a leader
   * tab's hub); not the ones the relay brought. Sent whole when a session starts.
   */
  awarenessLocal: Set<number>;
  stateless: string[];
  /** Open change queries waiting on this document's session. */
  holds: number;
  settledWaiters: (() => void)[];
  /** Waiters that asked the relay to store now (storeNow.ts): each save sent meanwhile asks again. */
  storeNowWaiters: number;
  /** Consecutive non-refusal closes of this document's session (reopen backoff). */
  resets: number;
  reopenTimer: ReturnType<typeof setTimeout> | null;
}

const defaultPools = new Map<WebSocketConstructor, RelayConnectionPool>();

function isEmptyUpdate(update: Uint8Array): boolean {
  // Y.encodeStateAsUpdate of nothing is [0 structs, 0 delete-set clients].
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

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
  private readonly docs = new Map<DocId, DocState>();
  private readonly listeners = new Set<(u: IncomingUpdate) => void>();
  private readonly errorListeners = new Set<(e: PersistenceError) => void>();
  private readonly statusListeners = new Set<(s: RelaySyncStatus) => void>();
  private readonly statelessListeners = new Set<(docId: DocId, payload: string) => void>();
  private readonly changeListeners = new Set<(docId: DocId) => void>();
  private readonly changeWaiters = new Map<string, { resolve: (a: ChangesAnswer) => void; reject: (e: PersistenceError) => void; docId: DocId }>();
  private readonly offState: () => void;
  private closed = false;
  private reason: SyncStopReason | null = null;
  private lastSyncedAt: number | null = null;
  private lastStatus = '';
  private nextQuery = 1;
  private readonly now: () => number;

  constructor(private readonly opts: RelayLayerOptions) {
    this.name = opts.name ?? `relay:${opts.url}`;
    this.now = opts.now ?? (() => Date.now());
    let pool = opts.pool;
    if (!pool) {
      const ws = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!ws) throw new PersistenceError(ErrorCode.StorageUnavailable, 'No WebSocket implementation to reach the relay', { layer: this.name });
      pool = defaultPools.get(ws);
      if (!pool) defaultPools.set(ws, (pool = new RelayConnectionPool({ WebSocket: ws })));
    }
    this.pool = pool;
    this.connection = pool.acquire(opts.url);
    this.offState = this.connection.onState((s) => this.connectionChanged(s));
  }

  // ---- PersistenceLayer

  load(docId: DocId): Promise<StoredRow[]> {
    if (this.closed) return Promise.reject(this.closedError(docId));
    if (this.connection.state === 'offline') return Promise.reject(this.unreachable(docId));
    const d = this.doc(docId);
    if (d.refusal) return Promise.reject(d.refusal);
    return new Promise<StoredRow[]>((resolve, reject) => {
      const loader: Loader = { resolve, reject, sent: false };
      d.loads.push(loader);
      const existed = d.session !== null;
      this.ensureSession(d); // a new session sends it from `connected`
      if (existed && d.session?.live) this.sendStep1(d, EMPTY_STATE_VECTOR, [loader]);
    });
  }

  save(docId: DocId, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError(docId));
    const d = this.doc(docId);
    if (d.refusal) return Promise.reject(d.refusal);
    if (d.scope === 'readonly') return Promise.reject(this.readOnly(docId));
    const bytes = update.slice();
    if (d.stored && ackCovers(d.stored, bytes)) return Promise.resolve();
    for (const l of [...this.changeListeners]) l(docId);
    return new Promise<void>((resolve, reject) => {
      d.saves.push({ update: bytes, resolve, reject });
      const existed = d.session !== null;
      this.ensureSession(d);
      if (existed && d.session?.live) {
        d.session.send(encodeUpdate(d.name, bytes));
        if (d.storeNowWaiters > 0) this.sendStateless(docId, encodeStoreNow());
      }
      this.emitStatus();
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.offState();
    for (const d of this.docs.values()) {
      const e = this.closedError(d.docId);
      for (const l of d.loads.splice(0)) l.reject(e);
      for (const s of d.saves.splice(0)) s.reject?.(e);
      d.session?.end();
      d.session = null;
      if (d.reopenTimer) clearTimeout(d.reopenTimer);
    }
    for (const w of this.changeWaiters.values()) w.reject(this.closedError());
    this.changeWaiters.clear();
    this.pool.release(this.connection);
    this.emitStatus();
    return Promise.resolve();
  }

  // ---- TwoWayLayer

  subscribe(listener: (incoming: IncomingUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: PersistenceError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  follow(docId: DocId, stateVector: Uint8Array, source: DocSource): void {
    if (this.closed) return;
    const d = this.doc(docId);
    d.source = source;
    d.synced = false;
    if (d.refusal) {
      // A new open tries once more (an invite renewed, a page repaired); a refusal then says so again.
      d.refusal = null;
    }
    const existed = d.session !== null;
    this.ensureSession(d);
    if (existed && d.session?.live) this.sendStep1(d, stateVector, null);
    this.emitStatus();
  }

  unfollow(docId: DocId): void {
    const d = this.docs.get(docId);
    if (!d) return;
    d.source = null;
    d.synced = false;
    // What this layer sent on its own is given again by the next follow's exchange.
    d.saves = d.saves.filter((s) => s.resolve);
    this.maybeEnd(d);
    this.emitStatus();
  }

  // ---- status, awareness, stateless

  status(): RelaySyncStatus {
    const unstored = [...this.docs.values()].reduce((n, d) => n + d.saves.length, 0);
    const space = this.docs.get(SPACE_DOC_ID);
    const role = space?.scope === 'readonly' ? 'viewer' : space?.scope === 'read-write' ? 'editor' : null;
    let state: RelaySyncState;
    if (this.closed || space?.refusal) state = 'stopped';
    else if (this.connection.state === 'offline') state = 'offline';
    else if (this.connection.state !== 'open') state = 'connecting';
    else {
      const behind = [...this.docs.values()].some((d) => d.source && !d.refusal && !d.synced);
      state = unstored > 0 || behind ? 'syncing' : 'synced';
    }
    if (state === 'synced') this.lastSyncedAt = this.now();
    return { state, unstored, reason: this.reason, lastSyncedAt: this.lastSyncedAt, role };
  }

  onStatus(listener: (s: RelaySyncStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Resolves when every change sent for `docId` is covered by a stored acknowledgement and, if it is
   * followed, the relay answered its SyncStep1 (the background sync releases a page then); or when the
   * relay refused it.
   */
  whenSettled(docId: DocId, options: { storeNow?: boolean } = {}): Promise<void> {
    const d = this.doc(docId);
    if (this.settled(d)) return Promise.resolve();
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
   * Sends local awareness changes of `docId` to the relay and applies remote ones (never persisted).
   * Returns a detach function, which tells the others this client left.
   */
  attachAwareness(docId: DocId, awareness: Awareness): () => void {
    const d = this.doc(docId);
    d.awareness = awareness;
    d.awarenessLocal = new Set([awareness.clientID, ...awareness.getStates().keys()]);
    const onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === this) return; // the relay brought it
      for (const id of [...added, ...updated]) d.awarenessLocal.add(id);
      for (const id of removed) d.awarenessLocal.delete(id);
      if (!d.session?.live) return; // sent whole when the session starts
      d.session.send(encodeAwareness(d.name, encodeAwarenessUpdate(awareness, [...added, ...updated, ...removed])));
    };
    awareness.on('update', onUpdate);
    this.ensureSession(d);
    if (d.session?.live) d.session.send(encodeAwareness(d.name, encodeAwarenessUpdate(awareness, [...d.awarenessLocal])));
    return () => {
      awareness.off('update', onUpdate);
      if (d.awareness !== awareness) return;
      d.awareness = null;
      // Encoded against an empty state map: the others drop this client's cursor now, not after a timeout.
      if (d.session?.live) d.session.send(encodeAwareness(d.name, encodeAwarenessUpdate(awareness, [awareness.clientID], new Map())));
      this.maybeEnd(d);
    };
  }

  /** Sends a stateless message on a document's session (access commands). */
  sendStateless(docId: DocId, payload: string): void {
    if (this.closed) throw this.closedError(docId);
    const d = this.doc(docId);
    if (d.refusal) throw d.refusal;
    const existed = d.session !== null;
    d.stateless.push(payload);
    this.ensureSession(d);
    if (existed && d.session?.live) this.flushStateless(d);
  }

  /**
   * Keeps `docId`'s session open until the returned release is called: a stateless request (an owner's
   * access command) waits for its reply on that session even when nothing else needs it.
   */
  hold(docId: DocId): () => void {
    if (this.closed) return () => {};
    const d = this.doc(docId);
    d.holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (d.holds > 0) d.holds--;
      this.maybeEnd(d);
    };
  }

  /** A local change of `docId` was handed to this layer (the background sync marks the page dirty). */
  onLocalChange(listener: (docId: DocId) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Stateless messages from the relay other than stored acknowledgements. */
  onStateless(listener: (docId: DocId, payload: string) => void): () => void {
    this.statelessListeners.add(listener);
    return () => this.statelessListeners.delete(listener);
  }

  /** Which documents of this space the relay stored after sequence `since` (changeQuery.ts). */
  changesSince(since: number): Promise<ChangesAnswer> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.connection.state === 'offline') return Promise.reject(this.unreachable(SPACE_DOC_ID));
    const id = `q${this.nextQuery++}`;
    const d = this.doc(SPACE_DOC_ID);
    return new Promise<ChangesAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.changeWaiters.delete(id)) return;
        d.holds--;
        this.maybeEnd(d);
        reject(new PersistenceError(ErrorCode.Timeout, `${this.name}: no answer to "changes since ${since}" within ${CHANGES_TIMEOUT_MS} ms`, { layer: this.name }));
      }, CHANGES_TIMEOUT_MS);
      d.holds++;
      this.changeWaiters.set(id, {
        docId: SPACE_DOC_ID,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      try {
        this.sendStateless(SPACE_DOC_ID, encodeChangesQuery({ id, since }));
      } catch (e) {
        this.changeWaiters.get(id)?.reject(e as PersistenceError);
        this.changeWaiters.delete(id);
        d.holds--;
      }
    });
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

  // ---- sessions

  private doc(docId: DocId): DocState {
    let d = this.docs.get(docId);
    if (!d) {
      d = {
        docId,
        name: `${this.opts.spaceId}/${docId}`,
        session: null,
        source: null,
        loads: [],
        step1s: [],
        saves: [],
        stored: null,
        synced: false,
        refusal: null,
        scope: null,
        awareness: null,
        awarenessLocal: new Set(),
        stateless: [],
        holds: 0,
        settledWaiters: [],
        storeNowWaiters: 0,
        resets: 0,
        reopenTimer: null,
      };
      this.docs.set(docId, d);
    }
    return d;
  }

  private needsSession(d: DocState): boolean {
    return d.source !== null || d.loads.length > 0 || d.saves.some((s) => s.resolve) || d.awareness !== null || d.stateless.length > 0 || d.holds > 0;
  }

  private ensureSession(d: DocState): void {
    if (d.session || d.refusal || this.closed) return;
    d.step1s = [];
    d.session = this.connection.open(d.name, {
      token: () => this.opts.token(),
      connected: () => this.connected(d),
      disconnected: () => {
        d.synced = false;
        d.step1s = [];
        d.saves = d.saves.filter((s) => s.resolve);
        for (const l of d.loads) l.sent = false;
        this.emitStatus();
      },
      frame: (f) => this.frame(d, f),
      refused: (reason) => this.refused(d, reason),
      tokenFailed: (e) => this.emitError(new PersistenceError(ErrorCode.Forbidden, `${this.name}: no capability to present for ${d.docId}`, { layer: this.name, docId: d.docId, cause: e })),
    });
  }

  /** Ends a session nothing needs any more (it is reopened on demand). */
  private maybeEnd(d: DocState): void {
    if (!d.session || this.needsSession(d)) return;
    d.session.end();
    d.session = null;
    d.synced = false;
    d.scope = d.docId === SPACE_DOC_ID ? d.scope : null;
  }

  /** The socket is open and this session's Auth frame is on its way: (re)start the exchange. */
  private connected(d: DocState): void {
    // step1s is not reset here: frames sent before the session started are still queued behind the Auth
    // frame, with their entries (a dropped socket clears both, in `disconnected`).
    d.synced = false;
    if (d.source) this.sendStep1(d, d.source.stateVector(), null);
    const waiting = d.loads.filter((l) => !l.sent);
    if (waiting.length > 0) this.sendStep1(d, EMPTY_STATE_VECTOR, waiting);
    for (const s of d.saves) d.session?.send(encodeUpdate(d.name, s.update));
    if (d.awareness) d.session?.send(encodeAwareness(d.name, encodeAwarenessUpdate(d.awareness, [...d.awarenessLocal])));
    this.flushStateless(d);
    this.emitStatus();
  }

  private sendStep1(d: DocState, stateVector: Uint8Array, loads: Loader[] | null): void {
    if (!d.session) return;
    for (const l of loads ?? []) l.sent = true;
    d.step1s.push(loads);
    d.session.send(encodeSyncStep1(d.name, stateVector));
  }

  private flushStateless(d: DocState): void {
    for (const p of d.stateless.splice(0)) d.session?.send(encodeStateless(d.name, p));
  }

  private frame(d: DocState, f: IncomingFrame): void {
    switch (f.kind) {
      case 'authenticated':
        d.scope = f.scope;
        if (f.scope === 'readonly') for (const s of d.saves.splice(0)) s.reject?.(this.readOnly(d.docId));
        break;
      case 'sync-step1': {
        if (!d.source || d.scope === 'readonly') break;
        const diff = d.source.diff(f.stateVector);
        if (isEmptyUpdate(diff)) break;
        d.session?.send(encodeSyncStep2(d.name, diff));
        if (!(d.stored && ackCovers(d.stored, diff))) d.saves.push({ update: diff });
        break;
      }
      case 'sync-step2': {
        const loads = d.step1s.shift() ?? null;
        const rows = isEmptyUpdate(f.update) ? [] : [{ key: 0, update: f.update }];
        if (loads) {
          d.loads = d.loads.filter((l) => !loads.includes(l));
          for (const l of loads) l.resolve(rows.map((r) => ({ ...r, update: r.update.slice() })));
        } else if (d.source) d.synced = true;
        d.resets = 0;
        if (d.source && rows.length > 0) this.deliver(d.docId, f.update);
        this.maybeEnd(d);
        break;
      }
      case 'update':
        if (d.source) this.deliver(d.docId, f.update);
        break;
      case 'stateless':
        this.stateless(d, f.payload);
        break;
      case 'awareness':
        if (!d.awareness) break;
        try {
          applyAwarenessUpdate(d.awareness, f.update, this);
        } catch (cause) {
          // Awareness is never persisted; a malformed one changes nothing and is reported typed.
          this.emitError(new PersistenceError(ErrorCode.InvalidUpdate, `${this.name}: malformed awareness update for ${d.docId}`, { layer: this.name, docId: d.docId, cause }));
        }
        break;
      case 'sync-status':
      case 'token-request':
      case 'permission-denied':
      case 'close':
        break;
    }
    this.emitStatus();
  }

  private deliver(docId: DocId, update: Uint8Array): void {
    for (const l of [...this.listeners]) l({ docId, update });
  }

  private stateless(d: DocState, payload: string): void {
    let stored: Y.Snapshot | null;
    let answer: ChangesAnswer | null = null;
    try {
      stored = parseStoredAck(payload);
      if (!stored) answer = parseChangesAnswer(payload);
    } catch (e) {
      if (!(e instanceof PersistenceError)) throw e;
      this.emitError(new PersistenceError(e.code, `${this.name}: ${e.message}`, { layer: this.name, docId: d.docId, cause: e }));
      return;
    }
    if (stored) {
      d.stored = stored;
      const covered = d.saves.filter((s) => ackCovers(stored, s.update));
      d.saves = d.saves.filter((s) => !covered.includes(s));
      for (const s of covered) s.resolve?.();
      this.maybeEnd(d);
      return;
    }
    if (answer) {
      const w = this.changeWaiters.get(answer.id);
      if (!w) return;
      this.changeWaiters.delete(answer.id);
      d.holds--;
      w.resolve(answer);
      this.maybeEnd(d);
      return;
    }
    for (const l of [...this.statelessListeners]) l(d.docId, payload);
  }

  private refused(d: DocState, raw: string): void {
    const why = syncStopReason(raw);
    if (why === SyncStopReason.Other) {
      // Not a refusal: the relay reset the session (shutting down, or it failed to load the document).
      // Nothing is lost: waiting saves stay and are sent again; the session is reopened after a delay.
      d.session = null;
      d.synced = false;
      d.step1s = [];
      d.saves = d.saves.filter((s) => s.resolve);
      for (const l of d.loads) l.sent = false;
      const delay = Math.min(SESSION_REOPEN_MAX_MS, SESSION_REOPEN_MS * 2 ** d.resets++);
      if (d.reopenTimer) clearTimeout(d.reopenTimer);
      d.reopenTimer = setTimeout(() => {
        d.reopenTimer = null;
        if (!this.closed && this.needsSession(d)) this.ensureSession(d);
      }, delay);
      this.emitStatus();
      return;
    }
    const error = new RelayRefusalError(why, `${this.name}: the relay stopped syncing ${d.docId}: ${raw}`, { layer: this.name, docId: d.docId });
    d.session = null;
    d.refusal = error;
    d.synced = false;
    this.reason = why;
    for (const l of d.loads.splice(0)) l.reject(error);
    for (const s of d.saves.splice(0)) s.reject?.(error);
    for (const [id, w] of this.changeWaiters) {
      if (w.docId !== d.docId) continue;
      this.changeWaiters.delete(id);
      w.reject(error);
    }
    d.holds = 0;
    d.stateless = [];
    this.emitError(error);
    this.emitStatus();
  }

  private connectionChanged(state: ConnectionState): void {
    if (state === 'open') {
      // Sessions the relay reset before the socket dropped come back with the new socket, not a timer later.
      for (const d of this.docs.values()) {
        if (d.session || d.refusal || !this.needsSession(d)) continue;
        if (d.reopenTimer) clearTimeout(d.reopenTimer);
        d.reopenTimer = null;
        this.ensureSession(d);
      }
    }
    if (state === 'offline') {
      // Fast failure: a load does not wait LOAD_TIMEOUT_MS for a relay that is not there.
      for (const d of this.docs.values()) for (const l of d.loads.splice(0)) l.reject(this.unreachable(d.docId));
      for (const [id, w] of this.changeWaiters) {
        this.changeWaiters.delete(id);
        this.doc(w.docId).holds--;
        w.reject(this.unreachable(w.docId));
      }
    }
    this.emitStatus();
  }

  private settled(d: DocState): boolean {
    return d.refusal !== null || (d.saves.length === 0 && (d.source === null || d.synced));
  }

  private emitStatus(): void {
    for (const d of this.docs.values()) {
      if (d.settledWaiters.length > 0 && this.settled(d)) for (const w of d.settledWaiters.splice(0)) w();
    }
    if (this.statusListeners.size === 0) return;
    const s = this.status();
    const key = `${s.state}|${s.unstored}|${s.reason}|${s.role}|${s.state === 'synced' ? '' : s.lastSyncedAt}`;
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    for (const l of [...this.statusListeners]) l(s);
  }

  private emitError(e: PersistenceError): void {
    for (const l of [...this.errorListeners]) l(e);
  }

  private closedError(docId?: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Closed, `${this.name}: layer is closed`, { layer: this.name, docId });
  }

  private unreachable(docId: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Unreachable, `${this.name}: the relay is unreachable`, { layer: this.name, docId });
  }

  private readOnly(docId: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Forbidden, `${this.name}: this device may only read ${docId} (viewer); the change stays on this device`, { layer: this.name, docId });
  }
}
