/**
 * Binds one live Y.Doc to the layers of its space: every change is saved to every layer in parallel,
 * acknowledged per layer, retried on failure and never dropped; updates from two-way layers enter through
 * the update guard and are saved to the other layers.
 *
 * Coalescing and the loss window: updates are queued and written at most once per SAVE_COALESCE_MS per
 * layer (one merged row), or at once when MAX_COALESCED_BYTES are waiting or `flush()` is called (the UI
 * calls it on pagehide and before closing). So a crash of the tab loses at most the changes not yet
 * acknowledged: normally the last SAVE_COALESCE_MS of typing plus the transaction in flight (when a write
 * is already in flight, the next one starts after it completes, so the window is that write plus
 * SAVE_COALESCE_MS plus its own transaction). While a layer is failing, queued changes wait in memory,
 * unbounded, with the status showing the error. Either way nothing is ever shown as saved before its
 * IndexedDB transaction completed.
 *
 * Two per-layer exceptions. A layer marked `immediate` (other tabs) gets each change at once, not after
 * SAVE_COALESCE_MS: its far side is waiting and its writes are cheap. A same-origin layer (other tabs of
 * this browser, sharing our IndexedDB) is bound to the document (see SameOriginLayer): what arrives from it
 * is not queued to the one-way layers (the sending tab writes it to the shared store itself), and it is
 * told which changes the one-way layers have acknowledged, so it can tell its peers to stop holding them.
 */
