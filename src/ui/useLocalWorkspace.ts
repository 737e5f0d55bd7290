import { useEffect, useState } from 'react';
import type { PersistenceError } from '../core/errors.ts';
import { LocalWorkspace } from '../storage/LocalWorkspace.ts';
import { createUiStateCollections, PageCollections, type UiStateCollections } from '../collections/index.ts';

export type WorkspaceState =
  | { status: 'opening' }
  | { status: 'open'; workspace: LocalWorkspace; collections: PageCollections; ui: UiStateCollections }
  | { status: 'failed'; error: PersistenceError | Error };

/** Opens the local workspace once for the app's lifetime; flushes it when the page is hidden. */
export function useLocalWorkspace(): WorkspaceState {
  const [state, setState] = useState<WorkspaceState>({ status: 'opening' });
  useEffect(() => {
    let workspace: LocalWorkspace | null = null;
    let cancelled = false;
    // pagehide: the last chance to write what is still coalescing (the loss window) before the tab goes.
    const onHide = () => {
      for (const id of workspace?.manager.openSpaceIds() ?? []) void workspace?.manager.openSpace(id).then((h) => h.flush()).catch(() => undefined);
    };
    LocalWorkspace.open().then(
      (ws) => {
        if (cancelled) return void ws.close();
        workspace = ws;
        (globalThis as { quire?: unknown }).quire = { workspace: ws };
        setState({ status: 'open', workspace: ws, collections: new PageCollections(ws.db), ui: createUiStateCollections(ws.db) });
      },
      (error: unknown) => !cancelled && setState({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    window.addEventListener('pagehide', onHide);
    return () => {
      cancelled = true;
      window.removeEventListener('pagehide', onHide);
      void workspace?.close();
    };
  }, []);
  return state;
}
