/**
 * What one layer still has to acknowledge for one document.
 *
 * Updates are numbered by the document's DocSync (seq); an outbox holds those its layer has not
 * acknowledged, in order. At most one save is in flight per outbox: the queued updates are merged into
 * one write, which is how typing becomes a few transactions a second instead of one per keystroke.
 * A failed save puts its updates back at the head of the queue; nothing is ever dropped.
 */
import * as Y from 'yjs';
import type { PersistenceLayer } from '../persistence/PersistenceLayer.ts';

export interface Queued {
  readonly seq: number;
  readonly update: Uint8Array;
}

export class Outbox {
  queue: Queued[] = [];
  inFlight: Queued[] | null = null;
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
    return this.queue.length + (this.inFlight?.length ?? 0);
  }

  /** The lowest seq this layer has not acknowledged, or Infinity. */
  lowestUnacked(): number {
    return this.inFlight?.[0]?.seq ?? this.queue[0]?.seq ?? Infinity;
  }

  /** Takes the whole queue as one merged write. */
  take(): { batch: Queued[]; bytes: Uint8Array } | null {
    if (this.inFlight || this.queue.length === 0) return null;
    const batch = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    this.inFlight = batch;
    const bytes = batch.length === 1 ? batch[0]!.update : Y.mergeUpdates(batch.map((q) => q.update));
    return { batch, bytes };
  }

  acknowledged(): void {
    this.inFlight = null;
    this.failures = 0;
  }

  failed(): void {
    const batch = this.inFlight ?? [];
    this.inFlight = null;
    this.queue = [...batch, ...this.queue];
    this.queuedBytes = this.queue.reduce((a, q) => a + q.update.byteLength, 0);
    this.failures++;
  }
}
