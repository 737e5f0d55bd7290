/**
 * Leader election between the tabs of one browser profile with an exclusive lock (Web Locks in the
 * browser, InProcessTabLocks in Node tests): every candidate queues a request for the same lock name; the
 * one granted leads until it resigns or its tab dies. The browser releases a dead tab's locks, so the next
 * queued candidate is granted and takes over with no timeout and no heartbeat: that is the handover.
 */
import { asPersistenceError, ErrorCode, type PersistenceError } from '../../../core/errors.ts';
import { Listeners } from '../../../core/Listeners.ts';
import type { TabLocks } from '../../tabs/TabLocks.ts';

export class LeaderElection {
  private release: (() => void) | null = null;
  private readonly abort = new AbortController();
  private readonly listeners = new Listeners<void>();
  private readonly errorListeners = new Listeners<PersistenceError>();
  private started = false;
  private resigned = false;

  constructor(
    private readonly locks: TabLocks,
    readonly lockName: string,
  ) {}

  /** True while this candidate holds the lock. */
  get leading(): boolean {
    return this.release !== null;
  }

  /** Called once, when this candidate becomes the leader (it stays leader until `resign` or its tab dies). */
  onLeading(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  /** The lock manager failed (not a resignation): this candidate will never lead. */
  onError(listener: (e: PersistenceError) => void): () => void {
    return this.errorListeners.add(listener);
  }

  /** Queues this candidate behind the current leader and earlier candidates. */
  start(): void {
    if (this.started || this.resigned) return;
    this.started = true;
    this.locks.acquire(this.lockName, this.abort.signal).then(
      (release) => {
        // Resigned while the grant was on its way: give the lock to the next candidate at once.
        if (this.resigned) return release();
        this.release = release;
        this.listeners.emit();
      },
      (e: unknown) => {
        if (this.abort.signal.aborted) return; // our own resignation while queued
        // The lock manager failed: this browser cannot elect a leader (a TabLocks that typed its failure
        // keeps its code).
        this.errorListeners.emit(asPersistenceError(e, ErrorCode.Unsupported));
      },
    );
  }

  /** Leaves the election: releases the lock if held (the next candidate takes over), else leaves the queue. */
  resign(): void {
    if (this.resigned) return;
    this.resigned = true;
    this.abort.abort();
    this.release?.();
    this.release = null;
  }
}

/** The lock (and channel) name shared by the tabs that use relay `url`. */
export function relayLeaderName(url: string): string {
  return `quire:relay-leader:${url}`;
}

