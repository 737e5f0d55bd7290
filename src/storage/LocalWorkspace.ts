/**
 * The browser's composition root for local data: the SpaceManager with the hardened IndexedDB page store,
 * and the Dexie database whose registry, projections and event log follow every open space.
 *
 * Canonical state is the Yjs documents (written only through core commands); the Dexie rows are what the
 * UI reads (through TanStack DB collections) and are rebuilt from the documents whenever they might have
 * fallen behind. Nothing here touches the DOM; the UI layer builds on it.
 */
import { PersistenceError } from '../core/errors.ts';
import { SpaceManager, type SpaceManagerOptions } from '../core/manager/SpaceManager.ts';
import type { SpaceHandle } from '../core/manager/SpaceHandle.ts';
import type { SaveStatus } from '../core/manager/SaveStatus.ts';
import { followSpace, openQuireDatabase, ProjectionWriter, type QuireDatabase, type SpaceFollower } from './db/index.ts';
import { IndexedDbLayer } from './pages/IndexedDbLayer.ts';

export interface LocalWorkspaceOptions extends Omit<SpaceManagerOptions, 'layers'> {
  /** The IndexedDB to use (tests pass fake-indexeddb's); defaults to the global one. */
  indexedDB?: IDBFactory;
  /** Name of the Dexie database (default "quire"). */
  dbName?: string;
}

export class LocalWorkspace {
  private readonly followers = new Map<string, SpaceFollower>();

  private constructor(
    readonly db: QuireDatabase,
    readonly manager: SpaceManager,
    readonly writer: ProjectionWriter,
  ) {}

  /**
   * Opens the local database and the page store. Rejects with PersistenceError 'version-too-new' when a
   * newer Quire wrote the database (it is left untouched), or 'storage-unavailable' / 'quota-exceeded'.
   */
  static async open(options: LocalWorkspaceOptions = {}): Promise<LocalWorkspace> {
    const { indexedDB, dbName, ...managerOptions } = options;
    const db = await openQuireDatabase({ name: dbName, indexedDB });
    const manager = new SpaceManager({
      ...managerOptions,
      // 'strict': a write is acknowledged only once the browser flushed it to disk, so "saved" also
      // survives a power loss or an OS crash. Coalescing keeps this to a few transactions a second.
      layers: [(spaceId) => new IndexedDbLayer(spaceId, { indexedDB, durability: 'strict' })],
    });
    return new LocalWorkspace(db, manager, new ProjectionWriter(db));
  }

  get status(): SaveStatus {
    return this.manager.status;
  }

  /** Creates a space: durable in the page store, registered and projected, then followed. */
  async createSpace(init: { name: string; icon?: string | null; id?: string }): Promise<SpaceHandle> {
    const handle = await this.manager.createSpace(init);
    this.follow(handle);
    await this.writer.registerSpace(handle.space.meta(), 'user');
    await this.writer.markSpaceOpened(handle.id);
    return handle;
  }

  /**
   * Opens a space. Its projection is brought in line with the documents in the background (a crash or
   * another device may have changed them): never on the path to the first paint.
   */
  async openSpace(id: string): Promise<SpaceHandle> {
    const handle = await this.manager.openSpace(id);
    if (!this.followers.has(id)) {
      this.follow(handle);
      void this.reconcile(handle);
    }
    return handle;
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

  private follow(handle: SpaceHandle): void {
    this.followers.set(
      handle.id,
      followSpace(this.writer, handle.id, handle.space, (e) => this.status.reportError(e, null, e.layer ?? null)),
    );
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
  }

  /** Deletes a space's documents from the page store, then its registry entry and projection. */
  async deleteSpace(id: string): Promise<void> {
    this.followers.get(id)?.stop();
    this.followers.delete(id);
    await this.manager.deleteSpace(id);
    await this.writer.deleteSpace(id, 'user');
  }

  async close(): Promise<void> {
    await this.manager.close();
    for (const f of this.followers.values()) {
      f.stop();
      await f.idle();
    }
    this.followers.clear();
    this.db.close();
  }
}
