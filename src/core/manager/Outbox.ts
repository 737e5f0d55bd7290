/**
 * What one layer still has to acknowledge for one document.
 *
 * Updates are numbered by the document's DocSync (seq); an outbox holds those its layer has not
 * acknowledged, in order. Normally at most one save is in flight per outbox: the queued updates are
 * merged into one write, which is how typing becomes a few transactions a second instead of one per
 * keystroke. A layer marked `pipelined` (a relay: its save resolves when the far side STORED it, a second
 * or more later, while sending is cheap) takes a new save while earlier ones await their acknowledgement;
 * each batch is acknowledged or failed on its own. A failed save puts its updates back in seq order;
 * nothing is ever dropped.
 */
import * as Y from 'yjs';
import type { PersistenceLayer } from '../persistence/PersistenceLayer.ts';

export interface Queued {
  readonly seq: number;
  readonly update: Uint8Array;
}

export class Outbox {
  queue: Queued[] = [];
  /** Batches handed to the layer and not acknowledged yet (at most one unless the layer is pipelined). */
  private inFlight: Queued[][] = [];
  /** Bytes waiting in `queue` (drives an early flush on big pastes). */
  queuedBytes = 0;
  /** Consecutive failures, for the retry backoff. */
  failures = 0;
  retryTimer: unknown = null;

  constructor(readonly layer: PersistenceLayer) {}

  push(q: Queued): void {
    this.queue.push(q);
    this.queuedBytes += q.update.byteLength;
  }

  /** Number of updates not yet acknowledged. */
  get pending(): number {
    return this.queue.length + this.inFlight.reduce((a, b) => a + b.length, 0);
  }

  /** The lowest seq this layer has not acknowledged, or Infinity. */
  lowestUnacked(): number {
    return Math.min(this.queue[0]?.seq ?? Infinity, ...this.inFlight.map((b) => b[0]?.seq ?? Infinity));
  }

  /** Takes the whole queue as one merged write (none while a write is in flight, unless pipelined). */
  take(): { batch: Queued[]; bytes: Uint8Array } | null {
    if ((this.inFlight.length > 0 && !this.layer.pipelined) || this.queue.length === 0) return null;
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlight.push(batch);
    const bytes = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((q) => q.update));
    return { batch, bytes };
  }

  acknowledged(batch: Queued[]): void {
    this.inFlight = this.inFlight.filter((b) => b !== batch);
    this.failures = 0;
  }

  failed(batch: Queued[]): void {
    this.inFlight = this.inFlight.filter((b) => b !== batch);
    this.queue = [...batch, ...this.queue].sort((a, b) => a.seq - b.seq);
    this.queuedBytes = this.queue.reduce((a, q) => a + q.update.byteLength, 0);
    this.failures++;
  }
}
