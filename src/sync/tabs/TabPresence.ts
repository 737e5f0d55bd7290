/**
 * This tab's identity among the tabs of the origin: a random id, and the lock `quire:tab:<id>` held for
 * the tab's lifetime (see TabLocks for why). One per tab, shared by the tab layers of every open space.
 * It also numbers what this tab posts (one counter per tab, so a space closed and reopened in the same tab
 * never reuses a number a peer has already seen acknowledged).
 *
 * A tab closing cleanly flushes its spaces first (its peers then hear that everything is stored) and only
 * then calls `release`; a crashed tab's lock is released by the browser, which is how peers learn of it.
 */
import * as random from 'lib0/random';
import { tabLockName, type TabLocks } from './TabLocks.ts';

export class TabPresence {
  private seq = 0;
  private releaseLock: (() => void) | null;

  private constructor(
    readonly id: string,
    readonly locks: TabLocks,
    release: () => void,
  ) {
    this.releaseLock = release;
  }

  /** Takes this tab's lock; resolves once it is held (before any message is posted under this id). */
  static async claim(locks: TabLocks, id: string = random.uuidv4()): Promise<TabPresence> {
    const release = await locks.acquire(tabLockName(id));
    return new TabPresence(id, locks, release);
  }

  /** The next number of a message this tab posts (increasing across every space and document). */
  nextSeq(): number {
    return ++this.seq;
  }

  get released(): boolean {
    return this.releaseLock === null;
  }

  /** Lets go of the lifetime lock: peers will treat this tab as gone. Call after flushing every space. */
  release(): void {
    this.releaseLock?.();
    this.releaseLock = null;
  }
}
