/**
 * The leader's side of the follower tabs' announcements (RelayLeadership describes the design): per
 * follower tab, per space, the pages it shows, held open here so the leader's relay layer follows them; the
 * spaces opened for followers; and a watch on each follower's lifetime lock, whose grant means that tab is
 * gone and what was held for it is released.
 */
import { asPersistenceError, ErrorCode, type PersistenceError } from '../../../core/errors.ts';
import type { PageHandle, SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import { tabLockName, type TabLocks } from '../../tabs/TabLocks.ts';

export interface FollowerHoldsOptions {
  readonly locks: TabLocks;
  /** The leader's own handle of a space, when it syncs the space itself. */
  readonly own: (spaceId: string) => SpaceHandle | undefined;
  /** Opens a space only followers show (RelayLeadershipOptions.openSpace); absent: only own spaces. */
  readonly openSpace?: (spaceId: string) => Promise<SpaceHandle>;
  /** Follower `tab` is gone (its lifetime lock was granted). */
  readonly gone: (tab: string) => void;
  readonly report: (e: PersistenceError) => void;
}

export class FollowerHolds {
  /** Per follower tab, per space, the pages held open for it. */
  private readonly holds = new Map<string, Map<string, Map<string, Promise<PageHandle | null>>>>();
  /** Spaces opened for followers (kept open, as the UI keeps every visited space open). */
  private readonly opened = new Map<string, Promise<SpaceHandle | null>>();
  /** Follower tabs whose lifetime lock we wait on (granted = that tab is gone). */
  private readonly watches = new Map<string, AbortController>();

  constructor(private readonly opts: FollowerHoldsOptions) {}

  /** The follower tabs something is held for. */
  tabs(): string[] {
    return [...this.holds.keys()];
  }

  /** The page held open for follower `tab`, if any (it resolves once open, or null if it failed to). */
  held(tab: string, spaceId: string, pageId: string): Promise<PageHandle | null> | undefined {
    return this.holds.get(tab)?.get(spaceId)?.get(pageId);
  }

  /** Holds open exactly `pageIds` of `spaceId` for follower `tab` (its whole announced set). Resolves once
   * they are open (and so followed through the relay layer), or failed to open. */
  hold(tab: string, spaceId: string, pageIds: readonly string[]): Promise<void> {
    this.watch(tab);
    let perSpace = this.holds.get(tab);
    if (!perSpace) this.holds.set(tab, (perSpace = new Map<string, Map<string, Promise<PageHandle | null>>>()));
    let pages = perSpace.get(spaceId);
    if (!pages) perSpace.set(spaceId, (pages = new Map<string, Promise<PageHandle | null>>()));
    const wanted = new Set(pageIds);
    for (const [id, held] of pages) {
      if (wanted.has(id)) continue;
      pages.delete(id);
      void releaseHeld(held);
    }
    const space = this.spaceFor(spaceId);
    for (const id of wanted) {
      if (pages.has(id)) continue;
      pages.set(
        id,
        space
          .then((h) => (h && !h.isClosed ? h.openPage(id) : null))
          .catch((e: unknown) => {
            // Deleted meanwhile (typed not-found), or this tab's local stores failed (typed by them: a full
            // quota stays quota-exceeded). The follower still has its copy and its own store.
            this.opts.report(asPersistenceError(e, ErrorCode.StorageUnavailable, { docId: id }));
            return null;
          }),
      );
    }
    return Promise.all([space, ...pages.values()]).then(() => undefined);
  }

  /** Waits on follower `tab`'s lifetime lock: granted means it is gone. */
  watch(tab: string): void {
    if (this.watches.has(tab)) return;
    const ctrl = new AbortController();
    this.watches.set(tab, ctrl);
    this.opts.locks.acquire(tabLockName(tab), ctrl.signal).then(
      (release) => {
        release();
        this.watches.delete(tab);
        this.opts.gone(tab);
      },
      (e: unknown) => {
        // The lock manager failed (not our own abort): this browser cannot tell when that tab goes.
        if (!ctrl.signal.aborted) this.opts.report(asPersistenceError(e, ErrorCode.Unsupported));
      },
    );
  }

  /** Releases every page held for `tab`. */
  drop(tab: string): void {
    const perSpace = this.holds.get(tab);
    this.holds.delete(tab);
    for (const pages of perSpace?.values() ?? []) for (const held of pages.values()) void releaseHeld(held);
  }

  /** Stops watching the follower tabs (call after dropping them). */
  close(): void {
    for (const w of this.watches.values()) w.abort();
    this.watches.clear();
  }

  /** The leader's handle of a space a follower shows: its own, or opened for the follower. */
  private spaceFor(spaceId: string): Promise<SpaceHandle | null> {
    const own = this.opts.own(spaceId);
    if (own) return Promise.resolve(own);
    let opening = this.opened.get(spaceId);
    if (!opening) {
      const open = this.opts.openSpace;
      opening = open
        ? open(spaceId).catch((e: unknown) => {
            this.opened.delete(spaceId);
            // Opened from this tab's local stores (their failures are typed, a full quota included).
            this.opts.report(asPersistenceError(e, ErrorCode.StorageUnavailable));
            return null;
          })
        : Promise.resolve(null);
      this.opened.set(spaceId, opening);
    }
    return opening;
  }
}

async function releaseHeld(held: Promise<PageHandle | null>): Promise<void> {
  const page = await held;
  await page?.release().catch(() => undefined);
}
