/**
 * Whole-space background sync: keeps EVERY page of a synced space in sync with the relay, not only the
 * open ones, and after being offline exchanges only the pages changed on either side since the last pass.
 *
 * A pass:
 *   1. reads this device's sync state (SyncStateStore): the relay sequence of the last complete pass and
 *      the pages marked "not yet stored by the relay" (UnstoredMarks, kept across sessions);
 *   2. asks the relay which documents changed since that sequence (changeQuery.ts, the relay's change
 *      index); the first pass of a space (nothing known) takes every page of the tree instead;
 *   3. for each page in (changed on the relay) ∪ (dirty here), still in the tree, with at most
 *      SYNC_CONCURRENCY at once: opens it through `SpaceHandle.openPage` (which loads it locally, or from the
 *      relay when this device never had it, and follows it: both sides exchange what the other lacks),
 *      waits until the relay stored everything of it (`RelayLayer.whenSettled`, asking the relay to store
 *      now instead of after its debounce: storeNow.ts), drops its mark if the relay's stored
 *      acknowledgement covers the page's whole live state (`RelayLayer.storedCovers`: not after a refusal,
 *      nor while changes still wait in DocSync's retry backoff), and releases it;
 *   4. when every page succeeded, records the relay sequence from step 2 (changes after it are picked up
 *      by the next pass, never lost between the question and the record).
 *
 * Passes run when the syncer starts, each time the relay connection is (re)established, and every
 * POLL_MS while connected (the relay does not push changes of documents this device does not follow).
 * A page is marked when DocSync queues a local change of it for the relay layer (`onLocalChange`, fed by
 * `RelayLayer.queued` before any backoff or save), once per period, and unmarked when a pass saw it stored:
 * a change made while the relay was away or refusing, in a tab that then died, is sent by the next
 * session's first pass without the page being opened by anyone (UnstoredMarks.ts has the write cost).
 */
import { ErrorCode, SpaceError, type QuireError } from '../../core/errors.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { SPACE_DOC_ID } from '../../core/persistence/PersistenceLayer.ts';
import type { RelayLayer } from './RelayLayer.ts';
import type { SyncStateStore } from './SyncStateStore.ts';
import { UnstoredMarks } from './UnstoredMarks.ts';

/** Bounds the pages opened at once by the background sync (memory, and the relay's pending sessions). */
export const SYNC_CONCURRENCY = 4;
/** How often a connected syncer asks the relay what changed (one small stateless round trip). */
export const POLL_MS = 15_000;

export interface SyncerStats {
  passes: number;
  /** Every page a pass opened, in order (a page twice if two passes took it). */
  readonly pagesSynced: string[];
  failures: number;
}

export interface SpaceSyncerOptions {
  store: SyncStateStore;
  /** The key of this space on this relay (`syncStateKey`). */
  key: string;
  concurrency?: number;
  pollMs?: number;
  /** Failures of a pass or of the sync state store (the page is retried at the next pass). */
  onError?: (error: QuireError, pageId: string | null) => void;
}

export class SpaceSyncer {
  readonly stats: SyncerStats = { passes: 0, pagesSynced: [], failures: 0 };
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly off: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastWasOnline = false;
  private readonly marks: UnstoredMarks;

  constructor(
    private readonly handle: SpaceHandle,
    private readonly layer: RelayLayer,
    private readonly opts: SpaceSyncerOptions,
  ) {
    this.marks = new UnstoredMarks(opts.store, opts.key, (e, docId) => this.report(e, docId));
  }

  start(): void {
    this.off.push(
      this.layer.onLocalChange((docId) => {
        // The space document is followed for as long as the space is open: each session exchanges it whole.
        if (docId !== SPACE_DOC_ID) this.marks.changed(docId);
      }),
      this.layer.onStatus((s) => {
        const online = s.state === 'syncing' || s.state === 'synced';
        if (online && !this.lastWasOnline) void this.kick(); // a pass reports its own failures
        this.lastWasOnline = online;
      }),
    );
    this.timer = setInterval(() => {
      const s = this.layer.status().state;
      if (s === 'syncing' || s === 'synced') void this.kick();
    }, this.opts.pollMs ?? POLL_MS);
    void this.kick();
  }

  /** Runs a pass now (or right after the one running). Resolves when no pass is running or queued. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.pass().catch((e: unknown) => this.report(e, null));
      } while (this.again && !this.stopped);
      this.running = null;
    })();
    return this.running;
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.off.splice(0)) u();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async pass(): Promise<void> {
    if (this.handle.isClosed) return;
    const state = await this.opts.store.get(this.opts.key);
    const answer = await this.layer.changesSince(state.known ? state.seq : 0);
    const inTree = new Set(this.handle.space.listPages().map((p) => p.id));
    const wanted = new Set<string>();
    if (!state.known) for (const id of inTree) wanted.add(id);
    for (const id of [...answer.docs, ...state.dirty]) if (inTree.has(id)) wanted.add(id);
    this.stats.passes++;
    const queue = [...wanted];
    let failed = false;
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !this.stopped; id = queue.shift()) {
        if (!(await this.syncPage(id, state.dirty.has(id)))) failed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? SYNC_CONCURRENCY, queue.length) }, worker));
    if (!failed && !this.stopped) await this.opts.store.setSeq(this.opts.key, answer.seq);
  }

  /** Opens, exchanges and releases one page (`marked`: in the sync state at the pass's start); false when
   * it must be retried at the next pass. */
  private async syncPage(pageId: string, marked: boolean): Promise<boolean> {
    if (this.handle.isClosed) return false;
    let page;
    try {
      page = await this.handle.openPage(pageId);
    } catch (e) {
      if (e instanceof SpaceError && e.code === ErrorCode.NotFound) return true; // deleted meanwhile
      this.report(e, pageId);
      return false;
    }
    this.stats.pagesSynced.push(pageId);
    try {
      await this.layer.whenSettled(pageId, { storeNow: true }); // not after the relay's store debounce
      // Checked on the live page before it is released; a refused page keeps its mark for the next pass.
      const version = this.marks.version(pageId);
      const stored = this.layer.storedCovers(pageId);
      await page.release();
      if (stored) await this.marks.clear(pageId, version, marked);
      return true;
    } catch (e) {
      this.report(e, pageId);
      void page.release().catch(() => undefined); // its writes stay queued in DocSync; reported above
      return false;
    }
  }

  private report(e: unknown, pageId: string | null): void {
    this.stats.failures++;
    const error = e instanceof Error && 'code' in e ? (e as QuireError) : new SpaceError(ErrorCode.StorageUnavailable, `Background sync failed: ${String(e)}`, { cause: e });
    this.opts.onError?.(error, pageId);
  }
}
