/**
 * What the background sync remembers per (relay, space) between sessions, so that after being offline
 * only the pages changed on either side are exchanged:
 *
 * - `seq`: the relay's change sequence of the space at the last complete pass (ask "changes since seq").
 * - `dirty`: pages marked "not yet stored by the relay" (UnstoredMarks.ts: added when DocSync queues a
 *   change for the relay layer, even during a retry backoff; removed when a pass saw the relay's stored
 *   acknowledgement cover the whole live page).
 * - `known`: false until a first complete pass: then every page is exchanged once (the changes made on this
 *   device before sync started were never marked dirty).
 */
export interface SyncState {
  readonly seq: number;
  readonly dirty: ReadonlySet<string>;
  readonly known: boolean;
}

export interface SyncStateStore {
  get(key: string): Promise<SyncState>;
  addDirty(key: string, docIds: readonly string[]): Promise<void>;
  removeDirty(key: string, docIds: readonly string[]): Promise<void>;
  /** Records a complete pass up to the relay's sequence `seq`. */
  setSeq(key: string, seq: number): Promise<void>;
  /** Forgets everything of `key`: the next pass is a full one (a device joining, or joining again). */
  reset(key: string): Promise<void>;
}

/** The key of a space on a relay. */
export const syncStateKey = (relayUrl: string, spaceId: string) => `${relayUrl}|${spaceId}`;

/** In memory (tests, and a browser without IndexedDB: then every session starts with a full pass). */
export class MemorySyncStateStore implements SyncStateStore {
  private readonly states = new Map<string, { seq: number; dirty: Set<string>; known: boolean }>();

  private entry(key: string) {
    let e = this.states.get(key);
    if (!e) this.states.set(key, (e = { seq: 0, dirty: new Set(), known: false }));
    return e;
  }
  get(key: string): Promise<SyncState> {
    const e = this.entry(key);
    return Promise.resolve({ seq: e.seq, dirty: new Set(e.dirty), known: e.known });
  }
  addDirty(key: string, docIds: readonly string[]): Promise<void> {
    const e = this.entry(key);
    for (const id of docIds) e.dirty.add(id);
    return Promise.resolve();
  }
  removeDirty(key: string, docIds: readonly string[]): Promise<void> {
    const e = this.entry(key);
    for (const id of docIds) e.dirty.delete(id);
    return Promise.resolve();
  }
  setSeq(key: string, seq: number): Promise<void> {
    const e = this.entry(key);
    e.seq = seq;
    e.known = true;
    return Promise.resolve();
  }
  reset(key: string): Promise<void> {
    this.states.delete(key);
    return Promise.resolve();
  }
}
