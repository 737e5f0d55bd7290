/**
 * Page documents held open by the UI, shared by everything that shows the same page, with releases
 * serialised: a page is reopened only after its previous release finished. (SpaceHandle.openPage called
 * while that page's last release is still flushing would hand back a document whose sync is being
 * detached; going through here never does that.)
 */
import { useEffect, useState } from 'react';
import type { PageHandle, SpaceHandle } from '../core/manager/SpaceHandle.ts';

interface Entry {
  opening: Promise<PageHandle>;
  users: number;
}

// Per SpaceHandle object (not per space id): a space closed and opened again gets a fresh handle, and
// nothing opened through the old one is handed out again.
const entriesOf = new WeakMap<SpaceHandle, Map<string, Entry>>();
const releasingOf = new WeakMap<SpaceHandle, Map<string, Promise<void>>>();

function mapOf<V>(maps: WeakMap<SpaceHandle, Map<string, V>>, space: SpaceHandle): Map<string, V> {
  let map = maps.get(space);
  if (!map) maps.set(space, (map = new Map<string, V>()));
  return map;
}

/** How long a page stays open after its last user left (quick back-and-forth keeps it warm). */
const LINGER_MS = 1_000;

function acquire(space: SpaceHandle, pageId: string): Promise<PageHandle> {
  const entries = mapOf(entriesOf, space);
  const releasing = mapOf(releasingOf, space);
  const k = pageId;
  let entry = entries.get(k);
  if (!entry) {
    const previous = releasing.get(k) ?? Promise.resolve();
    entry = { opening: previous.then(() => space.openPage(pageId)), users: 0 };
    entries.set(k, entry);
    const e = entry;
    // A failed open is forgotten so that the next attempt tries again.
    e.opening.catch(() => entries.get(k) === e && entries.delete(k));
  }
  entry.users++;
  return entry.opening;
}

function release(space: SpaceHandle, pageId: string): void {
  const entries = mapOf(entriesOf, space);
  const releasing = mapOf(releasingOf, space);
  const k = pageId;
  const entry = entries.get(k);
  if (!entry) return;
  entry.users--;
  if (entry.users > 0) return;
  setTimeout(() => {
    if (entry.users > 0 || entries.get(k) !== entry) return;
    entries.delete(k);
    const done = entry.opening
      .then((h) => h.release())
      .catch(() => undefined)
      .finally(() => releasing.get(k) === done && releasing.delete(k));
    releasing.set(k, done);
  }, LINGER_MS);
}

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
    acquire(space, pageId).then(
      (handle) => live && setState({ key: k, value: { status: 'open', handle } }),
      (e: unknown) => live && setState({ key: k, value: { status: 'failed', error: e instanceof Error ? e : new Error(String(e)) } }),
    );
    return () => {
      live = false;
      release(space, pageId);
    };
  }, [space, pageId, k]);
  return state.key === k ? state.value : { status: 'loading' };
}
