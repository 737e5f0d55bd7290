/**
 * A two-way layer for tests: stores like MemoryLayer and lets the test deliver "remote" updates, as the
 * relay or another tab would. It records what it was asked to follow.
 */
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import type { DocId, DocSource, IncomingUpdate, StoredRow, TwoWayLayer } from '../persistence/PersistenceLayer.ts';
import type { PersistenceError } from '../errors.ts';

export class ScriptedTwoWayLayer extends MemoryLayer implements TwoWayLayer {
  override readonly direction = 'two-way' as const;
  readonly followed = new Map<DocId, Uint8Array>();
  /** The source each followed document was followed with (what the far side could read of it). */
  readonly sources = new Map<DocId, DocSource>();
  private readonly listeners = new Set<(u: IncomingUpdate) => void>();
  private readonly errorListeners = new Set<(e: PersistenceError) => void>();

  constructor(spaceId: string, store = new MemoryStore(), name = 'two-way') {
    super(spaceId, store, name);
  }

  /** Documents this layer was asked to load, in order (opening must not wait on the far side needlessly). */
  readonly loads: DocId[] = [];

  override load(docId: DocId): Promise<StoredRow[]> {
    this.loads.push(docId);
    return super.load(docId);
  }

  subscribe(listener: (u: IncomingUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onError(listener: (e: PersistenceError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }
  follow(docId: DocId, stateVector: Uint8Array, source: DocSource): void {
    this.followed.set(docId, stateVector);
    this.sources.set(docId, source);
  }
  unfollow(docId: DocId): void {
    this.followed.delete(docId);
    this.sources.delete(docId);
  }
  /** Simulates an update arriving from the far side. */
  deliver(docId: DocId, update: Uint8Array): void {
    for (const l of this.listeners) l({ docId, update });
  }
  /** Simulates a failure outside any call (the connection dropped). */
  fail(error: PersistenceError): void {
    for (const l of this.errorListeners) l(error);
  }
}
