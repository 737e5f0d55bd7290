/**
 * The persistence contract (design document 000): every store and every sync path implements it.
 *
 * A layer is created for ONE space and stores that space's documents: the space document (id SPACE_DOC_ID)
 * and one document per page (id = page id). It is byte-oriented: it stores and returns Yjs updates and never
 * interprets them. Every operation returns a promise that resolves only when the effect is durable in that
 * layer (the acknowledgement) and rejects with a PersistenceError carrying an ErrorCode.
 *
 * One-way layers (local stores) save and load. Two-way layers (the relay, other tabs) also deliver updates
 * that arrived from elsewhere; those bytes are untrusted and go through the update guard before use.
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

/** Small named values of a space (keys, tokens). Merged across layers; the first layer holding a key wins. */
export type Secrets = Readonly<Record<string, string>>;

export interface PersistenceLayer {
  /** Human-readable and unique among the layers of a space ("indexeddb", "memory", "relay:wss://..."). */
  readonly name: string;
  readonly direction: 'one-way' | 'two-way';

  /** Everything stored for a document, in storage order. Resolves [] for an unknown document. */
  load(docId: DocId): Promise<StoredRow[]>;
  /** Stores one update. Resolves only when it is durable in this layer. */
  save(docId: DocId, update: Uint8Array): Promise<void>;
  /**
   * Moves rows that the guard refused out of the load path without destroying them (quarantine), so a
   * corrupt row never blocks a load again and can still be inspected or exported. Layers that cannot
   * keep them (a relay) resolve without doing anything.
   */
  setAside(docId: DocId, keys: readonly RowKey[]): Promise<void>;
  /** Removes everything stored for a document (a page deleted forever). */
  deleteDoc(docId: DocId): Promise<void>;
  /** The ids of the documents this layer holds for its space. */
  listDocs(): Promise<DocId[]>;

  loadSecrets(): Promise<Secrets>;
  /** Stores the given secrets (merged with what is there: keys not given are kept). */
  saveSecrets(secrets: Secrets): Promise<void>;

  /** Removes everything this layer holds for its space (the space is deleted). Closes the layer. */
  destroy(): Promise<void>;
  /** Releases resources. Pending operations settle first; later calls reject with code 'closed'. */
  close(): Promise<void>;

  /**
   * Failures of work the layer does on its own, outside any call (compaction of a store, a dropped
   * connection). Optional for one-way layers; the manager reports them to the status API.
   */
  onError?(listener: (error: PersistenceError) => void): () => void;
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
  /** Start following a document: ask the far side for what `stateVector` lacks and deliver it as it comes. */
  follow(docId: DocId, stateVector: Uint8Array): void;
  /** Stop following a document (it was closed). */
  unfollow(docId: DocId): void;
  /** Errors that happen outside a call (the connection dropped, the far side refused). */
  onError(listener: (error: PersistenceError) => void): () => void;
}

export function isTwoWay(layer: PersistenceLayer): layer is TwoWayLayer {
  return layer.direction === 'two-way';
}

/** Creates the layers of one space, in priority order. */
export type LayerFactory = (spaceId: string) => PersistenceLayer | Promise<PersistenceLayer>;
