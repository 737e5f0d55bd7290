/**
 * A simulated network of replicas for fuzzing the real persistence path, and a manual clock to drive it.
 *
 * Each replica's SpaceManager gets, besides its local store, one `NetLayer` per open of a space: a two-way
 * layer wired to one `SimNetwork`. A save to it is a message to the relay: it is acknowledged only when the
 * network accepts it (`accept*`, in order per connection), and a crash of the replica (`crash`) loses what
 * was not accepted yet. The relay keeps what it accepted (one document per docId, `relayDoc`) and queues it
 * for every other connected replica, with seeded drops, duplicates, delays and reordering; `tick` delivers it
 * to the connections that follow that document. `follow(docId, sv, source)` answers with what the relay and
 * the other replicas' current documents have beyond `sv` (Y.encodeStateAsUpdate(doc, sv)), over the same
 * lossy network, and sends the relay what `source` holds beyond the relay's copy (a relay's SyncStep1), so
 * that a replica heals when it (re)opens a document and the relay gets what a crash kept from it. `load` answers, at random, nothing, a
 * snapshot of the relay's and the other replicas' current state, or a failure.
 *
 * `DeferredLayer` wraps a replica's local store so that its writes complete only when the test commits them,
 * in order, the way IndexedDB transactions complete some time after they were started; a crash drops the
 * writes not committed yet, so an edit that was not acknowledged may really be lost.
 *
 * Everything is driven by one Prng and the ManualClock (ManualClock.ts): the same seed replays the same run.
 */
import * as Y from 'yjs';
import { ErrorCode, PersistenceError } from '../errors.ts';
import { Listeners } from '../Listeners.ts';
import type { DocId, DocSource, IncomingUpdate, LayerFactory, LocalStore, RowKey, StoredRow, TwoWayLayer } from '../persistence/PersistenceLayer.ts';
import type { SecretStore, Secrets } from '../persistence/SecretStore.ts';
import type { Prng } from './prng.ts';

export interface SimNetworkOptions {
  /** Chance that one recipient misses an accepted update. */
  dropRate: number;
  /** Chance that one recipient gets an accepted update twice. */
  dupRate: number;
  /** Greatest delay of a message, in ticks. */
  maxDelay: number;
  /** Chance that one answer to a follow is lost. */
  followDropRate: number;
  /** Chance that a load answers a snapshot of the other replicas' state (otherwise nothing). */
  snapshotRate: number;
  /** Chance that a load fails. */
  loadFailRate: number;
  /**
   * Follows and loads answer from the relay's store only, as a real relay does, instead of also from the
   * other replicas' live documents (which lets the network heal what a replica holds but never sent).
   */
  relayOnly?: boolean;
}

export const DEFAULT_NETWORK: SimNetworkOptions = { dropRate: 0.15, dupRate: 0.1, maxDelay: 4, followDropRate: 0.1, snapshotRate: 0.3, loadFailRate: 0.05 };

interface Message {
  readonly to: NetLayer;
  readonly docId: DocId;
  readonly update: Uint8Array;
  readonly at: number;
}

interface PendingSend {
  readonly from: NetLayer;
  readonly docId: DocId;
  readonly update: Uint8Array;
  readonly resolve: () => void;
}

export interface NetworkStats {
  accepted: number;
  dropped: number;
  duplicated: number;
  delivered: number;
  /** Messages that reached a connection that did not follow the document (or was gone). */
  missed: number;
  followAnswers: number;
  snapshots: number;
  loadFailures: number;
  /** Sends lost because their replica crashed before the network accepted them. */
  lostInCrash: number;
}

export class SimNetwork {
  private time = 0;
  private inflight: Message[] = [];
  private sends: PendingSend[] = [];
  /** The current connection of each replica (absent while it is down). */
  private readonly live = new Map<number, NetLayer>();
  /** What the relay accepted, per document: it survives every replica's crash. */
  private readonly relay = new Map<DocId, Y.Doc>();
  /** While true, loads answer a snapshot (a replica joining the space). */
  joining = false;
  readonly stats: NetworkStats = { accepted: 0, dropped: 0, duplicated: 0, delivered: 0, missed: 0, followAnswers: 0, snapshots: 0, loadFailures: 0, lostInCrash: 0 };

  constructor(
    private readonly rng: Prng,
    /** The current document `docId` of a replica, if it has it open. */
    private readonly docOf: (replica: number, docId: DocId) => Y.Doc | undefined,
    private readonly opts: SimNetworkOptions = DEFAULT_NETWORK,
  ) {}

  /** The factory of a replica's network layer: a new connection per open of a space. */
  factory(replica: number): LayerFactory {
    return (spaceId) => {
      const layer = new NetLayer(this, replica, spaceId);
      this.live.set(replica, layer);
      return layer;
    };
  }

  /** What the relay holds of a document (healing reads it). */
  relayDoc(docId: DocId): Y.Doc | undefined {
    return this.relay.get(docId);
  }

