/**
 * The per-document sessions of one RelayLayer (semantics in RelayLayer.ts and docs/sync-client.md): for
 * each document of the space, what is waiting on the relay (loads, saves, stateless messages, presence) and
 * the one session on the shared connection that carries it. A session is opened when something needs it,
 * restarted with every socket, reopened after a delay when the relay resets it, ended when nothing needs it
 * any more, and detached for good (until the next follow) when the relay refuses the document.
 *
 * Acknowledgements: a save is settled only by a stored acknowledgement whose snapshot covers it
 * (storedAck.ts); saves wait across disconnects and are sent again on every new session.
 */
import type * as Y from 'yjs';
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type DocId, type StoredRow } from '../../core/persistence/PersistenceLayer.ts';
import { encodeAwareness, encodeStateless, encodeSyncStep1, encodeSyncStep2, encodeUpdate, type IncomingFrame } from '../../protocol/relayWire.ts';
import { RelayRefusalError, syncStopReason, SyncStopReason } from '../../protocol/closeReason.ts';
import { ackCovers, parseStoredAck } from '../../protocol/storedAck.ts';
import type { ConnectionState, RelayConnection } from './RelayConnection.ts';
import { malformedMessageError, readOnlyError, unreachableError } from './relayErrors.ts';
import { EMPTY_STATE_VECTOR, newRelayDoc, type Loader, type RelayDoc } from './RelayDoc.ts';

/**
 * A session the relay closed for a reason that is not a refusal ("Reset Connection" while it shuts down or
 * failed to load the document) is reopened after this delay, doubling per repeat up to SESSION_REOPEN_MAX_MS:
 * a relay that keeps closing a document is not hammered.
 */
export const SESSION_REOPEN_MS = 1_000;
/** The longest delay before reopening a session the relay keeps resetting (see SESSION_REOPEN_MS). */
export const SESSION_REOPEN_MAX_MS = 30_000;

/** Whether `update` carries nothing (no structs, no deletions). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  // Y.encodeStateAsUpdate of nothing is [0 structs, 0 delete-set clients].
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

/** What the sessions tell their layer. */
export interface SessionEvents {
  /** An update of a followed document arrived (for the layer's subscribers). */
  deliver(docId: DocId, update: Uint8Array): void;
  error(e: PersistenceError): void;
  /** Something the layer's status is made of may have changed. */
  changed(): void;
  /** A stateless message that is not a stored acknowledgement. */
  stateless(d: RelayDoc, payload: string): void;
  /** The relay refused `d` for `reason`; its waiting loads and saves are rejected with `error`. */
  refused(d: RelayDoc, reason: SyncStopReason, error: PersistenceError): void;
}

export interface RelayDocSessionsOptions {
  /** The layer's name (in error messages). */
  readonly name: string;
  readonly spaceId: string;
  readonly connection: RelayConnection;
  /** The capability sent in each document's Auth frame. */
  readonly token: () => string | Promise<string>;
  readonly events: SessionEvents;
}

export class RelayDocSessions {
  private readonly docs = new Map<DocId, RelayDoc>();
  private closed = false;

  constructor(private readonly opts: RelayDocSessionsOptions) {}

  /** `docId`'s state, created on first use. */
  doc(docId: DocId): RelayDoc {
    let d = this.docs.get(docId);
    if (!d) {
      d = newRelayDoc(docId, `${this.opts.spaceId}/${docId}`);
      this.docs.set(docId, d);
    }
    return d;
  }

  /** `docId`'s state if it was ever used. */
  get(docId: DocId): RelayDoc | undefined {
    return this.docs.get(docId);
  }

  all(): IterableIterator<RelayDoc> {
    return this.docs.values();
  }

  /** Queues a load of `d` (its answer is the one row); sent now on a live session, else when it starts. */
  load(d: RelayDoc): Promise<StoredRow[]> {
    return new Promise<StoredRow[]>((resolve, reject) => {
      const loader: Loader = { resolve, reject, sent: false };
      d.loads.push(loader);
      const existed = d.session !== null;
      this.ensureSession(d); // a new session sends it from `connected`
      if (existed && d.session?.live) this.sendStep1(d, EMPTY_STATE_VECTOR, [loader]);
    });
  }

