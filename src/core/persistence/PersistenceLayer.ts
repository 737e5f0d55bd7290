/**
 * The persistence contract (design document 000), in three parts:
 *
 * - `PersistenceLayer`: what every layer of a space does, stores and sync paths alike: load, save, close.
 * - `LocalStore`: what only a store on this device does (the one-way layers): set refused rows aside,
 *   delete a document, list documents, destroy the space's data. `isLocalStore` tells them apart.
 * - `TwoWayLayer` / `SameOriginLayer`: sync paths (the relay, other tabs) that also deliver updates that
 *   arrived from elsewhere. They keep nothing of ours to quarantine, delete or list, so they implement none
 *   of the store's methods.
 *
 * Device secrets (keys, tokens) are not on this contract: see SecretStore.ts.
 *
 * A layer is created for ONE space and stores that space's documents: the space document (id SPACE_DOC_ID)
 * and one document per page (id = page id). It is byte-oriented: it stores and returns Yjs updates and never
 * interprets them. Every operation returns a promise that resolves only when the effect is durable in that
 * layer (the acknowledgement) and rejects with a PersistenceError carrying an ErrorCode. Bytes a two-way
 * layer delivers are untrusted and go through the update guard before use.
 */
import type { PersistenceError } from '../errors.ts';

/** Identifies a document within a space: SPACE_DOC_ID for the space document, otherwise a page id. */
export type DocId = string;

/** The id of the space document (page tree and metadata) inside every space. */
export const SPACE_DOC_ID = 'space';

/** Opaque handle of one stored row, handed back to `setAside`. */
export type RowKey = string | number;

/** One stored update. A row the layer cannot read as bytes is returned with an empty `update`, so the
 * guard refuses it and it is set aside rather than silently skipped. */
export interface StoredRow {
  readonly key: RowKey;
  readonly update: Uint8Array;
}

/** What every layer of a space implements: local stores and two-way layers alike. */
export interface PersistenceLayer {
  /** Human-readable and unique among the layers of a space ("indexeddb", "memory", "relay:wss://..."). */
  readonly name: string;
  readonly direction: 'one-way' | 'two-way';
  /**
   * Latency hint: DocSync writes each change to this layer as soon as it is made instead of coalescing it
   * for SAVE_COALESCE_MS. For layers whose writes are cheap and whose far side is waiting (other tabs: an
   * edit must reach them within 100 ms). Stores leave it unset: coalescing is what keeps them to a few
   * transactions a second.
   */
  readonly immediate?: boolean;
  /**
   * DocSync may hand this layer a new save while earlier ones still await their acknowledgement (it keeps
   * them in order itself). For a layer whose acknowledgement comes long after the write was sent (a relay
   * acknowledges once it STORED the change, after its store debounce): without it, each change would wait
   * for the previous one to be stored before it is even sent.
   */
  readonly pipelined?: boolean;
  /**
   * The layer keeps data off this device (a relay). Its acknowledgements mean "synced", not "saved": the
   * save status's `device` part ignores it, so an offline relay never makes an edit look unsaved.
   */
  readonly remote?: boolean;

  /** Everything stored for a document, in storage order. Resolves [] for an unknown document. */
  load(docId: DocId): Promise<StoredRow[]>;
  /** Stores one update. Resolves only when it is durable in this layer. `info` is given by DocSync; most
   * layers ignore it (a same-origin layer needs it to tell its peers what its local stores acknowledged). */
  save(docId: DocId, update: Uint8Array, info?: SaveInfo): Promise<void>;
  /** Releases resources. Pending operations settle first; later calls reject with code 'closed'. */
  close(): Promise<void>;
  /**
   * Optional. DocSync calls it synchronously each time it queues a change of `docId` for this layer: before
   * the coalescing delay, a retry backoff of this layer, or the save itself. For a layer whose far side must
   * learn of the change even if this tab dies before it is sent (the relay: the background sync records
   * the document as not yet stored by the relay). Called per change: it must be cheap and never throw.
   */
  queued?(docId: DocId): void;

  /**
   * Failures of work the layer does on its own, outside any call (compaction of a store, a dropped
   * connection). Optional for one-way layers; the manager reports them to the status API.
   */
  onError?(listener: (error: PersistenceError) => void): () => void;
}

/** What DocSync tells a layer about one write. */
export interface SaveInfo {
  /** The highest DocSync sequence number merged into this write (numbering of one open DocSync). */
  readonly seq: number;
}

/** What a two-way layer may read of a followed document: what it holds beyond a state vector. */
export interface DocSource {
  /** Everything the live document holds that `stateVector` lacks, as an update. */
  diff(stateVector: Uint8Array): Uint8Array;
  /** The live document's state vector now (a layer that reconnects asks again for what it lacks). */
  stateVector(): Uint8Array;
}

/** A remote update delivered by a two-way layer. `update` is untrusted. */
export interface IncomingUpdate {
  readonly docId: DocId;
  readonly update: Uint8Array;
}

