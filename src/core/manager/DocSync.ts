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
 */
import type * as Y from 'yjs';
import { asPersistenceError, ErrorCode, PersistenceError, type QuireError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { UpdateGuard, type GuardContext } from '../guard/UpdateGuard.ts';
import { isTwoWay, type DocId, type PersistenceLayer } from '../persistence/PersistenceLayer.ts';
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
  resolve: () => void;
  reject: (e: QuireError) => void;
}

export class DocSync {
  private seq = 0;
  private readonly outboxes: Outbox[];
  private readonly guard: UpdateGuard;
  private timer: unknown = null;
  private waiters: Waiter[] = [];
  private closed = false;
  private readonly opts: Required<Omit<DocSyncOptions, 'clock' | 'status' | 'statusKey'>> & DocSyncOptions;

  private readonly onUpdate = (update: Uint8Array, origin: unknown) => {
    if (this.closed) return;
    const seq = ++this.seq;
    for (const o of this.outboxes) if (o.layer !== origin) o.push({ seq, update });
    this.changed();
    if (this.outboxes.some((o) => o.queuedBytes >= MAX_COALESCED_BYTES)) this.pumpAll();
    else this.schedule(this.opts.coalesceMs);
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
  }

  /** Queues bytes for one layer only (a layer that lacks part of the state found at load). */
  backfill(layer: PersistenceLayer, update: Uint8Array): void {
    const o = this.outboxes.find((x) => x.layer === layer);
    if (!o) return;
    o.push({ seq: ++this.seq, update });
    this.changed();
    this.schedule(0);
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

  /** Updates not yet acknowledged by `layer` (or by all layers). */
  pending(layer?: PersistenceLayer): number {
    return this.outboxes.filter((o) => !layer || o.layer === layer).reduce((a, o) => a + o.pending, 0);
  }

  /**
   * Writes everything queued now and resolves when every layer acknowledged every change made before
   * the call. Rejects with the layer's error if a write fails first (the changes stay queued and are
   * retried; nothing is dropped).
   */
  flush(): Promise<void> {
    const target = this.seq;
    if (this.outboxes.every((o) => o.lowestUnacked() > target)) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
    this.pumpAll(true);
    return p;
  }

  /** Flushes, then detaches from the document. Rejects (and stays attached) if the flush fails. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.detach();
  }

  /** Detaches without flushing (the document was deleted forever, or the space is being destroyed). */
  detach(): void {
    this.closed = true;
    this.doc.off('update', this.onUpdate);
    this.guard.destroy();
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
    o.layer.save(this.docId, job.bytes).then(
      () => this.onSaved(o, ticket),
      (e: unknown) => this.onFailed(o, job.batch, asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: o.layer.name, docId: this.docId })),
    );
  }

  private onSaved(o: Outbox, ticket: number): void {
    o.acknowledged();
    this.opts.status.layerRecovered(o.layer.name, this.opts.statusKey, ticket);
    this.changed();
    this.settleWaiters();
    if (o.queue.length > 0) this.schedule(this.opts.coalesceMs);
  }

  private onFailed(o: Outbox, batch: Queued[], error: PersistenceError): void {
    o.failed();
    this.changed();
    this.opts.status.layerFailed(o.layer.name, error, this.opts.statusKey, this.docId);
    const lowest = batch[0]?.seq ?? Infinity;
    this.waiters = this.waiters.filter((w) => {
      if (w.target >= lowest) {
        w.reject(error);
        return false;
      }
      return true;
    });
    if (this.closed) return;
    const delay = Math.min(this.opts.retryMaxMs, this.opts.retryInitialMs * 2 ** (o.failures - 1));
    o.retryTimer = this.opts.clock.setTimeout(() => {
      o.retryTimer = null;
      this.pump(o);
    }, delay);
  }

  private settleWaiters(): void {
    const lowest = Math.min(...this.outboxes.map((o) => o.lowestUnacked()));
    this.waiters = this.waiters.filter((w) => {
      if (w.target < lowest) {
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
