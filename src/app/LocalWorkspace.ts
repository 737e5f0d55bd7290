/**
 * The browser's composition root for local data: the SpaceManager over the local stores (one IndexedDB database
 * per space; SpaceStores.ts moves spaces stored by the previous version into that format before they open), and
 * the Dexie database whose registry, projections and event log follow every open space.
 *
 * Canonical state is the Yjs documents (written only through core commands); the Dexie rows are what the
 * UI reads (through TanStack DB collections) and are rebuilt from the documents whenever they might have
 * fallen behind. Nothing here touches the DOM; the UI layer builds on it.
 */
import { PersistenceError } from '../core/errors.ts';
import { SpaceManager, type SpaceManagerOptions } from '../core/manager/SpaceManager.ts';
import type { LayerFactory } from '../core/persistence/PersistenceLayer.ts';
import type { SpaceHandle } from '../core/manager/SpaceHandle.ts';
import type { SaveStatus } from '../core/manager/SaveStatus.ts';
import { MAX_EVENT_PAGE_IDS, type DomainEventInit, type DomainEventSink } from '../core/events/DomainEvent.ts';
import { followSpace, openQuireDatabase, ProjectionWriter, type DatabaseSignal, type QuireDatabase, type SpaceFollower } from '../storage/db/index.ts';
import { SpaceStores } from './SpaceStores.ts';

/** Exclusive named locks (Web Locks in the browser); structurally the sync layer's TabLocks. */
export interface ProjectionLocks {
  acquire(name: string, signal?: AbortSignal): Promise<() => void>;
}

export interface LocalWorkspaceOptions extends Omit<SpaceManagerOptions, 'layers'> {
  /** The IndexedDB to use (tests pass fake-indexeddb's); defaults to the global one. */
  indexedDB?: IDBFactory;
  /** Name of the Dexie database (default "quire"). */
  dbName?: string;
  /** Layers after the local page store: the other tabs' channel, later the relay. */
  extraLayers?: readonly LayerFactory[];
  /**
   * With several tabs, only the tab holding `quire:projection:<spaceId>` writes a space's projection and
   * event log (the others see its Dexie writes); without locks this tab always does.
   */
  locks?: ProjectionLocks;
  /** Where to announce what this tab changed (the other tabs' domain-event channel). */
  events?: DomainEventSink;
}

/** The lock whose holder writes a space's projection and event log. */
export function projectionLockName(spaceId: string): string {
  return `quire:projection:${spaceId}`;
}

export class LocalWorkspace {
  private readonly followers = new Map<string, SpaceFollower>();
  /** Per open space: how to give up (or stop waiting for) the projection lead. */
  private readonly leads = new Map<string, () => void>();
  /** Per open space: stops announcing its local changes. */
  private readonly announcers = new Map<string, () => void>();
  private stoppedBy: DatabaseSignal | null = null;

  private constructor(
    readonly db: QuireDatabase,
    readonly manager: SpaceManager,
    readonly writer: ProjectionWriter,
    /** Which store each space lives in, and the storage upgrade of spaces still in the old format. */
    readonly stores: SpaceStores,
    private readonly locks: ProjectionLocks | undefined,
    private readonly events: DomainEventSink | undefined,
  ) {
    // Another tab (newer code) upgraded or deleted the database: this tab's schema is stale, so it stops
    // writing the Dexie database at once (the connection is already closed) and leaves it to the newer code.
    if (db.signals.last) this.stop(db.signals.last);
    db.signals.subscribe((signal) => this.stop(signal));
  }

  /**
   * Why this workspace stopped writing, or null while it works. Once stopped it never resumes: the UI
   * turns read-only and asks for a reload, which starts the newer code.
   */
  get stopped(): DatabaseSignal | null {
    return this.stoppedBy;
  }

  /**
   * Stops following spaces (the projection and event log belong to the newer schema now) and gives up
   * every projection lead. Edits already made are still written to their local stores: flushing them is
   * what keeps "no acknowledged edit is lost" true for the last keystrokes typed before the upgrade (a newer
   * version that also moves the stores, as schema 4's storage upgrade did, takes in what such a flush writes
   * late). Nothing new can be written once the UI is read-only.
   */
  private stop(signal: DatabaseSignal): void {
    if (this.stoppedBy) return;
    this.stoppedBy = signal;
    for (const follower of this.followers.values()) follower.stop();
    this.followers.clear();
    for (const give of this.leads.values()) give();
    this.leads.clear();
    for (const id of this.manager.openSpaceIds()) {
      void this.manager.openSpace(id).then((h) => h.flush()).catch(() => undefined);
    }
  }

