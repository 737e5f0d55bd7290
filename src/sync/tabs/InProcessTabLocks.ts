/**
 * A working in-process lock manager with the semantics of navigator.locks that the tab layer relies on:
 * exclusive, granted in request order, queued requests abortable. Simulated tabs in one Node process share
 * one instance, as the tabs of one origin share the browser's lock manager. `release` is what the browser
 * does when a tab dies.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { TabLocks } from './TabLocks.ts';

interface Request {
  grant: () => void;
}

export class InProcessTabLocks implements TabLocks {
  private readonly held = new Set<string>();
  private readonly queues = new Map<string, Request[]>();

  acquire(name: string, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(aborted(name));
      const release = once(() => this.release(name));
      const request: Request = {
        grant: () => {
          // Aborted between the grant being queued and running: the caller has its rejection, so let go.
          if (signal?.aborted) return release();
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const q = this.queues.get(name);
        const i = q?.indexOf(request) ?? -1;
        if (q && i >= 0) q.splice(i, 1);
        reject(aborted(name));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (!this.held.has(name)) {
        this.held.add(name);
        // Granted asynchronously, like the browser: a caller never runs its grant before `acquire` returns.
        queueMicrotask(request.grant);
      } else {
        const q = this.queues.get(name) ?? [];
        q.push(request);
        this.queues.set(name, q);
      }
    });
  }

  /** True while someone holds `name` (tests). */
  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private release(name: string): void {
    const next = this.queues.get(name)?.shift();
    if (this.queues.get(name)?.length === 0) this.queues.delete(name);
    if (next) queueMicrotask(next.grant);
    else this.held.delete(name);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

function aborted(name: string): PersistenceError {
  return new PersistenceError(ErrorCode.Closed, `lock request for ${name} was cancelled`);
}
