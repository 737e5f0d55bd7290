/**
 * SpaceManager (design document 000): the environment-agnostic orchestrator. It creates, opens, closes
 * and deletes spaces; gives each space its persistence layers (several per space: local store, relay,
 * other tabs, a backup); on open it loads from every layer and lets Yjs merge; on change it saves to
 * every layer in parallel; a two-way layer's updates are applied through the guard; on close it flushes
 * everything and only then releases. It runs unchanged in Node (tests, the relay) and in the browser.
 */
import * as random from 'lib0/random';
import { asPersistenceError, ErrorCode, SpaceError } from '../errors.ts';
import { systemClock, type Clock } from '../clock.ts';
import { isLocalStore, type LayerFactory, type SpaceLayer } from '../persistence/PersistenceLayer.ts';
import { SaveStatus } from './SaveStatus.ts';
import { SpaceHandle, type HandleOptions } from './SpaceHandle.ts';

export interface SpaceManagerOptions {
  /** Factories of the layers every space gets, in priority order (the local store first). */
  layers: readonly LayerFactory[];
  clock?: Clock;
  /** See DocSync: SAVE_COALESCE_MS, RETRY_INITIAL_MS, RETRY_MAX_MS; loadDoc: LOAD_TIMEOUT_MS. */
  coalesceMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  loadTimeoutMs?: number;
}

export class SpaceManager {
  readonly status = new SaveStatus();
  private readonly open = new Map<string, Promise<SpaceHandle>>();
  private readonly handleOptions: HandleOptions;

  constructor(private readonly options: SpaceManagerOptions) {
    this.handleOptions = {
      clock: options.clock ?? systemClock,
      status: this.status,
      coalesceMs: options.coalesceMs,
      retryInitialMs: options.retryInitialMs,
      retryMaxMs: options.retryMaxMs,
      loadTimeoutMs: options.loadTimeoutMs,
    };
  }

  private async makeLayers(spaceId: string): Promise<SpaceLayer[]> {
    const made = await Promise.all(this.options.layers.map(async (f) => f(spaceId)));
    const layers = made.filter((l): l is SpaceLayer => l !== null);
    const names = new Set(layers.map((l) => l.name));
    if (names.size !== layers.length) throw new SpaceError(ErrorCode.InvalidOperation, 'Two layers of a space share a name');
    return layers;
  }

  /** Creates a space and resolves once its first state is durable in every layer; rejects otherwise. */
  async createSpace(init: { name: string; icon?: string | null; id?: string }): Promise<SpaceHandle> {
    const id = init.id ?? random.uuidv4();
    if (this.open.has(id)) throw new SpaceError(ErrorCode.InvalidOperation, `Space ${id} is already open`);
    const opening = this.makeLayers(id).then(async (layers) => {
      const handle = await SpaceHandle.open(id, layers, this.handleOptions, { name: init.name, icon: init.icon ?? null }).catch(async (e: unknown) => {
        await Promise.allSettled(layers.map((l) => l.close()));
        throw e;
      });
      // A space is created only once it is durable. If its first write fails, nothing of it is kept
      // running (no retries of a space the caller was told does not exist) and the error is the answer.
      await handle.flush().catch(async (e: unknown) => {
        await handle.abandon();
        throw e;
      });
      return handle;
    });
    return this.track(id, opening);
  }

  /** Opens a space from its layers (merging what each holds). Rejects with code 'not-found' when none has it. */
  openSpace(id: string): Promise<SpaceHandle> {
    const existing = this.open.get(id);
    if (existing) return existing;
    const opening = this.makeLayers(id).then((layers) =>
      SpaceHandle.open(id, layers, this.handleOptions).catch(async (e: unknown) => {
        await Promise.allSettled(layers.map((l) => l.close()));
        throw e;
      }),
    );
    return this.track(id, opening);
  }

  private track(id: string, opening: Promise<SpaceHandle>): Promise<SpaceHandle> {
    this.open.set(id, opening);
    opening.catch(() => {
      if (this.open.get(id) === opening) this.open.delete(id);
    });
    return opening;
  }

  /** Ids of the spaces open (or opening). */
  openSpaceIds(): string[] {
    return [...this.open.keys()];
  }

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  /** Flushes and closes a space. Rejects (and keeps it open) if its changes cannot be written. */
  async closeSpace(id: string): Promise<void> {
    const opening = this.open.get(id);
    if (!opening) return;
    const handle = await opening;
    await handle.close();
    this.open.delete(id);
  }

  /**
   * Lets go of a space deleted elsewhere (another tab destroyed its stores): its handle is abandoned
   * without a final flush, so nothing recreates the stores it had. Edits not yet written are dropped on
   * purpose: the space they belong to no longer exists.
   */
  async forget(id: string): Promise<void> {
    const opening = this.open.get(id);
    if (!opening) return;
    this.open.delete(id);
    await (await opening.catch(() => null))?.abandon();
  }

  /**
   * Deletes a space from every local store of this device. Its two-way layers are only closed: another
   * device's copy, or the relay's, is not this device's to delete.
   */
  async deleteSpace(id: string): Promise<void> {
    const opening = this.open.get(id);
    if (opening) {
      this.open.delete(id);
      await (await opening.catch(() => null))?.abandon();
    }
    const layers = await this.makeLayers(id);
    const results = await Promise.allSettled(layers.map((l) => (isLocalStore(l) ? l.destroy() : l.close())));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      const error = asPersistenceError(failure.reason, ErrorCode.StorageUnavailable);
      this.status.reportError(error, null, error.layer ?? null);
      throw error;
    }
  }

  /** Closes every open space (flushing each). */
  async close(): Promise<void> {
    const ids = [...this.open.keys()];
    await Promise.all(ids.map((id) => this.closeSpace(id)));
  }
}
