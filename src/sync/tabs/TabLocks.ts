/**
 * The lock manager the tab layer needs, behind the smallest interface that does the job: exclusive locks,
 * requests queued behind the holder, a queued request cancellable with an AbortSignal.
 *
 * Why locks: a tab holds `quire:tab:<id>` for its whole life and the browser releases it when the tab dies
 * (closed, crashed, killed), so a peer whose request for that lock is granted knows the tab is gone. It is
 * the only dead-tab signal a browser gives without timeouts. Browsers: BrowserTabLocks (navigator.locks);
 * Node tests: InProcessTabLocks (one manager shared by the simulated tabs, as one origin shares its locks).
 */
export interface TabLocks {
  /**
   * Requests the exclusive lock `name`, queued behind its holder and earlier requests. Resolves with the
   * function that releases it once granted. Rejects with a PersistenceError 'closed' when `signal` aborts
   * before the grant (the request leaves the queue).
   */
  acquire(name: string, signal?: AbortSignal): Promise<() => void>;
}

/** The lock a tab holds for its lifetime. */
export function tabLockName(tabId: string): string {
  return `quire:tab:${tabId}`;
}
