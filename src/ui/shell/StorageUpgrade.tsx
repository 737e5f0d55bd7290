/**
 * What a person sees of the storage upgrade (src/app/SpaceStores.ts): while the space the route names is being
 * moved, a progressbar "Storage upgrade" with pages done of total in place of the page (the rest of the app, and
 * spaces already moved, stay usable); when its move failed, an alert saying the space still works from where it
 * was and will be tried again.
 */
import { useEffect, useState } from 'react';
import type { SpaceStores, StorageUpgradeState } from '../../app/index.ts';

/** The upgrade state of one space, following every change. */
export function useStorageUpgrade(stores: SpaceStores, spaceId: string | null): StorageUpgradeState | null {
  const [state, setState] = useState<StorageUpgradeState | null>(() => (spaceId ? stores.state(spaceId) : null));
  useEffect(() => {
    if (!spaceId) return;
    setState(stores.state(spaceId));
    return stores.onChange((s) => {
      if (s.spaceId === spaceId) setState(s);
    });
  }, [stores, spaceId]);
  return state && state.spaceId === spaceId ? state : null;
}

const count = new Intl.NumberFormat();

export function StorageUpgradeProgress({ state }: { state: StorageUpgradeState }) {
  if (state.phase !== 'waiting' && state.phase !== 'moving' && state.phase !== 'cleaning') return null;
  const { done, total } = state;
  const text =
    state.phase === 'waiting'
      ? 'Another tab is upgrading this space; it opens here as soon as that is done.'
      : state.phase === 'moving'
        ? `Moving pages: ${count.format(done)} of ${count.format(total)}.`
        : `Tidying up the old storage: ${count.format(done)} of ${count.format(total)}.`;
  return (
    <div className="empty-state storage-upgrade">
      <h2>Upgrading storage</h2>
      <p>This version of Quire keeps each space in one database, which makes large spaces much faster. Nothing you wrote is changed; each page is checked after it moves, and the old copy is removed only once every page arrived.</p>
      <progress
        aria-label="Storage upgrade"
        max={state.phase === 'waiting' ? undefined : Math.max(total, 1)}
        value={state.phase === 'waiting' ? undefined : done}
        aria-valuetext={state.phase === 'waiting' ? 'waiting for another tab' : `${done} of ${total} pages`}
      />
      <p aria-live="polite">{text}</p>
    </div>
  );
}

export function StorageUpgradeFailed({ state }: { state: StorageUpgradeState }) {
  if (state.phase !== 'failed') return null;
  return (
    <p role="alert" className="banner">
      {state.error.message} Quire will try the upgrade again the next time it starts.
    </p>
  );
}
