/**
 * One document of a relay layer's space as its session sees it (RelayDocSessions): what waits on the relay
 * for it, and what the relay said of it.
 */
import * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { PersistenceError } from '../../core/errors.ts';
import type { DocId, DocSource, StoredRow } from '../../core/persistence/PersistenceLayer.ts';
import type { Session } from './RelayConnection.ts';

/** The state vector of an empty document: a SyncStep1 with it asks the relay for everything it has. */
export const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

export interface PendingSave {
  readonly update: Uint8Array;
  /** Absent for what this layer sent on its own (answers to the relay's SyncStep1). */
  readonly resolve?: () => void;
  readonly reject?: (e: PersistenceError) => void;
}

export interface Loader {
  resolve: (rows: StoredRow[]) => void;
  reject: (e: PersistenceError) => void;
  sent: boolean;
}

/** One document of the space as its session sees it. */
export interface RelayDoc {
  readonly docId: DocId;
  readonly name: string;
  session: Session | null;
  source: DocSource | null;
  loads: Loader[];
  /** One entry per SyncStep1 sent on the current session, in order: the loads its answer resolves. */
  step1s: (Loader[] | null)[];
  saves: PendingSave[];
  stored: Y.Snapshot | null;
  /** The relay answered this session's SyncStep1 for the followed document. */
  synced: boolean;
  refusal: PersistenceError | null;
  scope: 'readonly' | 'read-write' | null;
  awareness: Awareness | null;
  /**
   * The clients of `awareness` this device speaks for: its own, and those another tab handed it (a leader
   * tab's hub); not the ones the relay brought. Sent whole when a session starts.
   */
  awarenessLocal: Set<number>;
  stateless: string[];
  /** Open change queries waiting on this document's session. */
  holds: number;
  settledWaiters: (() => void)[];
  /** Waiters that asked the relay to store now (storeNow.ts): each save sent meanwhile asks again. */
  storeNowWaiters: number;
  /** Consecutive non-refusal closes of this document's session (reopen backoff). */
  resets: number;
  reopenTimer: ReturnType<typeof setTimeout> | null;
}

/** Nothing sent for `d` waits for the relay any more (or the relay refused it). */
export function isSettled(d: RelayDoc): boolean {
  return d.refusal !== null || (d.saves.length === 0 && (d.source === null || d.synced));
}

export function newRelayDoc(docId: DocId, name: string): RelayDoc {
  return {
    docId,
    name,
    session: null,
    source: null,
    loads: [],
    step1s: [],
    saves: [],
    stored: null,
    synced: false,
    refusal: null,
    scope: null,
    awareness: null,
    awarenessLocal: new Set(),
    stateless: [],
    holds: 0,
    settledWaiters: [],
    storeNowWaiters: 0,
    resets: 0,
    reopenTimer: null,
  };
}
