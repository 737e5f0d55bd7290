/**
 * The save status every UI indicator reads: how many local changes each layer has not yet acknowledged,
 * and which layers are failing. It tells the truth by construction: a change counts as pending from the
 * moment the document emits it until the layer's promise resolved.
 *
 * Errors are reported once per failing streak of a layer (the first failure), not once per retry, so the
 * user sees one message with a way forward, and `recovered` when the backlog was written after all. A
 * streak is tracked per (layer, document): a layer is failing while any of its documents is, so a write
 * that started before a failure and succeeds after it does not end the streak of the others. Writes carry
 * a ticket taken when they start: only a success that started after the failure ends its streak.
 */
import type { QuireError } from '../errors.ts';
import { Listeners } from '../Listeners.ts';

export type SaveState = 'saved' | 'saving' | 'error';

export interface LayerStatus {
  readonly name: string;
  readonly direction: 'one-way' | 'two-way';
  /** The layer keeps data off this device (the relay): its acknowledgements mean "synced", not "saved". */
  readonly remote: boolean;
  /** Updates emitted locally (or received from another layer) that this layer has not acknowledged. */
  readonly pending: number;
  /** The error of the current failing streak, or null. */
  readonly error: QuireError | null;
}

export interface StatusSnapshot {
  readonly state: SaveState;
  readonly pending: number;
  readonly layers: readonly LayerStatus[];
  /** The latest error reported (it stays until the next one; `state` says whether it is current). */
  readonly lastError: QuireError | null;
  /**
   * The same over this device's layers only (local stores, other tabs): what "Saved on this device", the
   * warning before closing and "reload when saved" mean. A relay that is offline or slow never makes a
   * change count as unsaved here; the sync status reports it.
   */
  readonly device: { readonly state: SaveState; readonly pending: number };
}

export type StatusEvent =
  | { type: 'error'; error: QuireError; layer: string | null; docId: string | null }
  | { type: 'recovered'; layer: string };

export class SaveStatus {
  private readonly layers = new Map<string, { direction: 'one-way' | 'two-way'; remote: boolean; pending: Map<string, number>; failing: Map<string, number>; error: QuireError | null }>();
  private tickets = 0;
  private lastError: QuireError | null = null;
  private readonly listeners = new Listeners<StatusSnapshot>();
  private readonly eventListeners = new Listeners<StatusEvent>();
  /** Every error reported, in order (tests count them; the UI shows the latest). */
  readonly errors: QuireError[] = [];

  addLayer(name: string, direction: 'one-way' | 'two-way', remote = false): void {
    if (!this.layers.has(name)) this.layers.set(name, { direction, remote, pending: new Map(), failing: new Map(), error: null });
  }

  /** Forgets a layer (it was detached from its space): its pending count and error no longer count. */
  removeLayer(name: string): void {
    const l = this.layers.get(name);
    if (!l) return;
    this.layers.delete(name);
    if (l.error) this.eventListeners.emit({ type: 'recovered', layer: name });
    this.emit();
  }

  /** Sets the number of updates `layer` has not acknowledged for document `key`. */
  setPending(layer: string, key: string, count: number): void {
    const l = this.layers.get(layer);
    if (!l) return;
    if (count > 0) l.pending.set(key, count);
    else l.pending.delete(key);
    this.emit();
  }

  /** A write (or load) of `layer` for `key` failed. Reported only when the layer was not already failing. */
  layerFailed(layer: string, error: QuireError, key: string, docId: string | null = null): void {
    const l = this.layers.get(layer);
    if (!l) return this.report({ type: 'error', error, layer, docId });
    l.failing.set(key, ++this.tickets);
    if (l.error) return;
    l.error = error;
    this.report({ type: 'error', error, layer, docId });
  }

  /** Taken when a write starts; handed to `layerRecovered` when it succeeds. */
  ticket(): number {
    return ++this.tickets;
  }

  /**
   * A write of `layer` for `key` succeeded: that key's streak ends if the write started after the
   * failure (`ticket`; omit it when the streak ends regardless, e.g. the document is gone). The layer
   * recovers when no key is failing.
   */
  layerRecovered(layer: string, key: string, ticket = Infinity): void {
    const l = this.layers.get(layer);
    if (!l) return;
    const failedAt = l.failing.get(key);
    if (failedAt !== undefined && ticket < failedAt) return;
    l.failing.delete(key);
    if (!l.error || l.failing.size > 0) return;
    l.error = null;
    this.eventListeners.emit({ type: 'recovered', layer });
    this.emit();
  }

  /** An error that is not a layer's failing streak (a rejected update, a corrupt row set aside). */
  reportError(error: QuireError, docId: string | null = null, layer: string | null = null): void {
    this.report({ type: 'error', error, layer, docId });
  }

  private report(e: Extract<StatusEvent, { type: 'error' }>): void {
    this.lastError = e.error;
    this.errors.push(e.error);
    this.eventListeners.emit(e);
    this.emit();
  }

  snapshot(): StatusSnapshot {
    const layers = [...this.layers].map(([name, l]) => ({
      name,
      direction: l.direction,
      remote: l.remote,
      pending: [...l.pending.values()].reduce((a, b) => a + b, 0),
      error: l.error,
    }));
    const pending = layers.reduce((a, l) => a + l.pending, 0);
    const state: SaveState = layers.some((l) => l.error) ? 'error' : pending > 0 ? 'saving' : 'saved';
    const local = layers.filter((l) => !l.remote);
    const devicePending = local.reduce((a, l) => a + l.pending, 0);
    const deviceState: SaveState = local.some((l) => l.error) ? 'error' : devicePending > 0 ? 'saving' : 'saved';
    return { state, pending, layers, lastError: this.lastError, device: { state: deviceState, pending: devicePending } };
  }

  subscribe(listener: (s: StatusSnapshot) => void): () => void {
    return this.listeners.add(listener);
  }

  onEvent(listener: (e: StatusEvent) => void): () => void {
    return this.eventListeners.add(listener);
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    this.listeners.emit(this.snapshot());
  }
}
