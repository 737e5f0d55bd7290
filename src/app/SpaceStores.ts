/**
 * SpaceStores: which local store each space lives in, and the storage upgrade that moves spaces there.
 *
 * A space lives in the space store (one IndexedDB database per space, src/storage/space, decision 0010), except
 * while its pages are still in the format of the previous version (one database per page) and being moved, or when
 * moving it failed this session: then it keeps working from the old databases (IndexedDbLayer), and the failure is
 * reported (`state(spaceId).phase === 'failed'`); the next start tries again.
 *
 * When: `open` lists the origin's old databases once. A space is upgraded before it is first opened (`ready`);
 * `upgradeAll` moves the others one at a time in the background, so spaces already moved open at once. Tabs of
 * this version take turns through the Web Lock `quire:storage-upgrade:<spaceId>`; tabs of the previous version were
 * told to stop by the Dexie schema bump (migration 004) before anything is moved.
 */
import { Listeners } from '../core/Listeners.ts';
import type { LocalStore, DocId } from '../core/persistence/PersistenceLayer.ts';
import type { SecretStore } from '../core/persistence/SecretStore.ts';
import { asPersistenceError, ErrorCode, type PersistenceError } from '../core/errors.ts';
import { IndexedDbLayer } from '../storage/pages/IndexedDbLayer.ts';
import { SpaceDbLayer } from '../storage/space/SpaceDbLayer.ts';
import { spaceDbName } from '../storage/space/spaceDbSchema.ts';
import { legacyDatabases } from '../storage/space/upgrade/legacyDatabases.ts';
import { UPGRADE_LAYER, upgradeSpace, type UpgradeOutcome } from '../storage/space/upgrade/upgradeSpace.ts';
import { deleteDatabase, indexedDbFactory } from '../storage/pages/idb.ts';
import { DELETE_BLOCKED_GRACE_MS } from '../storage/pages/IndexedDbLayer.ts';

/** Where a space's upgrade is. `waiting`: another tab of this version is moving it. */
export type StorageUpgradeState =
  | { readonly spaceId: string; readonly phase: 'waiting' | 'moving' | 'cleaning'; readonly done: number; readonly total: number }
  | { readonly spaceId: string; readonly phase: 'done'; readonly outcome: UpgradeOutcome | null }
  | { readonly spaceId: string; readonly phase: 'failed'; readonly error: PersistenceError };

export type SpaceStore = LocalStore & SecretStore;

/** Exclusive named locks (Web Locks in the browser), as LocalWorkspace's ProjectionLocks. */
export interface UpgradeLocks {
  acquire(name: string, signal?: AbortSignal): Promise<() => void>;
}

export interface SpaceStoresOptions {
  indexedDB?: IDBFactory;
  locks?: UpgradeLocks;
  /** Durability of the stores' writes ('strict' in the app). */
  durability?: IDBTransactionDurability;
}

/** The lock a tab holds while it moves a space. */
export function upgradeLockName(spaceId: string): string {
  return `quire:storage-upgrade:${spaceId}`;
}

export class SpaceStores {
  private readonly states = new Map<string, StorageUpgradeState>();
  /** Per space being upgraded: the whole run (clean-up included), and when the space may open (moved or failed). */
  private readonly running = new Map<string, { run: Promise<void>; openable: Promise<void> }>();
  private readonly listeners = new Listeners<StorageUpgradeState>();
  private closed = false;

  private constructor(
    private readonly options: SpaceStoresOptions,
    /** Spaces with databases in the old format, as listed at open (a later run lists again under its lock). */
    private readonly legacy: Map<string, DocId[]>,
    /** Why the old databases could not be listed at open (nothing is upgraded this session), or null. */
    readonly listingError: PersistenceError | null,
  ) {}

