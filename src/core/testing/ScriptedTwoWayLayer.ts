/**
 * A two-way layer for tests: the far side keeps what it is sent in a MemoryStore (as a relay keeps what it
 * stored) and the test delivers "remote" updates, as the relay or another tab would. It records what it
 * was asked to follow. Like a real transport it is no local store: it has nothing to set aside or delete.
 */
import { MemoryLayer, MemoryStore } from '../persistence/MemoryLayer.ts';
import type { DocId, DocSource, IncomingUpdate, SaveInfo, StoredRow, TwoWayLayer } from '../persistence/PersistenceLayer.ts';
import type { PersistenceError } from '../errors.ts';
import { Listeners } from '../Listeners.ts';

export class ScriptedTwoWayLayer implements TwoWayLayer {
  readonly direction = 'two-way' as const;
  readonly followed = new Map<DocId, Uint8Array>();
  /** The source each followed document was followed with (what the far side could read of it). */
  readonly sources = new Map<DocId, DocSource>();
  /** Documents this layer was asked to load, in order (opening must not wait on the far side needlessly). */
  readonly loads: DocId[] = [];
  /** What the far side stored. */
  private readonly far: MemoryLayer;
  private readonly listeners = new Listeners<IncomingUpdate>();
  private readonly errorListeners = new Listeners<PersistenceError>();

  constructor(
    readonly spaceId: string,
    readonly store = new MemoryStore(),
    readonly name = 'two-way',
  ) {
    this.far = new MemoryLayer(spaceId, store, name);
  }

  load(docId: DocId): Promise<StoredRow[]> {
    this.loads.push(docId);
    return this.far.load(docId);
  }
  save(docId: DocId, update: Uint8Array, _info?: SaveInfo): Promise<void> {
    return this.far.save(docId, update);
  }
  close(): Promise<void> {
    return this.far.close();
  }
  subscribe(listener: (u: IncomingUpdate) => void): () => void {
    return this.listeners.add(listener);
  }
  onError(listener: (e: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
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
    this.listeners.emit({ docId, update });
  }
  /** Simulates a failure outside any call (the connection dropped). */
  fail(error: PersistenceError): void {
    this.errorListeners.emit(error);
  }
}