export interface TwoWayLayer extends PersistenceLayer {
  readonly direction: 'two-way';
  /** Delivers updates that arrived from elsewhere. Returns an unsubscribe function. */
  subscribe(listener: (incoming: IncomingUpdate) => void): () => void;
  /**
   * Start following a document: ask the far side for what `stateVector` lacks and deliver it as it comes.
   * `source` is the live document: when the far side asks what this side has that it lacks (a relay's
   * SyncStep1), the layer answers from it, so an edit stored locally but never sent (a crash between the
   * local write and the send) still reaches the far side, without the layer holding a copy.
   */
  follow(docId: DocId, stateVector: Uint8Array, source: DocSource): void;
  /** Stop following a document (it was closed). */
  unfollow(docId: DocId): void;
  /** Errors that happen outside a call (the connection dropped, the far side refused). */
  onError(listener: (error: PersistenceError) => void): () => void;
}

export function isTwoWay(layer: PersistenceLayer): layer is TwoWayLayer {
  return layer.direction === 'two-way';
}

/**
 * A store on this device holding the space's documents (IndexedDB, memory): the one-way layers. Beyond
 * load and save it keeps what the core may need to repair, remove or enumerate, which only it can do.
 */
export interface LocalStore extends PersistenceLayer {
  readonly direction: 'one-way';
  /**
   * Moves rows that the guard refused out of the load path without destroying them (quarantine), so a
   * corrupt row never blocks a load again and can still be inspected or exported.
   */
  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void>;
  /** Removes everything stored for a document (a page deleted forever). */
  deleteDoc(docId: DocId): Promise<void>;
  /** The ids of the documents this store holds for its space. */
  listDocs(): Promise<DocId[]>;
  /** Removes everything this store holds for its space (the space is deleted). Closes the store. */
  destroy(): Promise<void>;
}

/** Whether `layer` is a local store. Every one-way layer is one (see SpaceLayer); two-way layers never are. */
export function isLocalStore(layer: PersistenceLayer): layer is LocalStore {
  return layer.direction === 'one-way';
}

/** A layer of a space: a local store or a two-way layer. There is no third kind. */
export type SpaceLayer = LocalStore | TwoWayLayer;

/**
 * A two-way layer whose peers share this origin's local (one-way) stores: other tabs of this browser.
 *
 * Why it exists: both tabs write to the same IndexedDB, so an update that arrives from another tab must not
 * be written again by this tab. DocSync therefore does not queue updates that come from such a layer to
 * its one-way layers. The layer instead holds them until the sending tab says its own store acknowledged
 * them (`localDurable` on the sending side), and if the sender dies first it hands them back through
 * `LocalDocBinding.persist`, which writes them here. The layer needs the live document only for that and
 * to answer a peer's catch-up request, so DocSync binds each open document to it.
 */
export interface SameOriginLayer extends TwoWayLayer {
  readonly sameOrigin: true;
  /** DocSync binds its document on creation; the returned function unbinds it (DocSync detached). */
  bind(docId: DocId, binding: LocalDocBinding): () => void;
  /**
   * Every change of `docId` that DocSync numbered up to `upToSeq` (SaveInfo.seq numbering) is now
   * acknowledged by every one-way layer of this space (or never had to be written to them).
   */
  localDurable(docId: DocId, upToSeq: number): void;
  /**
   * Called by DocSync at the start of every flush (pagehide, close): the layer hands over, through
   * `LocalDocBinding.persist`, what it must not keep waiting on (held updates of peers known to be gone),
   * so the flush writes them before the document is let go. Returns a promise when that has to wait (a
   * peer just went away and its last acknowledgements may still be in flight); DocSync then flushes
   * after it settles. Returns undefined when nothing is waited on (the usual case: flush stays as is).
   */
  settle(docId: DocId): Promise<void> | undefined;
}

/** What DocSync lends a same-origin layer for one open document. */
export interface LocalDocBinding {
  /** What the live document holds that `stateVector` lacks, as an update (answers a peer's catch-up). */
  diff(stateVector: Uint8Array): Uint8Array;
  /**
   * The peer that sent `update` died before its store acknowledged it: apply it through the update guard
   * and queue it for every one-way layer (counted as pending until they acknowledge it). Throws
   * UpdateRejectedError, and then nothing is applied or written.
   */
  persist(update: Uint8Array): void;
  /**
   * A peer went away: whatever it knew is now in the shared store (it flushed, or this tab wrote what it
   * left), but this tab may have loaded before it was written and missed the peer's answer. Re-reads the
   * one-way layers and applies what the document lacks through the guard (rows refused are reported).
   */
  refresh(): Promise<void>;
}

export function isSameOrigin(layer: unknown): layer is SameOriginLayer {
  return typeof layer === 'object' && layer !== null && (layer as { sameOrigin?: unknown }).sameOrigin === true && (layer as PersistenceLayer).direction === 'two-way';
}

/** Creates the layers of one space, in priority order; null when this space has no layer of that kind
 * (a relay factory for a space that does not sync). */
export type LayerFactory = (spaceId: string) => SpaceLayer | null | Promise<SpaceLayer | null>;