  /**
   * Opens the local database and the page store. Rejects with PersistenceError 'version-too-new' when a
   * newer Quire wrote the database (it is left untouched), or 'storage-unavailable' / 'quota-exceeded'.
   */
  static async open(options: LocalWorkspaceOptions = {}): Promise<LocalWorkspace> {
    const { indexedDB, dbName, extraLayers = [], locks, events, ...managerOptions } = options;
    // The Dexie database first: its schema bump (migration 004) tells tabs of the previous version to stop
    // writing before any of their pages is moved.
    const db = await openQuireDatabase({ name: dbName, indexedDB });
    // 'strict': a write is acknowledged only once the browser flushed it to disk, so "saved" also survives a
    // power loss or an OS crash. Coalescing keeps this to a few transactions a second.
    const stores = await SpaceStores.open({ indexedDB, locks, durability: 'strict' });
    const manager = new SpaceManager({
      ...managerOptions,
      layers: [(spaceId) => stores.storeFor(spaceId), ...extraLayers],
    });
    const workspace = new LocalWorkspace(db, manager, new ProjectionWriter(db), stores, locks, events);
    // Spaces not opened yet move in the background, one at a time; opening one moves it first (openSpace).
    void stores.upgradeAll((id) => manager.openSpaceIds().includes(id));
    return workspace;
  }

  get status(): SaveStatus {
    return this.manager.status;
  }

  /** Creates a space: durable in the page store, registered and projected, then followed. */
  async createSpace(init: { name: string; icon?: string | null; id?: string }): Promise<SpaceHandle> {
    const handle = await this.manager.createSpace(init);
    await this.writer.registerSpace(handle.space.meta(), 'user');
    await this.writer.markSpaceOpened(handle.id);
    this.lead(handle, false);
    this.announce(handle);
    this.publish({ type: 'spaces-changed', change: 'created', spaceId: handle.id });
    return handle;
  }

  /**
   * Opens a space. Its projection is brought in line with the documents in the background (a crash or
   * another device may have changed them): never on the path to the first paint.
   */
  async openSpace(id: string): Promise<SpaceHandle> {
    // A space still stored the old way is moved before it opens (progress: `stores.state(id)`); one whose move
    // failed opens from its old databases, with the failure in `stores.state(id)`.
    if (!this.manager.openSpaceIds().includes(id)) await this.stores.ready(id);
    const handle = await this.manager.openSpace(id);
    if (!this.leads.has(id)) this.lead(handle, true);
    if (!this.announcers.has(id)) this.announce(handle);
    return handle;
  }

  /**
   * Writes every pending change now, skipping the retry backoff of failing layers: the user freed space
   * and pressed "Retry now". Failures are reported through the status, as every background write's are.
   */
  async retryNow(): Promise<void> {
    const ids = this.manager.openSpaceIds();
    await Promise.allSettled(ids.map(async (id) => (await this.manager.openSpace(id)).flush()));
  }

  /** Recomputes the projection of an open space from its documents; resolves with what changed. */
  async reconcile(handle: SpaceHandle) {
    try {
      if (!(await this.db.spaces.get(handle.id))) await this.writer.registerSpace(handle.space.meta(), 'system');
      const report = await this.writer.rebuildProjections(handle.id, { meta: handle.space.meta(), pages: handle.space.listPages() });
      await this.writer.markSpaceOpened(handle.id);
      return report;
    } catch (e) {
      if (e instanceof PersistenceError) this.status.reportError(e, null, e.layer ?? null);
      throw e;
    }
  }

