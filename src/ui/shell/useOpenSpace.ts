import { useEffect, useState } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { BrowserWorkspace, SpaceSharing } from '../../app/index.ts';
import { describeOpenError, openMayRetry } from '../common/describeError.ts';

/**
 * How long to wait before opening a synced space again after it was found nowhere: the relay may get it
 * any moment (the owner comes online) or come back. Doubling from a few seconds to a minute keeps a tab
 * left open on a space that never arrives from asking the relay more than once a minute.
 */
export const OPEN_RETRY_FIRST_MS = 3_000;
export const OPEN_RETRY_MAX_MS = 60_000;

export type SpaceState = { id: string; handle: SpaceHandle } | { id: string; error: Error; message: string; retrying: boolean } | null;

/**
 * Opens the space the route names. A synced space that no layer holds yet (joined before the owner's
 * device put it on the relay, or the relay out of reach) is opened again by itself until it arrives;
 * the message says what happened in the person's words (describeOpenError).
 */
export function useOpenSpace(app: BrowserWorkspace, sharing: SpaceSharing, spaceId: string | null): SpaceState {
  const [state, setState] = useState<SpaceState>(null);
  useEffect(() => {
    if (!spaceId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (n: number) => {
      // The app opens the space with its sync attached (a synced space keeps every page in sync).
      app.openSpace(spaceId).then(
        (handle) => {
          if (live) setState({ id: spaceId, handle });
        },
        async (e: unknown) => {
          const error = e instanceof Error ? e : new Error(String(e));
          // The role decides the message; not knowing it (storage failing too) reads as "not synced".
          const role = await sharing.storedRole(spaceId).catch(() => null);
          if (!live) return;
          const retrying = openMayRetry(error, role);
          setState({ id: spaceId, error, message: describeOpenError(error, role), retrying });
          if (retrying) timer = setTimeout(() => live && attempt(n + 1), Math.min(OPEN_RETRY_MAX_MS, OPEN_RETRY_FIRST_MS * 2 ** n));
        },
      );
    };
    attempt(0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [app, sharing, spaceId]);
  return state && state.id === spaceId ? state : null;
}
