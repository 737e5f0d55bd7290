import { useEffect, useState } from 'react';
import type { PersistenceError } from '../../core/errors.ts';
import { LocalWorkspace } from '../../app/LocalWorkspace.ts';
import { BrowserTabLocks, DomainEventChannel, TabChannelLayer, TabPresence } from '../../sync/index.ts';
import { createUiStateCollections, PageCollections, type UiStateCollections } from '../../collections/index.ts';
import { SpaceSharing } from '../../app/SpaceSharing.ts';
import { RelayLeadership } from '../../sync/relay/leader/RelayLeadership.ts';
import * as random from 'lib0/random';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
// The DOM's handler properties are typed with `this: WebSocket`; the layer needs only the narrow shape.
import type { WebSocketConstructor } from '../../sync/relay/RelayConnection.ts';

export type WorkspaceState =
  | { status: 'opening' }
  | { status: 'open'; workspace: LocalWorkspace; collections: PageCollections; ui: UiStateCollections; events: DomainEventChannel; sharing: SpaceSharing }
  | { status: 'failed'; error: PersistenceError | Error };

/** Opens the local workspace once for the app's lifetime; flushes it when the page is hidden. */
export function useLocalWorkspace(): WorkspaceState {
  const [state, setState] = useState<WorkspaceState>({ status: 'opening' });
  useEffect(() => {
    let workspace: LocalWorkspace | null = null;
    let presence: TabPresence | null = null;
    let events: DomainEventChannel | null = null;
    let cancelled = false;
    // pagehide: the last chance to write what is still coalescing (the loss window) before the tab goes.
    const onHide = () => {
      for (const id of workspace?.manager.openSpaceIds() ?? []) void workspace?.manager.openSpace(id).then((h) => h.flush()).catch(() => undefined);
    };
    // Other tabs of this browser: live edits over a BroadcastChannel, a Web Lock per tab so a survivor
    // stores what a crashed tab had not, and one projection leader per space.
    const locks = new BrowserTabLocks();
    // Spaces that sync get a relay layer after the tab channel (docs/sync-client.md), in the one tab per
    // relay that holds its connection (decision 0012); a space only another tab shows is opened here for it.
    const tabId = random.uuidv4();
    const leadership = new RelayLeadership({
      locks,
      tabId,
      openSpace: (id): Promise<SpaceHandle> => opening.then((ws) => ws.openSpace(id)).then((h) => (sharing.watch(h), h)),
    });
    const sharing = new SpaceSharing({ WebSocket: WebSocket as unknown as WebSocketConstructor, leadership });
    const opening: Promise<LocalWorkspace> = TabPresence.claim(locks, tabId).then((claimed) => {
      presence = claimed;
      events = new DomainEventChannel(claimed.id);
      return LocalWorkspace.open({ locks, events, extraLayers: [(spaceId) => new TabChannelLayer(spaceId, { presence: claimed }), sharing.layerFactory] });
    });
    opening.then(
      (ws) => {
        if (cancelled) {
          leadership.close();
          sharing.close();
          return void ws.close();
        }
        workspace = ws;
        (globalThis as { quire?: unknown }).quire = { workspace: ws, sharing };
        setState({ status: 'open', workspace: ws, collections: new PageCollections(ws.db), ui: createUiStateCollections(ws.db), events: events!, sharing });
      },
      (error: unknown) => !cancelled && setState({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    window.addEventListener('pagehide', onHide);
    return () => {
      cancelled = true;
      window.removeEventListener('pagehide', onHide);
      // A clean close flushes first, then lets peers know this tab is gone (a crash releases it too).
      // The relay goes first: the next tab takes the connection over while this one flushes.
      leadership.close();
      void (workspace?.close() ?? Promise.resolve()).finally(() => {
        sharing.close();
        events?.close();
        presence?.release();
      });
    };
  }, []);
  return state;
}
