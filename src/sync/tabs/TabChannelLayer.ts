/**
 * The two-way layer between the tabs of one browser: an edit in one tab reaches the others' open copies
 * of the document within milliseconds, with no server, and is written to the shared IndexedDB once.
 *
 * Wire format: see TabMessage.ts (version 1: 'update', 'acked', 'sync-request', 'sync-reply' with its
 * optional `held` on the BroadcastChannel `quire:space:<spaceId>`); it lives with its parser and validator.
 *
 * How it keeps the promises:
 * - Latency: `immediate`, so DocSync hands over every change at once (no SAVE_COALESCE_MS), and `save`
 *   posts it synchronously.
 * - Nothing written twice: `sameOrigin`, so the receiving DocSync does not queue a peer's updates to its
 *   own stores. The receiver holds them (HeldUpdates) until the sender's 'acked': the sender's DocSync
 *   reports through `localDurable` what its one-way layers acknowledged, mapped here to posted seqs.
 * - Nothing lost: each tab holds the Web Lock `quire:tab:<id>` for life (TabPresence). A receiver queues
 *   a request for the lock of every tab it hears from; the grant means that tab is gone, and after a
 *   short grace (its last 'acked', posted before a clean release, may still be in flight) its
 *   unacknowledged updates go through `LocalDocBinding.persist`: the guard, then this tab's one-way
 *   layers, counted as pending. A flush during the grace waits for it (`settle`). Then every open
 *   document is re-read from the shared store (`refresh`): what the departed tab knew is stored now, and
 *   a tab that opened while it was leaving may have missed both its last write and its answer.
 * - Catch-up: `follow` posts a 'sync-request' with the document's state vector; every tab that has the
 *   document open answers with what it lacks (held like an update until that tab's store has it). A reply
 *   also names the other tabs whose unstored edits the answering tab holds for the document (`held`: author
 *   and highest seq); the requester holds the reply against each of them too and watches their locks. So
 *   edits of a tab X that reach tab Z only through tab Y's reply (X had not yet answered Z: a starved or
 *   frozen tab) are still written by Z if Y goes away and X then dies before storing them, and when X
 *   died first and Y dies within its grace, before writing them (TabChannelLayer.test.ts, "edits of a
 *   third tab that arrived in a sync-reply"). Authors already dead are named too, for that second case.
 *
 * Known limits (not fixed; the first is measured by tabsFuzz.test.ts):
 * - Every tab that holds a dead tab's edits writes them: with three or more tabs open, a crash leads to
 *   one extra (idempotent) row per survivor, and so does a tab that got them in a reply (it holds the
 *   whole reply). A clean close whose last 'acked' is slower than the grace does the same, and so does a
 *   reply naming an author whose 'acked' reached the answering tab late but was posted before the
 *   requester listened: the requester holds it until that author's next 'acked' or its departure.
 * - A tab of the previous release sends no `held` and ignores it: while one is open (during an update),
 *   the three-tab chain above still loses X's edits when that tab is Y or Z, as before the field.
 * - A dead tab's edits that a survivor has adopted (handed to its own stores, not yet written) are no
 *   longer held, so not named in its replies: if that survivor dies before the write, a tab that got them
 *   only through its reply shows them but does not store them (two deaths inside one write).
 * - A tab holds a peer's edits only for documents it has open; closing a page drops what it held for it
 *   (the sender's own loss window then applies, as with one tab).
 * - Untrusted input: every message is validated (parseTabMessage) and update bytes decode-checked before
 *   anything is held or delivered; a refused message is reported through onError and changes nothing.
 *   Delivered bytes reach the document only through the manager's update guard (DocSync.applyRemote).
 *
 * Not stored here: load resolves [] (the tabs share the local stores, which each tab has as its own layers).
 */
import { asPersistenceError, ErrorCode, PersistenceError, QuireError } from '../../core/errors.ts';
import { checkUpdateShape } from '../../core/guard/UpdateGuard.ts';
import type {
  DocId,
  IncomingUpdate,
  LocalDocBinding,
  SameOriginLayer,
  SaveInfo,
  StoredRow,
} from '../../core/persistence/PersistenceLayer.ts';
import { Listeners } from '../../core/Listeners.ts';
import { HeldUpdates } from './HeldUpdates.ts';
import { tabLockName } from './TabLocks.ts';
import type { TabPresence } from './TabPresence.ts';
import { MAX_HELD_AUTHORS, parseTabMessage, spaceChannelName, TAB_PROTOCOL_VERSION, type HeldAuthor, type TabMessage } from './TabMessage.ts';

/** After a dead peer's lock is granted, how long to wait before writing its held updates: 50 ms. Its last
 * 'acked' messages were posted before it released the lock, but a lock grant and a channel message travel
 * separately; writing early costs only a duplicate row, never data. */
export const ORPHAN_GRACE_MS = 50;

/** The part of BroadcastChannel the layer uses (tests may inject another transport). */
export interface TabChannel {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onmessageerror: ((event: MessageEvent) => void) | null;
}

export type TabChannelFactory = (name: string) => TabChannel;