  /**
   * Takes the projection lead of a space when it can: at once without locks, otherwise when the lock is
   * granted (the leading tab closed the space or died). A new leader first reconciles: the previous one
   * may have died between a document write and its projection.
   */
  private lead(handle: SpaceHandle, reconcileFirst: boolean): void {
    if (this.stoppedBy) return;
    if (!this.locks) {
      this.leads.set(handle.id, () => undefined);
      this.follow(handle);
      if (reconcileFirst) void this.reconcile(handle).catch(() => undefined);
      return;
    }
    const abort = new AbortController();
    let release: (() => void) | null = null;
    this.leads.set(handle.id, () => {
      abort.abort();
      release?.();
    });
    this.locks.acquire(projectionLockName(handle.id), abort.signal).then(
      (r) => {
        release = r;
        if (abort.signal.aborted || handle.isClosed || this.stoppedBy) return r();
        this.follow(handle);
        void this.reconcile(handle).catch(() => undefined);
      },
      () => undefined, // aborted: the space was closed before this tab's turn came
    );
  }

  private follow(handle: SpaceHandle): void {
    this.followers.set(
      handle.id,
      followSpace(this.writer, handle.id, handle.space, (e) => this.status.reportError(e, null, e.layer ?? null)),
    );
  }

  /**
   * Whether this tab writes the space's projection and event log now. A change made while no tab leads
   * (the lock is changing hands) reaches the projection through the new leader's reconcile, but the
   * rebuild appends no event for it.
   */
  isLeading(id: string): boolean {
    return this.followers.has(id);
  }

  /** Resolves when every observed change of the space has been projected. */
  async projected(id: string): Promise<void> {
    await this.followers.get(id)?.idle();
  }

  async closeSpace(id: string): Promise<void> {
    await this.manager.closeSpace(id);
    const follower = this.followers.get(id);
    this.followers.delete(id);
    follower?.stop();
    await follower?.idle();
    this.leads.get(id)?.();
    this.leads.delete(id);
    this.announcers.get(id)?.();
    this.announcers.delete(id);
  }

  /**
   * Deletes a space's documents from the page store, then its registry entry and projection, and tells
   * the other tabs, which let it go (forgetSpace) instead of writing it again.
   */
  async deleteSpace(id: string): Promise<void> {
    this.release(id);
    await this.stores.ready(id);
    await this.manager.deleteSpace(id);
    // Both formats: old databases left behind would be moved again by the next start and bring the space back.
    await this.stores.deleteStorage(id);
    await this.writer.deleteSpace(id, 'user');
    this.publish({ type: 'spaces-changed', change: 'deleted', spaceId: id });
  }

  /** Another tab deleted this space: stop following it and drop its handle without writing anything. */
  async forgetSpace(id: string): Promise<void> {
    this.release(id);
    await this.manager.forget(id);
  }

  private release(id: string): void {
    this.followers.get(id)?.stop();
    this.followers.delete(id);
    this.leads.get(id)?.();
    this.leads.delete(id);
    this.announcers.get(id)?.();
    this.announcers.delete(id);
  }

  /** Announces this tab's own changes of a space (renames, pages deleted forever) to the other tabs. */
  private announce(handle: SpaceHandle): void {
    if (!this.events) return;
    this.announcers.set(
      handle.id,
      handle.space.observe((changes, origin) => {
        if (origin !== 'local') return; // remote changes were announced by the tab that made them
        const deleted: string[] = [];
        const changed: string[] = [];
        for (const c of changes) {
          if (c.type === 'space-updated') {
            this.publish({ type: 'space-changed', spaceId: handle.id });
            this.publish({ type: 'spaces-changed', change: 'renamed', spaceId: handle.id });
          } else if (c.type === 'page-deleted') deleted.push(c.pageId);
          else changed.push(c.page.id);
        }
        for (const [change, ids] of [['deleted', deleted], ['changed', changed]] as const) {
          for (let i = 0; i < ids.length; i += MAX_EVENT_PAGE_IDS) {
            this.publish({ type: 'pages-changed', change, spaceId: handle.id, pageIds: ids.slice(i, i + MAX_EVENT_PAGE_IDS) });
          }
        }
      }),
    );
  }

  /** Announcing is best effort: a closed channel must not fail the command that already succeeded. */
  private publish(event: DomainEventInit): void {
    try {
      this.events?.publish(event);
    } catch (e) {
      console.warn('Quire: a domain event was not announced', e);
    }
  }

  async close(): Promise<void> {
    this.stores.close();
    await this.manager.close();
    for (const f of this.followers.values()) {
      f.stop();
      await f.idle();
    }
    this.followers.clear();
    for (const give of this.leads.values()) give();
    this.leads.clear();
    for (const stop of this.announcers.values()) stop();
    this.announcers.clear();
    this.db.close();
  }
}
