/**
 * TabLocks over the browser's Web Locks API (navigator.locks), shared by every tab and worker of the
 * origin and released by the browser when the holder's tab dies.
 */
import { asPersistenceError, ErrorCode } from '../../core/errors.ts';
import type { TabLocks } from './TabLocks.ts';

export class BrowserTabLocks implements TabLocks {
  constructor(private readonly locks: LockManager = navigator.locks) {}

  acquire(name: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const options: LockOptions = signal ? { mode: 'exclusive', signal } : { mode: 'exclusive' };
      // The lock is held while the callback's promise is pending: it settles when the caller releases.
      this.locks
        .request(name, options, () => new Promise<void>((release) => resolve(() => release())))
        .catch((e: unknown) => reject(asPersistenceError(e, signal?.aborted ? ErrorCode.Closed : ErrorCode.StorageUnavailable)));
    });
  }
}