  /**
   * Lists the old databases. When the listing itself fails nothing can be upgraded this session: every space
   * opens from the space store, and a space that exists only in the old format opens as not found, with the
   * listing's error kept in `listingError` for the UI to explain.
   */
  static async open(options: SpaceStoresOptions = {}): Promise<SpaceStores> {
    let legacy = new Map<string, DocId[]>();
    let listingError: PersistenceError | null = null;
    try {
      legacy = await legacyDatabases(options.indexedDB);
    } catch (e) {
      listingError = asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: UPGRADE_LAYER });
    }
    return new SpaceStores(options, legacy, listingError);
  }

  /** The local store of a space, for the layer factory: the space store unless the space is still in the old format. */
  storeFor(spaceId: string, name?: string): SpaceStore {
    const { indexedDB, durability } = this.options;
    if (this.inOldFormat(spaceId)) return new IndexedDbLayer(spaceId, { indexedDB, durability, name });
    return new SpaceDbLayer(spaceId, { indexedDB, durability, name });
  }

  /** Whether the space still lives in the old databases (not moved yet, or its move failed this session). */
  inOldFormat(spaceId: string): boolean {
    const phase = this.states.get(spaceId)?.phase;
    return this.legacy.has(spaceId) && phase !== 'done' && phase !== 'cleaning';
  }

  state(spaceId: string): StorageUpgradeState | null {
    return this.states.get(spaceId) ?? null;
  }

  /** Every change of any space's upgrade state. */
  onChange(listener: (state: StorageUpgradeState) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Spaces still to move. */
  pending(): string[] {
    return [...this.legacy.keys()].filter((id) => !this.states.has(id));
  }

  /**
   * Resolves when the space may be opened: moved (its old databases may still be being removed), nothing to move,
   * or left in the old format because its move failed (reported through `state`). Never rejects. A space open in this tab is never moved under it: call this
   * before opening.
   */
  ready(spaceId: string): Promise<void> {
    if (!this.legacy.has(spaceId) || (this.states.has(spaceId) && !this.running.has(spaceId))) return Promise.resolve();
    let running = this.running.get(spaceId);
    if (!running) {
      let openable: () => void = () => undefined;
      const whenOpenable = new Promise<void>((resolve) => (openable = resolve));
      const run = this.upgrade(spaceId, openable).finally(() => {
        openable();
        this.running.delete(spaceId);
      });
      running = { run, openable: whenOpenable };
      this.running.set(spaceId, running);
    }
    return running.openable;
  }

  /** Moves every space still in the old format, one at a time (the person may open one meanwhile: it goes first). */
  async upgradeAll(isOpen: (spaceId: string) => boolean): Promise<void> {
    for (const spaceId of this.pending()) {
      if (this.closed) return;
      if (!isOpen(spaceId)) {
        await this.ready(spaceId);
        await this.running.get(spaceId)?.run; // one space at a time, clean-up included
      }
    }
  }

  /**
   * Deletes everything stored for a space in either format (after its handle was destroyed): otherwise old
   * databases left behind would be moved again and bring the space back.
   */
  async deleteStorage(spaceId: string): Promise<void> {
    await this.running.get(spaceId)?.run;
    const old = new IndexedDbLayer(spaceId, { indexedDB: this.options.indexedDB });
    await old.destroy();
    await deleteDatabase(indexedDbFactory(UPGRADE_LAYER, this.options.indexedDB), spaceDbName(spaceId), DELETE_BLOCKED_GRACE_MS);
    this.legacy.delete(spaceId);
    this.states.delete(spaceId);
  }

  close(): void {
    this.closed = true;
  }

  /** Runs one space's upgrade; `openable` is called once the space may open (moved, or nothing to move). */
  private async upgrade(spaceId: string, openable: () => void): Promise<void> {
    const total = this.legacy.get(spaceId)?.length ?? 0;
    this.set({ spaceId, phase: 'waiting', done: 0, total });
    const release = this.options.locks ? await this.options.locks.acquire(upgradeLockName(spaceId)) : () => undefined;
    try {
      // Another tab may have moved it while we waited: list again (one call, under the lock).
      this.set({ spaceId, phase: 'moving', done: 0, total });
      const docs = this.options.locks ? ((await legacyDatabases(this.options.indexedDB)).get(spaceId) ?? []) : (this.legacy.get(spaceId) ?? []);
      const outcome =
        docs.length === 0
          ? null
          : await upgradeSpace(spaceId, {
              indexedDB: this.options.indexedDB,
              legacyDocs: docs,
              onProgress: (p) => this.set({ spaceId, phase: p.phase, done: p.done, total: p.total }),
              // From here the space opens from the space store while its old databases are removed.
              onMoved: () => {
                this.set({ spaceId, phase: 'cleaning', done: 0, total: docs.length });
                openable();
              },
            });
      this.set({ spaceId, phase: 'done', outcome });
    } catch (e) {
      const error = asPersistenceError(e, ErrorCode.StorageUnavailable, { layer: UPGRADE_LAYER });
      if (this.states.get(spaceId)?.phase === 'cleaning') {
        // Moved and verified: only removing the old copies failed. The space lives in the space store; the next
        // start removes what is left (and takes in anything written to it meanwhile).
        console.warn(`Quire: space ${spaceId} moved, but some of its old databases are left for the next start`, error);
        this.set({ spaceId, phase: 'done', outcome: null });
      } else {
        console.error(`Quire: the storage upgrade of space ${spaceId} stopped; it keeps working from its old databases`, error);
        this.set({ spaceId, phase: 'failed', error });
      }
    } finally {
      release();
    }
  }

  private set(state: StorageUpgradeState): void {
    this.states.set(state.spaceId, state);
    this.listeners.emit(state);
  }
}
