import { useSyncExternalStore } from 'react';
import type { SpaceSharing } from '../../app/index.ts';
import type { PresenceSource } from '../page/editor/usePresence.ts';

/** Whether this device may only view the space (it joined with a viewer's invite). */
export function useReadOnly(sharing: SpaceSharing, spaceId: string | null): boolean {
  return useSyncExternalStore(
    (onChange) => (spaceId ? sharing.subscribe(spaceId, onChange) : () => undefined),
    () => (spaceId ? sharing.view(spaceId).settings?.role === 'viewer' : false),
  );
}

/** Where the open page's awareness goes while the space syncs (cursors of other devices), else null:
 * the presence of a synced space's editors, whichever tab holds the relay connection (SpaceSharing). */
export function usePresenceSource(sharing: SpaceSharing, spaceId: string | null): PresenceSource | null {
  return useSyncExternalStore(
    (onChange) => (spaceId ? sharing.subscribe(spaceId, onChange) : () => undefined),
    () => (spaceId ? sharing.presenceSource(spaceId) : null),
  );
}