import * as Y from 'yjs';
import { asPersistenceError, ErrorCode, PersistenceError, UpdateRejectedError, type QuireError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { UpdateGuard, type GuardContext } from '../guard/UpdateGuard.ts';
import { isSameOrigin, isTwoWay, type DocId, type DocSource, type PersistenceLayer, type SameOriginLayer } from '../persistence/PersistenceLayer.ts';
import { Outbox, type Queued } from './Outbox.ts';
import type { SaveStatus } from './SaveStatus.ts';

/** Bounds how long a local change waits before its write starts: 250 ms keeps typing at <= 4 writes/s. */
export const SAVE_COALESCE_MS = 250;
/** Bounds the bytes a layer's queue holds before it is written without waiting (a big paste): 1 MiB. */
export const MAX_COALESCED_BYTES = 1024 * 1024;
/** First retry delay after a failed write; doubles per failure up to RETRY_MAX_MS. */
export const RETRY_INITIAL_MS = 500;
/** Bounds the retry backoff of a failing layer: 30 s. */
export const RETRY_MAX_MS = 30_000;

export interface DocSyncOptions {
  clock: Clock;
  status: SaveStatus;
  /** Key of this document in the status ("space-id/doc-id"). */
  statusKey: string;
  coalesceMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

interface Waiter {
  target: number;
  /** Waits for the layers marked `remote` too (a flush), or only for the others (a close). */
  remote: boolean;
  resolve: () => void;
  reject: (e: QuireError) => void;
}

export class DocSync {
  private seq = 0;
  private outboxes: Outbox[];
  private readonly guard: UpdateGuard;
  private timer: unknown = null;
  private waiters: Waiter[] = [];
  private closed = false;
  private readonly opts: Required<Omit<DocSyncOptions, 'clock' | 'status' | 'statusKey'>> & DocSyncOptions;
  private readonly sameOrigin: SameOriginLayer[];
  private readonly unbind: (() => void)[] = [];
  /** What a two-way layer may read of this document (see TwoWayLayer.follow). */
  readonly source: DocSource = { diff: (stateVector) => Y.encodeStateAsUpdate(this.doc, stateVector), stateVector: () => Y.encodeStateVector(this.doc) };
  /** The highest seq reported to the same-origin layers as acknowledged by every one-way layer. */
  private durableReported = 0;

  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (this.closed) return;
    const seq = ++this.seq;
    // From another tab of this browser: that tab writes it to the shared store; writing it here too would
    // store every keystroke twice. (If that tab dies first, its layer hands it back through `persist`.)
    const peerTab = isSameOrigin(origin);
    for (const o of this.outboxes) {
      if (o.layer === origin || (peerTab && o.layer.direction === 'one-way')) continue;
      o.push({ seq, update });
      o.layer.queued?.(this.docId);
    }
    this.changed();
    this.kick();
  };

  constructor(
    readonly doc: Y.Doc,
    readonly docId: DocId,
    readonly layers: readonly PersistenceLayer[],
    options: DocSyncOptions,
  ) {
    this.opts = {
      ...options,
      coalesceMs: options.coalesceMs ?? SAVE_COALESCE_MS,
      retryInitialMs: options.retryInitialMs ?? RETRY_INITIAL_MS,
      retryMaxMs: options.retryMaxMs ?? RETRY_MAX_MS,
    };
    this.outboxes = layers.map((l) => new Outbox(l));
    this.guard = new UpdateGuard(doc);
    doc.on('update', this.onUpdate);
    this.sameOrigin = layers.filter(isSameOrigin);
    for (const l of this.sameOrigin) {
      this.unbind.push(
        l.bind(docId, {
          diff: (stateVector) => Y.encodeStateAsUpdate(doc, stateVector),
          persist: (update) => this.persistFromPeer(update, l),
          refresh: () => this.refreshFromStores(),
        }),
      );
    }
  }

  /**
   * An update a dead peer tab sent but never stored: applied through the guard (a no-op when this document
   * already has it, the normal case) and queued for every one-way layer, so the status counts it pending
   * until the shared store acknowledged it. Throws UpdateRejectedError; then nothing is queued.
   */
  private persistFromPeer(update: Uint8Array, from: SameOriginLayer): void {
    if (this.closed) throw new PersistenceError(ErrorCode.Closed, `${this.docId}: closed`, { docId: this.docId, layer: from.name });
    this.guard.apply(update, from, { docId: this.docId, source: from.name });
    const seq = ++this.seq;
    const oneWay = this.outboxes.filter((o) => o.layer.direction === 'one-way');
    for (const o of oneWay) o.push({ seq, update });
    this.changed();
    // At once, not at the next coalescing tick: these are already late (their author is gone), and a
    // timer started by a local edit could leave them unwritten for SAVE_COALESCE_MS more.
    for (const o of oneWay) if (o.retryTimer === null) this.pump(o);
  }

  /** Applies what the one-way layers hold and the document lacks (see LocalDocBinding.refresh). */
  private async refreshFromStores(): Promise<void> {
    for (const o of this.outboxes) {
      if (o.layer.direction !== 'one-way') continue;
      const rows = await o.layer.load(this.docId);
      if (this.closed) return;
      for (const row of rows) {
        try {
          // Origin: that layer, so what it already holds is not written back to it.
          this.guard.apply(row.update, o.layer, { docId: this.docId, source: o.layer.name });
        } catch (e) {
          if (!(e instanceof UpdateRejectedError)) throw e;
          this.opts.status.reportError(e, this.docId, o.layer.name);
        }
      }
    }
  }

  /** Starts the writes a new change calls for: immediate layers now, the others after the coalescing delay. */
  private kick(): void {
    if (this.outboxes.some((o) => o.queuedBytes >= MAX_COALESCED_BYTES)) return this.pumpAll();
    for (const o of this.outboxes) if (o.layer.immediate && o.retryTimer === null) this.pump(o);
    if (this.outboxes.some((o) => !o.layer.immediate && o.queue.length > 0)) this.schedule(this.opts.coalesceMs);
  }

  /** Queues bytes for one layer only (a layer that lacks part of the state found at load). */
  backfill(layer: PersistenceLayer, update: Uint8Array): void {
    const o = this.outboxes.find((x) => x.layer === layer);
    if (!o) return;
    o.push({ seq: ++this.seq, update });
    layer.queued?.(this.docId);
    this.changed();
    if (layer.immediate && o.retryTimer === null) this.pump(o);
    else this.schedule(0);
  }

  /**
   * Applies an update that came from outside (a two-way layer, another tab, an import) through the guard.
   * `from` is the layer it came from (it is not written back there), or a string naming the source.
   * Throws UpdateRejectedError; a rejected update reaches neither the document nor any layer.
   */
  applyRemote(update: Uint8Array, from: PersistenceLayer | string): void {
    const ctx: GuardContext = { docId: this.docId, source: typeof from === 'string' ? from : from.name };
    this.guard.apply(update, from, ctx);
  }

  /** The layers this document is bound to now. */
  boundLayers(): PersistenceLayer[] {
    return this.outboxes.map((o) => o.layer);
  }

  /** Whether `layer` is one of this document's layers. */
  hasLayer(layer: PersistenceLayer): boolean {
    return this.outboxes.some((o) => o.layer === layer);
  }

  /**
   * Binds a two-way layer to this open document (sync was started for an open space): it is followed
   * with the document's state vector and its source, so the far side and this document exchange what each
   * lacks. Same-origin layers are bound at creation only.
   */
  addLayer(layer: PersistenceLayer): void {
    if (this.closed || this.hasLayer(layer)) return;
    if (isSameOrigin(layer)) throw new PersistenceError(ErrorCode.InvalidOperation, `${layer.name}: a same-origin layer cannot be added to an open document`, { layer: layer.name, docId: this.docId });
    this.outboxes.push(new Outbox(layer));
    if (isTwoWay(layer)) layer.follow(this.docId, Y.encodeStateVector(this.doc), this.source);
  }

  /**
   * Unbinds a layer (sync was stopped): what is queued for it is dropped (the local stores hold it; the
   * next follow gives it back to the far side), its pending count and failing streak end, and flushes
   * stop waiting for it.
   */
  removeLayer(layer: PersistenceLayer): void {
    const o = this.outboxes.find((x) => x.layer === layer);
    if (!o) return;
    this.outboxes = this.outboxes.filter((x) => x !== o);
    if (o.retryTimer !== null) this.opts.clock.clearTimeout(o.retryTimer);
    o.retryTimer = null;
    if (isTwoWay(layer)) layer.unfollow(this.docId);
    this.opts.status.setPending(layer.name, this.opts.statusKey, 0);
    this.opts.status.layerRecovered(layer.name, this.opts.statusKey);
    this.settleWaiters();
  }

  /** Updates not yet acknowledged by `layer` (or by all layers). */
  pending(layer?: PersistenceLayer): number {
    return this.outboxes.filter((o) => !layer || o.layer === layer).reduce((a, o) => a + o.pending, 0);
  }

  /**
   * Writes everything queued now and resolves when every layer acknowledged every change made before
   * the call, and what a same-origin layer hands over from a dead peer tab (see SameOriginLayer.settle).
   * Rejects with the layer's error if a write fails first (the changes stay queued and are retried;
   * nothing is dropped).
   */
  flush(options: { remote?: boolean } = {}): Promise<void> {
    const remote = options.remote ?? true;
    // A peer tab that died may have left updates only this tab holds: they are part of what must be saved.
    const settling = this.closed ? [] : this.sameOrigin.map((l) => l.settle(this.docId)).filter((p) => p !== undefined);
    if (settling.length > 0) return Promise.all(settling).then(() => this.flush(options));
    const target = this.seq;
    if (this.awaited(remote).every((o) => o.lowestUnacked() > target)) return Promise.resolve();
    // Detached with writes still queued (deleted, abandoned): they will never be written; say so rather
    // than leave the caller waiting forever.
    if (this.closed) return Promise.reject(new PersistenceError(ErrorCode.Closed, `${this.docId}: closed before it was saved`, { docId: this.docId }));
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ target, remote, resolve, reject }));
    this.pumpAll(true);
    return p;
  }

  /**
   * Flushes until nothing is pending on this device, then detaches from the document. Rejects (and stays
   * attached) if a flush fails. Looping closes the gap where a change arrives while the previous flush was
   * in flight. A `remote` layer (a relay) is handed every change but not waited for: it keeps what it was
   * handed and sends it when it can, and the next open of the page exchanges what the far side lacks;
   * waiting would make closing a page hang for as long as the relay is unreachable.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    do await this.flush({ remote: false });
    while (this.awaited(false).some((o) => o.pending > 0) && !this.closed);
    this.detach();
  }

  /** The outboxes a flush waits for: every one, or (remote false) those of layers on this device. */
  private awaited(remote: boolean): Outbox[] {
    return remote ? this.outboxes : this.outboxes.filter((o) => !o.layer.remote);
  }

  /** Detaches without flushing (the document was deleted forever, or the space is being destroyed). */
  detach(): void {
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    this.guard.destroy();
    for (const u of this.unbind.splice(0)) u();
    if (this.timer !== null) this.opts.clock.clearTimeout(this.timer);
    for (const o of this.outboxes) {
      if (o.retryTimer !== null) this.opts.clock.clearTimeout(o.retryTimer);
      if (isTwoWay(o.layer)) o.layer.unfollow(this.docId);
      this.opts.status.setPending(o.layer.name, this.opts.statusKey, 0);
      // The document is gone from here (deleted, or the space abandoned): its failing streak ends with it.
      this.opts.status.layerRecovered(o.layer.name, this.opts.statusKey);
    }
    const closedError = new PersistenceError(ErrorCode.Closed, `${this.docId}: closed before it was saved`, { docId: this.docId });
    for (const w of this.waiters.splice(0)) w.reject(closedError);
  }

  private schedule(ms: number): void {
    if (this.timer !== null || this.closed) return;
    this.timer = this.opts.clock.setTimeout(() => {
      this.timer = null;
      this.pumpAll();
    }, ms);
  }

  /** Starts the writes of every layer. A failing layer waits for its backoff unless `force` (an explicit
   * flush: the user asked, or the tab is closing). */
  private pumpAll(force = false): void {
    if (this.timer !== null) {
      this.opts.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    for (const o of this.outboxes) {
      if (o.retryTimer !== null) {
        if (!force) continue;
        this.opts.clock.clearTimeout(o.retryTimer);
        o.retryTimer = null;
      }
      this.pump(o);
    }
  }

  private pump(o: Outbox): void {
    if (this.closed) return;
    const job = o.take();
    if (!job) return;
    const ticket = this.opts.status.ticket();
    o.layer.save(this.docId, job.bytes, { seq: job.batch[job.batch.length - 1]!.seq }).then(
      () => this.onSaved(o, job.batch, ticket),
      (e: unknown) => this.onFailed(o, job.batch, asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: o.layer.name, docId: this.docId })),
    );
  }

  private onSaved(o: Outbox, batch: Queued[], ticket: number): void {
    // The layer was removed while the write was in flight, or (a remote layer) the document was closed.
    if (!this.outboxes.includes(o) || this.closed) return;
    o.acknowledged(batch);
    this.opts.status.layerRecovered(o.layer.name, this.opts.statusKey, ticket);
    this.changed();
    // Before the waiters: a tab closing cleanly tells its peers what is stored before its flush resolves.
    this.reportDurable();
    this.settleWaiters();
    if (o.queue.length > 0) {
      if (o.layer.immediate) this.pump(o);
      else this.schedule(this.opts.coalesceMs);
    }
  }

  /** Tells the same-origin layers up to which seq every one-way layer has acknowledged every change. */
  private reportDurable(): void {
    if (this.sameOrigin.length === 0 || this.closed) return;
    const oneWay = this.outboxes.filter((o) => o.layer.direction === 'one-way');
    const durable = Math.min(this.seq, ...oneWay.map((o) => o.lowestUnacked() - 1));
    if (durable <= this.durableReported) return;
    this.durableReported = durable;
    for (const l of this.sameOrigin) l.localDurable(this.docId, durable);
  }

  private onFailed(o: Outbox, batch: Queued[], error: PersistenceError): void {
    if (!this.outboxes.includes(o) || this.closed) return; // as in onSaved
    o.failed(batch);
    this.changed();
    this.opts.status.layerFailed(o.layer.name, error, this.opts.statusKey, this.docId);
    const lowest = batch[0]?.seq ?? Infinity;
    this.waiters = this.waiters.filter((w) => {
      if (w.target >= lowest && (w.remote || !o.layer.remote)) {
        w.reject(error);
        return false;
      }
      return true;
    });
    // A pipelined layer fails its batches one by one: one retry timer covers them all.
    if (this.closed || o.retryTimer !== null) return;
    const delay = Math.min(this.opts.retryMaxMs, this.opts.retryInitialMs * 2 ** (o.failures - 1));
    o.retryTimer = this.opts.clock.setTimeout(() => {
      o.retryTimer = null;
      this.pump(o);
    }, delay);
  }

  private settleWaiters(): void {
    const lowest = Math.min(...this.outboxes.map((o) => o.lowestUnacked()));
    const lowestHere = Math.min(...this.awaited(false).map((o) => o.lowestUnacked()));
    this.waiters = this.waiters.filter((w) => {
      if (w.target < (w.remote ? lowest : lowestHere)) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  private changed(): void {
    for (const o of this.outboxes) this.opts.status.setPending(o.layer.name, this.opts.statusKey, o.pending);
  }
}
