import { useEffect, useState } from 'react';
import type { PersistenceError } from '../../core/errors.ts';
import { BrowserWorkspace } from '../../app/index.ts';

export type WorkspaceState = { status: 'opening' } | { status: 'open'; app: BrowserWorkspace } | { status: 'failed'; error: PersistenceError | Error };

/** Opens the app's workspace once for the screen's lifetime; starts writing pending edits when the page is hidden. */
export function useLocalWorkspace(): WorkspaceState {
  const [state, setState] = useState<WorkspaceState>({ status: 'opening' });
  useEffect(() => {
    const abort = new AbortController();
    let app: BrowserWorkspace | null = null;
    // pagehide: the last chance to write what is still coalescing (the loss window) before the tab goes.
    const onHide = () => app?.flushSoon();
    BrowserWorkspace.open({ signal: abort.signal }).then(
      (opened) => {
        app = opened;
        (globalThis as { quire?: unknown }).quire = { workspace: opened.workspace, sharing: opened.sharing };
        setState({ status: 'open', app: opened });
      },
      (error: unknown) => !abort.signal.aborted && setState({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) }),
    );
    window.addEventListener('pagehide', onHide);
    return () => {
      abort.abort();
      window.removeEventListener('pagehide', onHide);
      void app?.close();
    };
  }, []);
  return state;
}
