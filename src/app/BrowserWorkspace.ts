/**
 * BrowserWorkspace: the composition root of Quire in a browser tab. It opens the local workspace (the page
 * stores and the Dexie database), joins this tab to the others of the same browser (a presence lock, the
 * tab channel for live edits, domain events) and to the relay (one socket per browser, held by a leader
 * tab: decision 0012), and hands the UI spaces that are ready: `openSpace` opens a space AND attaches its
 * sync, so the UI never wires sync itself.
 *
 * Order matters, and lives here so no screen has to remember it: the tab channel comes before the relay
 * layer (docs/sync-client.md), the relay leadership closes before the workspace flushes (the next tab takes
 * the connection over while this one writes), and the tab's presence is released last.
 */
import * as random from 'lib0/random';
import type { SpaceHandle } from '../core/manager/SpaceHandle.ts';
import { createUiStateCollections, PageCollections, type UiStateCollections } from '../collections/index.ts';
import { BrowserTabLocks, DomainEventChannel, TabChannelLayer, TabPresence } from '../sync/index.ts';
import { RelayLeadership } from '../sync/relay/leader/RelayLeadership.ts';
import type { WebSocketConstructor } from '../sync/relay/RelayConnection.ts';
import { LocalWorkspace } from './LocalWorkspace.ts';
import { SpaceSharing } from './SpaceSharing.ts';

export class BrowserWorkspace {
  /** The UI's read path over the Dexie database (pages of a space, and the UI's own state rows). */
  readonly collections: PageCollections;
  readonly ui: UiStateCollections;

  private constructor(
    readonly workspace: LocalWorkspace,
    readonly sharing: SpaceSharing,
    /** Domain events from the other tabs (validated by the channel before anyone sees them). */
    readonly events: DomainEventChannel,
    private readonly presence: TabPresence,
    private readonly leadership: RelayLeadership,
  ) {
    this.collections = new PageCollections(workspace.db);
    this.ui = createUiStateCollections(workspace.db);
  }

  /**
   * Opens everything a tab needs. `signal` aborts an open still under way (the screen went away first):
   * whatever was opened is closed again and the promise rejects with the abort reason.
   */
  static async open(options: { signal?: AbortSignal } = {}): Promise<BrowserWorkspace> {
    const locks = new BrowserTabLocks();
    const tabId = random.uuidv4();
    let opened: BrowserWorkspace | null = null;
    let resolveOpen: (app: BrowserWorkspace) => void = () => undefined;
    let rejectOpen: (e: unknown) => void = () => undefined;
    const whenOpen = {
      promise: new Promise<BrowserWorkspace>((resolve, reject) => {
        resolveOpen = resolve;
        rejectOpen = reject;
      }),
    };
    // The leader tab opens, for the relay, spaces only another tab shows: through the same door as the UI.
    const leadership = new RelayLeadership({ locks, tabId, openSpace: (id) => whenOpen.promise.then((app) => app.openSpace(id)) });
    const sharing = new SpaceSharing({
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      leadership,
      // The sync settings live in the space's own store: whichever format it is in, once any move of it is done.
      localStore: async (spaceId) => {
        const { stores } = (await whenOpen.promise).workspace;
        await stores.ready(spaceId);
        return stores.storeFor(spaceId);
      },
    });
    let presence: TabPresence | null = null;
    let events: DomainEventChannel | null = null;
    try {
      presence = await TabPresence.claim(locks, tabId);
      events = new DomainEventChannel(presence.id);
      const claimed = presence;
      const workspace = await LocalWorkspace.open({
        locks,
        events,
        extraLayers: [(spaceId) => new TabChannelLayer(spaceId, { presence: claimed }), sharing.layerFactory],
      });
      opened = new BrowserWorkspace(workspace, sharing, events, claimed, leadership);
      options.signal?.throwIfAborted();
      resolveOpen(opened);
      return opened;
    } catch (e) {
      rejectOpen(e);
      whenOpen.promise.catch(() => undefined);
      if (opened) await opened.close();
      else {
        leadership.close();
        sharing.close();
        events?.close();
        presence?.release();
      }
      throw e;
    }
  }

  /** Opens a space and, when it is synced, attaches its sync (live layers and the background sync). */
  async openSpace(id: string): Promise<SpaceHandle> {
    const handle = await this.workspace.openSpace(id);
    this.sharing.watch(handle);
    return handle;
  }

  /**
   * Starts writing what is still coalescing in every open space, without waiting: the tab is being hidden
   * (pagehide), the last moment a write may still finish before the browser discards the page.
   */
  flushSoon(): void {
    for (const id of this.workspace.manager.openSpaceIds()) {
      void this.workspace.manager
        .openSpace(id)
        .then((h) => h.flush())
        // A failed write is already on the save status (and retried); nothing more to say here.
        .catch(() => undefined);
    }
  }

  /** A clean close: the relay goes first, the workspace flushes, then this tab lets its peers know it left. */
  async close(): Promise<void> {
    this.leadership.close();
    try {
      await this.workspace.close();
    } finally {
      this.sharing.close();
      this.events.close();
      this.presence.release();
    }
  }
}
