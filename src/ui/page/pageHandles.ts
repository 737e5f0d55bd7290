/**
 * Page documents held open by the UI. SpaceHandle already shares one document between every opener of a
 * page (reference counted) and makes a reopen wait for a release still flushing; the UI only adds a short
 * linger, so quick back-and-forth between pages keeps the document warm.
 */
import { useEffect, useState } from 'react';
import type { PageHandle, SpaceHandle } from '../../core/manager/SpaceHandle.ts';

/** How long a page stays open after its last user left (quick back-and-forth keeps it warm). */
const LINGER_MS = 1_000;

export type PageHandleState =
  | { status: 'loading' }
  | { status: 'open'; handle: PageHandle }
  | { status: 'failed'; error: Error };

/** Opens a page's document for as long as the component shows it. */
export function usePageHandle(space: SpaceHandle, pageId: string): PageHandleState {
  const [state, setState] = useState<{ key: string; value: PageHandleState }>({ key: '', value: { status: 'loading' } });
  const k = `${space.id}\u0000${pageId}`;
  useEffect(() => {
    let live = true;
    const opening = space.openPage(pageId);
    opening.then(
      (handle) => live && setState({ key: k, value: { status: 'open', handle } }),
      (e: unknown) => live && setState({ key: k, value: { status: 'failed', error: e instanceof Error ? e : new Error(String(e)) } }),
    );
    return () => {
      live = false;
      setTimeout(() => void opening.then((h: PageHandle) => h.release()).catch(() => undefined), LINGER_MS);
    };
  }, [space, pageId, k]);
  return state.key === k ? state.value : { status: 'loading' };
}