export interface TabChannelLayerOptions {
  presence: TabPresence;
  /** Opens the channel of a space (default: a BroadcastChannel). */
  openChannel?: TabChannelFactory;
  orphanGraceMs?: number;
  /** Layer name in the save status (default "tabs"). */
  name?: string;
}

interface Bound {
  readonly binding: LocalDocBinding;
  /** Posted updates not yet acknowledged by our one-way layers: DocSync seq -> posted seq. */
  posted: { docSeq: number; seq: number }[];
  /** The DocSync seq up to which our one-way layers acknowledged everything. */
  durable: number;
}

export class TabChannelLayer implements SameOriginLayer {
  readonly direction = 'two-way' as const;
  readonly sameOrigin = true as const;
  readonly immediate = true;
  readonly name: string;
  /** What is held for peers (exposed for tests and diagnostics). */
  readonly held = new HeldUpdates();
  private readonly channel: TabChannel;
  private readonly presence: TabPresence;
  private readonly graceMs: number;
  private readonly listeners = new Listeners<IncomingUpdate>();
  private readonly errorListeners = new Listeners<PersistenceError>();
  private readonly bindings = new Map<DocId, Bound>();
  private readonly watches = new Map<string, AbortController>();
  /** Peers whose lock was granted to us: gone, whatever they held back is ours to write. */
  private readonly dead = new Set<string>();
  /** Dead peers still in their grace period, with the promise of their adoption. */
  private readonly dying = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    readonly spaceId: string,
    options: TabChannelLayerOptions,
  ) {
    this.name = options.name ?? 'tabs';
    this.presence = options.presence;
    this.graceMs = options.orphanGraceMs ?? ORPHAN_GRACE_MS;
    this.channel = (options.openChannel ?? ((n) => new BroadcastChannel(n)))(spaceChannelName(spaceId));
    this.channel.onmessage = (e) => this.receive(e.data);
    this.channel.onmessageerror = () => this.report(new PersistenceError(ErrorCode.InvalidUpdate, `${this.name}: a message from another tab could not be deserialized`, { layer: this.name }));
  }

  get tabId(): string {
    return this.presence.id;
  }

  // --- PersistenceLayer: nothing is stored here ---

  load(_docId: DocId): Promise<StoredRow[]> {
    return this.closed ? Promise.reject(this.closedError()) : Promise.resolve([]);
  }

  save(docId: DocId, update: Uint8Array, info?: SaveInfo): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError(docId));
    const bound = this.bindings.get(docId);
    // Tracked (peers hold it until our 'acked') only while our own stores have not acknowledged it yet.
    const tracked = bound !== undefined && info !== undefined && info.seq > bound.durable;
    const seq = tracked ? this.presence.nextSeq() : 0;
    try {
      this.post({ v: TAB_PROTOCOL_VERSION, tab: this.tabId, kind: 'update', docId, seq, update });
    } catch (e) {
      return Promise.reject(asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: this.name, docId }));
    }
    if (tracked) bound.posted.push({ docSeq: info.seq, seq });
    return Promise.resolve();
  }

  /** Stops listening and posting. Unacknowledged updates are not acked: peers still hold them until this
   * tab's lock is released (after a clean flush they were all acked before this). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    for (const w of this.watches.values()) w.abort();
    this.watches.clear();
    this.bindings.clear();
    this.channel.onmessage = null;
    this.channel.onmessageerror = null;
    this.channel.close();
    return Promise.resolve();
  }

  // --- TwoWayLayer ---

  subscribe(listener: (incoming: IncomingUpdate) => void): () => void {
    return this.listeners.add(listener);
  }

  onError(listener: (error: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  follow(docId: DocId, stateVector: Uint8Array): void {
    if (this.closed) return;
    this.post({ v: TAB_PROTOCOL_VERSION, tab: this.tabId, kind: 'sync-request', docId, stateVector });
  }

  unfollow(docId: DocId): void {
    this.held.dropDoc(docId);
  }

  // --- SameOriginLayer ---

  bind(docId: DocId, binding: LocalDocBinding): () => void {
    const bound: Bound = { binding, posted: [], durable: 0 };
    this.bindings.set(docId, bound);
    return () => {
      if (this.bindings.get(docId) !== bound) return;
      this.bindings.delete(docId);
      this.held.dropDoc(docId);
    };
  }

  settle(docId: DocId): Promise<void> | undefined {
    const waits = [...this.dying].filter(([tab]) => this.held.has(tab, docId)).map(([, p]) => p);
    for (const tab of this.dead) if (!this.dying.has(tab)) this.adopt(tab, docId);
    return waits.length > 0 ? Promise.all(waits).then(() => undefined) : undefined;
  }

  localDurable(docId: DocId, upToSeq: number): void {
    const bound = this.bindings.get(docId);
    if (!bound || this.closed) return;
    bound.durable = Math.max(bound.durable, upToSeq);
    let last = 0;
    while (bound.posted.length > 0 && bound.posted[0]!.docSeq <= upToSeq) last = bound.posted.shift()!.seq;
    if (last > 0) this.post({ v: TAB_PROTOCOL_VERSION, tab: this.tabId, kind: 'acked', docId, upToSeq: last });
  }

  // --- receiving ---

  private receive(data: unknown): void {
    if (this.closed) return;
    let m: TabMessage;
    try {
      m = parseTabMessage(data, this.name);
    } catch (e) {
      // Validation only (nothing was applied): the refusal is reported, typed, and the message dropped.
      if (e instanceof PersistenceError) return this.report(e);
      throw e;
    }
    if (m.tab === this.tabId) return;
    this.watch(m.tab);
    switch (m.kind) {
      case 'update':
        return this.incoming([m], m.docId, m.update);
      case 'sync-reply':
        if (m.to !== this.tabId) return;
        // Held against the answering tab's own unstored edits and against every author whose unstored
        // edits it held and passed on: if it goes away, they are still held here until stored.
        for (const author of m.held) if (author.tab !== this.tabId) this.watch(author.tab);
        return this.incoming([m, ...m.held.filter((a) => a.tab !== this.tabId)], m.docId, m.update);
      case 'acked':
        return this.held.acked(m.tab, m.docId, m.upToSeq);
      case 'sync-request':
        return this.answer(m.tab, m.docId, m.stateVector);
    }
  }

  /** Delivers an update, held (when the document is open here) against each author until it is stored. */
  private incoming(authors: readonly HeldAuthor[], docId: DocId, update: Uint8Array): void {
    try {
      checkUpdateShape(update, { source: this.name, docId });
    } catch (e) {
      if (e instanceof QuireError) return this.report(asPersistenceError(e, ErrorCode.InvalidUpdate, { layer: this.name, docId }));
      throw e;
    }
    if (this.bindings.has(docId)) for (const a of authors) this.held.hold(a.tab, docId, a.seq, update);
    this.listeners.emit({ docId, update });
  }

  private answer(tab: string, docId: DocId, stateVector: Uint8Array): void {
    const bound = this.bindings.get(docId);
    if (!bound) return;
    let diff: Uint8Array;
    try {
      diff = bound.binding.diff(stateVector);
    } catch (cause) {
      // The state vector did not decode: nothing was touched; the requester gets no answer.
      return this.report(new PersistenceError(ErrorCode.InvalidUpdate, `${this.name}: refused a sync request with a malformed state vector`, { layer: this.name, docId, cause }));
    }
    const seq = bound.posted.at(-1)?.seq ?? 0;
    const held = this.held.authors(docId).filter((a) => a.tab !== tab).slice(0, MAX_HELD_AUTHORS);
    this.post({ v: TAB_PROTOCOL_VERSION, tab: this.tabId, kind: 'sync-reply', docId, to: tab, seq, update: diff, held });
  }

  /**
   * Waits (on the Web Lock) for tab `tab` to be gone, then writes what it left unacknowledged and re-reads
   * the open documents from the shared store: a tab that opened a document while the peer was closing
   * may have loaded before the peer's last write and never got the peer's answer to its sync-request.
   */
  private watch(tab: string): void {
    if (this.watches.has(tab)) return;
    const ctrl = new AbortController();
    this.watches.set(tab, ctrl);
    this.presence.locks.acquire(tabLockName(tab), ctrl.signal).then(
      (release) => {
        release();
        this.watches.delete(tab);
        this.dead.add(tab);
        // Not at once: its last 'acked' may still be in flight. A flush meanwhile waits for it (settle).
        this.dying.set(
          tab,
          new Promise((resolve) =>
            setTimeout(() => {
              this.dying.delete(tab);
              this.adopt(tab);
              this.refreshAll();
              resolve();
            }, this.graceMs),
          ),
        );
      },
      (e: unknown) => {
        if (!ctrl.signal.aborted) this.report(asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: this.name }));
      },
    );
  }

  /** Writes, through the bound documents, what dead tab `tab` left unacknowledged (for one doc or all). */
  private adopt(tab: string, docId?: DocId): void {
    if (this.closed) return;
    for (const [id, updates] of this.held.take(tab, docId)) {
      const bound = this.bindings.get(id);
      if (!bound) continue;
      for (const update of updates) {
        try {
          bound.binding.persist(update);
        } catch (e) {
          // Refused by the guard (or the document closed meanwhile): reported, typed; the rest still goes.
          if (e instanceof QuireError) this.report(asPersistenceError(e, e.code, { layer: this.name, docId: id }));
          else throw e;
        }
      }
    }
  }

  private refreshAll(): void {
    if (this.closed) return;
    for (const [docId, bound] of this.bindings) {
      bound.binding.refresh().catch((e: unknown) => {
        // The store could not be read now: nothing was applied; the next departure or reload tries again.
        this.report(asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: this.name, docId }));
      });
    }
  }

  private post(m: TabMessage): void {
    this.channel.postMessage(m);
  }

  private report(e: PersistenceError): void {
    this.errorListeners.emit(e);
  }

  private closedError(docId?: DocId): PersistenceError {
    return new PersistenceError(ErrorCode.Closed, `${this.name}: layer is closed`, { layer: this.name, docId });
  }
}
