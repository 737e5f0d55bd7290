import type { SaveStatus } from '../../core/manager/SaveStatus.ts';

/**
 * Resolves once every change is acknowledged by every layer of this device ('saved'; a relay that has
 * not stored it yet does not count: the change is on this device and syncs later), at once if it already is. A failing
 * layer keeps it waiting: its backlog lives only in memory until the write succeeds, so a reload (an app
 * update, the "reload" after another tab upgraded the database) must not happen before. `signal` stops the
 * wait (the user changed their mind).
 */
export function whenSaved(status: SaveStatus, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (status.snapshot().device.state === 'saved') return resolve();
    const unsubscribe = status.subscribe((snap) => {
      if (snap.device.state !== 'saved') return;
      unsubscribe();
      resolve();
    });
    signal?.addEventListener('abort', () => {
      unsubscribe();
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    });
  });
}