  get pendingSends(): number {
    return this.sends.length;
  }
  get inflightMessages(): number {
    return this.inflight.length;
  }

  // ---- called by the layers

  submit(from: NetLayer, docId: DocId, update: Uint8Array): Promise<void> {
    return new Promise<void>((resolve) => this.sends.push({ from, docId, update: update.slice(), resolve }));
  }

  async load(layer: NetLayer, docId: DocId): Promise<StoredRow[]> {
    await Promise.resolve();
    if (!this.joining && this.rng.chance(this.opts.loadFailRate)) {
      this.stats.loadFailures++;
      throw new PersistenceError(ErrorCode.StorageUnavailable, `${layer.name}: injected load failure of ${docId}`, { layer: layer.name, docId });
    }
    if (!this.joining && !this.rng.chance(this.opts.snapshotRate)) return [];
    const rows: StoredRow[] = [];
    const stored = this.relay.get(docId);
    if (stored) rows.push({ key: rows.length, update: Y.encodeStateAsUpdate(stored) });
    for (const [replica, other] of this.live) {
      if (other === layer || this.opts.relayOnly) continue;
      const doc = this.docOf(replica, docId);
      if (doc) rows.push({ key: rows.length, update: Y.encodeStateAsUpdate(doc) });
    }
    if (rows.length > 0) this.stats.snapshots++;
    return rows;
  }

  follow(layer: NetLayer, docId: DocId, stateVector: Uint8Array, source: DocSource): void {
    // The relay's own SyncStep1, answered from the replica's live document: what the replica holds beyond
    // the relay's copy (stored locally, never sent before a crash) travels to the relay like a send.
    const held = this.relay.get(docId);
    const lack = source.diff(held ? Y.encodeStateVector(held) : Y.encodeStateVector(new Y.Doc()));
    if (!isEmptyUpdate(lack)) this.sends.push({ from: layer, docId, update: lack, resolve: () => undefined });
    const peers = this.opts.relayOnly ? [] : [...this.live].filter(([, other]) => other !== layer && !other.closed);
    const sources = [this.relay.get(docId), ...peers.map(([replica]) => this.docOf(replica, docId))];
    for (const doc of sources) {
      if (!doc) continue;
      const diff = Y.encodeStateAsUpdate(doc, stateVector);
      if (isEmptyUpdate(diff)) continue;
      if (this.rng.chance(this.opts.followDropRate)) {
        this.stats.dropped++;
        continue;
      }
      this.stats.followAnswers++;
      this.inflight.push({ to: layer, docId, update: diff, at: this.time + this.rng.int(this.opts.maxDelay + 1) });
    }
  }

  closed(layer: NetLayer): void {
    // A clean close settles what is pending first: the manager flushed before closing, so normally nothing is.
    this.acceptWhere((s) => s.from === layer);
    if (this.live.get(layer.replica) === layer) this.live.delete(layer.replica);
  }

  // ---- driven by the test

  /** The replica's process died: its connection is gone, with every send the network had not accepted. */
  crash(replica: number): void {
    const layer = this.live.get(replica);
    if (!layer) return;
    const lost = this.sends.filter((s) => s.from === layer);
    this.stats.lostInCrash += lost.length;
    this.sends = this.sends.filter((s) => s.from !== layer);
    layer.closed = true;
    this.live.delete(replica);
  }

  /** Accepts the pending sends of one replica (all of them), in order. */
  acceptAll(replica?: number): void {
    this.acceptWhere((s) => replica === undefined || s.from.replica === replica);
  }

  /** Accepts a random prefix of the pending sends of each connection. */
  acceptSome(): void {
    const take = new Map<NetLayer, number>();
    for (const s of this.sends) if (!take.has(s.from)) take.set(s.from, this.rng.int(4));
    const chosen = new Set<PendingSend>();
    for (const s of this.sends) {
      const left = take.get(s.from)!;
      if (left > 0) {
        chosen.add(s);
        take.set(s.from, left - 1);
      } else take.set(s.from, 0);
    }
    this.acceptWhere((s) => chosen.has(s));
  }

  private acceptWhere(pred: (s: PendingSend) => boolean): void {
    const accepted = this.sends.filter(pred);
    this.sends = this.sends.filter((s) => !pred(s));
    for (const s of accepted) {
      this.stats.accepted++;
      let stored = this.relay.get(s.docId);
      if (!stored) this.relay.set(s.docId, (stored = new Y.Doc({ guid: s.docId })));
      Y.applyUpdate(stored, s.update);
      for (const to of this.live.values()) {
        if (to === s.from || to.closed) continue;
        if (this.rng.chance(this.opts.dropRate)) {
          this.stats.dropped++;
          continue;
        }
        const copies = this.rng.chance(this.opts.dupRate) ? 2 : 1;
        if (copies === 2) this.stats.duplicated++;
        for (let i = 0; i < copies; i++) this.inflight.push({ to, docId: s.docId, update: s.update, at: this.time + this.rng.int(this.opts.maxDelay + 1) });
      }
      s.resolve();
    }
  }