  /** Sends `bytes` of `d` (now, or when its session starts); settles on the covering acknowledgement. */
  save(d: RelayDoc, bytes: Uint8Array, storeNow: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      d.saves.push({ update: bytes, resolve, reject });
      const existed = d.session !== null;
      this.ensureSession(d);
      if (existed && d.session?.live) {
        d.session.send(encodeUpdate(d.name, bytes));
        if (d.storeNowWaiters > 0) storeNow();
      }
      this.opts.events.changed();
    });
  }

  /** Starts (or restarts) the exchange of a followed document from `stateVector`. */
  follow(d: RelayDoc, stateVector: Uint8Array): void {
    const existed = d.session !== null;
    this.ensureSession(d);
    if (existed && d.session?.live) this.sendStep1(d, stateVector, null);
  }

  /** Queues a stateless message of `d`, sent now on a live session, else when it starts. */
  sendStateless(d: RelayDoc, payload: string): void {
    const existed = d.session !== null;
    d.stateless.push(payload);
    this.ensureSession(d);
    if (existed && d.session?.live) this.flushStateless(d);
  }

  /**
   * Sends local awareness changes of `d` to the relay and applies remote ones (never persisted). Returns a
   * detach function, which tells the others this client left.
   */
  attachAwareness(d: RelayDoc, awareness: Awareness): () => void {
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

  ensureSession(d: RelayDoc): void {
    if (d.session || d.refusal || this.closed) return;
    d.step1s = [];
    d.session = this.opts.connection.open(d.name, {
      token: () => this.opts.token(),
      connected: () => this.connected(d),
      disconnected: () => {
        d.synced = false;
        d.step1s = [];
        d.saves = d.saves.filter((s) => s.resolve);
        for (const l of d.loads) l.sent = false;
        this.opts.events.changed();
      },
      frame: (f) => this.frame(d, f),
      refused: (reason) => this.refused(d, reason),
      tokenFailed: (e) => this.opts.events.error(new PersistenceError(ErrorCode.Forbidden, `${this.opts.name}: no capability to present for ${d.docId}`, { layer: this.opts.name, docId: d.docId, cause: e })),
    });
  }

  /** Ends a session nothing needs any more (it is reopened on demand). */
  maybeEnd(d: RelayDoc): void {
    if (!d.session || this.needsSession(d)) return;
    d.session.end();
    d.session = null;
    d.synced = false;
    d.scope = d.docId === SPACE_DOC_ID ? d.scope : null;
  }

  /** The shared connection changed state: sessions come back with a new socket; loads fail fast offline. */
  connectionChanged(state: ConnectionState): void {
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
      for (const d of this.docs.values()) for (const l of d.loads.splice(0)) l.reject(unreachableError(this.opts.name, d.docId));
    }
  }

  /** The layer closed: every waiting load and save rejects with `error(docId)`, every session ends. */
  close(error: (docId: DocId) => PersistenceError): void {
    this.closed = true;
    for (const d of this.docs.values()) {
      const e = error(d.docId);
      for (const l of d.loads.splice(0)) l.reject(e);
      for (const s of d.saves.splice(0)) s.reject?.(e);
      d.session?.end();
      d.session = null;
      if (d.reopenTimer) clearTimeout(d.reopenTimer);
    }
  }

  private needsSession(d: RelayDoc): boolean {
    return d.source !== null || d.loads.length > 0 || d.saves.some((s) => s.resolve) || d.awareness !== null || d.stateless.length > 0 || d.holds > 0;
  }

  /** The socket is open and this session's Auth frame is on its way: (re)start the exchange. */
  private connected(d: RelayDoc): void {
    // step1s is not reset here: frames sent before the session started are still queued behind the Auth
    // frame, with their entries (a dropped socket clears both, in `disconnected`).
    d.synced = false;
    if (d.source) this.sendStep1(d, d.source.stateVector(), null);
    const waiting = d.loads.filter((l) => !l.sent);
    if (waiting.length > 0) this.sendStep1(d, EMPTY_STATE_VECTOR, waiting);
    for (const s of d.saves) d.session?.send(encodeUpdate(d.name, s.update));
    if (d.awareness) d.session?.send(encodeAwareness(d.name, encodeAwarenessUpdate(d.awareness, [...d.awarenessLocal])));
    this.flushStateless(d);
    this.opts.events.changed();
  }

  private sendStep1(d: RelayDoc, stateVector: Uint8Array, loads: Loader[] | null): void {
    if (!d.session) return;
    for (const l of loads ?? []) l.sent = true;
    d.step1s.push(loads);
    d.session.send(encodeSyncStep1(d.name, stateVector));
  }

  private flushStateless(d: RelayDoc): void {
    for (const p of d.stateless.splice(0)) d.session?.send(encodeStateless(d.name, p));
  }

  private frame(d: RelayDoc, f: IncomingFrame): void {
    switch (f.kind) {
      case 'authenticated':
        d.scope = f.scope;
        if (f.scope === 'readonly') for (const s of d.saves.splice(0)) s.reject?.(readOnlyError(this.opts.name, d.docId));
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
        if (d.source && rows.length > 0) this.opts.events.deliver(d.docId, f.update);
        this.maybeEnd(d);
        break;
      }
      case 'update':
        if (d.source) this.opts.events.deliver(d.docId, f.update);
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
          this.opts.events.error(new PersistenceError(ErrorCode.InvalidUpdate, `${this.opts.name}: malformed awareness update for ${d.docId}`, { layer: this.opts.name, docId: d.docId, cause }));
        }
        break;
      case 'sync-status':
      case 'token-request':
      case 'permission-denied':
      case 'close':
        break;
    }
    this.opts.events.changed();
  }

  /** A stored acknowledgement settles the saves its snapshot covers; anything else goes to the layer. */
  private stateless(d: RelayDoc, payload: string): void {
    let stored: Y.Snapshot | null;
    try {
      stored = parseStoredAck(payload);
    } catch (e) {
      if (!(e instanceof PersistenceError)) throw e;
      this.opts.events.error(malformedMessageError(this.opts.name, d.docId, e));
      return;
    }
    if (!stored) return this.opts.events.stateless(d, payload);
    d.stored = stored;
    const covered = d.saves.filter((s) => ackCovers(stored, s.update));
    d.saves = d.saves.filter((s) => !covered.includes(s));
    for (const s of covered) s.resolve?.();
    this.maybeEnd(d);
  }

  private refused(d: RelayDoc, raw: string): void {
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
      this.opts.events.changed();
      return;
    }
    const error = new RelayRefusalError(why, `${this.opts.name}: the relay stopped syncing ${d.docId}: ${raw}`, { layer: this.opts.name, docId: d.docId });
    d.session = null;
    d.refusal = error;
    d.synced = false;
    for (const l of d.loads.splice(0)) l.reject(error);
    for (const s of d.saves.splice(0)) s.reject?.(error);
    this.opts.events.refused(d, why, error);
    d.holds = 0;
    d.stateless = [];
    this.opts.events.error(error);
    this.opts.events.changed();
  }
}