  /** One tick of network time: up to `max` due messages are delivered, in random order. */
  tick(max: number): void {
    this.time++;
    const due = this.inflight.filter((m) => m.at <= this.time);
    if (due.length === 0) return;
    const chosen: Message[] = [];
    for (let i = 0; i < max && due.length > 0; i++) chosen.push(...due.splice(this.rng.int(due.length), 1));
    const set = new Set(chosen);
    this.inflight = this.inflight.filter((m) => !set.has(m));
    for (const m of chosen) this.deliverOne(m);
  }

  /** Delivers every message in flight, losslessly, in order of sending (healing). */
  deliverAll(): void {
    const all = this.inflight;
    this.inflight = [];
    for (const m of all) this.deliverOne(m);
  }

  private deliverOne(m: Message): void {
    if (m.to.deliver(m.docId, m.update)) this.stats.delivered++;
    else this.stats.missed++;
  }
}

/** A replica's connection to the SimNetwork for one open of a space. */
export class NetLayer implements TwoWayLayer {
  readonly direction = 'two-way' as const;
  readonly name = 'net';
  closed = false;
  readonly followed = new Set<DocId>();
  private readonly listeners = new Listeners<IncomingUpdate>();
  private readonly errorListeners = new Listeners<PersistenceError>();

  constructor(
    private readonly network: SimNetwork,
    readonly replica: number,
    readonly spaceId: string,
  ) {}

  private closedError(): PersistenceError {
    return new PersistenceError(ErrorCode.Closed, `${this.name}: layer is closed`, { layer: this.name });
  }

  load(docId: DocId): Promise<StoredRow[]> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.network.load(this, docId);
  }
  save(docId: DocId, update: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.network.submit(this, docId, update);
  }
  close(): Promise<void> {
    if (!this.closed) {
      this.network.closed(this);
      this.closed = true;
    }
    return Promise.resolve();
  }
  subscribe(listener: (incoming: IncomingUpdate) => void): () => void {
    return this.listeners.add(listener);
  }
  onError(listener: (error: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
  }
  follow(docId: DocId, stateVector: Uint8Array, source: DocSource): void {
    if (this.closed) return;
    this.followed.add(docId);
    this.network.follow(this, docId, stateVector, source);
  }
  unfollow(docId: DocId): void {
    this.followed.delete(docId);
  }
  /** An update arrives from the network; returns whether anyone here took it. */
  deliver(docId: DocId, update: Uint8Array): boolean {
    if (this.closed || !this.followed.has(docId)) return false;
    this.listeners.emit({ docId, update });
    return true;
  }
}

/** Whether an update carries nothing (no structs, no deletions). */
export function isEmptyUpdate(update: Uint8Array): boolean {
  const { structs, ds } = Y.decodeUpdate(update);
  return structs.length === 0 && ds.clients.size === 0;
}

/**
 * A local store whose writes (save, deleteDoc, setAside, saveSecrets) wait in one queue until `commit`
 * runs them on the inner layer, in order; reads go straight to the inner layer (they see committed writes
 * only). `crash()` drops the queue: those writes never happen and their promises never settle.
 */
export class DeferredLayer implements LocalStore, SecretStore {
  readonly direction = 'one-way' as const;
  readonly name: string;
  private queue: { run: () => Promise<void>; resolve: () => void; reject: (e: unknown) => void }[] = [];
  /** Writes dropped by `crash`. */
  lost = 0;

  constructor(readonly inner: LocalStore & SecretStore) {
    this.name = inner.name;
  }

  get pendingWrites(): number {
    return this.queue.length;
  }

  private write(run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => this.queue.push({ run, resolve, reject }));
  }

  /** Runs the first `n` queued writes (all by default), in order. */
  commit(n = Infinity): void {
    for (const w of this.queue.splice(0, n)) w.run().then(w.resolve, w.reject);
  }

  /** The process died: queued writes are lost. */
  crash(): void {
    this.lost += this.queue.length;
    this.queue = [];
  }

  load(docId: DocId): Promise<StoredRow[]> {
    return this.inner.load(docId);
  }
  save(docId: DocId, update: Uint8Array): Promise<void> {
    const bytes = update.slice();
    return this.write(() => this.inner.save(docId, bytes));
  }
  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void> {
    return this.write(() => this.inner.setAside(docId, keys));
  }
  deleteDoc(docId: DocId): Promise<void> {
    return this.write(() => this.inner.deleteDoc(docId));
  }
  listDocs(): Promise<DocId[]> {
    return this.inner.listDocs();
  }
  loadSecrets(): Promise<Secrets> {
    return this.inner.loadSecrets();
  }
  saveSecrets(secrets: Secrets): Promise<void> {
    return this.write(() => this.inner.saveSecrets(secrets));
  }
  destroy(): Promise<void> {
    this.commit();
    return this.inner.destroy();
  }
  /** Pending writes settle first (they are committed), then the inner layer closes. */
  close(): Promise<void> {
    this.commit();
    return this.inner.close();
  }
}
