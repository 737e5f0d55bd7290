import Dexie from 'dexie';
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { PageChange, PageRecord, SpaceMeta } from '../../core/space/types.ts';
import { appendEvents, type EventDraft } from './appendEvents.ts';
import { metaSnapshot, pageSnapshot, toPageRow } from './pageRows.ts';
import type { QuireDatabase } from './QuireDatabase.ts';
import { rebuildProjections, type CanonicalSpace, type RebuildReport } from './rebuildProjections.ts';
import { TOP_LEVEL_PARENT, type EventActor, type EventRow, type EventType, type JsonObject, type SpaceRow } from './rows.ts';
import { spaceKeyRange } from './spaceKeyRange.ts';
import { fromDexieError } from '../../core/persistence/fromDexieError.ts';
import { verifyEventChain, type ChainVerification } from './verifyEventChain.ts';

export interface ProjectionWriterOptions {
  /** Time source for event timestamps and row updatedAt. */
  now?: () => number;
}

/**
 * The only writer of the canonical projections (spaces, pages) and of the event log (document 004).
 *
 * Every domain change appends its event(s) AND updates the projection rows in ONE Dexie transaction over
 * events + pages + spaces, and the returned promise resolves only after that transaction completed: a
 * crash leaves either both or neither. Page changes come from the core's Space (`space.observe`), which
 * reports every changed page with its full new record, so the projection write is a put of that record
 * (or a delete): idempotent, and equal to what a rebuild from `space.listPages()` would write.
 */
/** Whether a page has a child not in the trash: one range read on the children index, stopping at the first. */
async function hasLiveChild(db: QuireDatabase, spaceId: string, pageId: string): Promise<boolean> {
  const child = await db.pages
    .where('[spaceId+parentId+order]')
    .between([spaceId, pageId, Dexie.minKey], [spaceId, pageId, Dexie.maxKey], true, true)
    .filter((r) => !r.inTrash)
    .first();
  return child !== undefined;
}

/** Brings a page row's `hasChildren` up to date (rows deleted meanwhile are skipped). */
async function refreshHasChildren(db: QuireDatabase, spaceId: string, pageId: string): Promise<void> {
  const row = await db.pages.get([spaceId, pageId]);
  if (!row) return;
  const has = await hasLiveChild(db, spaceId, pageId);
  if (row.hasChildren !== has) await db.pages.update([spaceId, pageId], { hasChildren: has });
}

export class ProjectionWriter {
  private readonly now: () => number;

  constructor(
    private readonly db: QuireDatabase,
    options: ProjectionWriterOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Registers a space (or records new metadata): 'space.created' / 'space.renamed' / 'space.updated'.
   * Needed once after `Space.create`, which writes the metadata before anyone can observe the space.
   */
  registerSpace(meta: SpaceMeta, actor: EventActor): Promise<EventRow[]> {
    return this.applyPageChanges(meta.id, [{ type: 'space-updated', meta }], actor);
  }

  /** Applies a batch of Space changes: events + projection rows, one transaction. Returns the events. */
  async applyPageChanges(spaceId: string, changes: readonly PageChange[], actor: EventActor): Promise<EventRow[]> {
    if (changes.length === 0) return [];
    const { db } = this;
    const ts = this.now();
    return this.write(`apply ${changes.length} change(s) to space ${spaceId}`, async () => {
      const drafts: EventDraft[] = [];
      /** Pages whose `hasChildren` may have changed: the old and new parents of pages created, moved, trashed, restored or deleted. */
      const parents = new Set<string>();
      let space: SpaceRow | undefined;
      let spaceLoaded = false;
      for (const change of changes) {
        if (change.type === 'space-updated') {
          if (!spaceLoaded) {
            space = await db.spaces.get(spaceId);
            spaceLoaded = true;
          }
          const draft = spaceDraft(spaceId, space, change.meta);
          if (!draft) continue;
          space = {
            id: spaceId,
            name: change.meta.name,
            icon: change.meta.icon,
            createdAt: change.meta.createdAt,
            updatedAt: ts,
            lastOpenedAt: space?.lastOpenedAt ?? null,
            deleted: space?.deleted ?? false,
          };
          await db.spaces.put(space);
          drafts.push(draft);
        } else if (change.type === 'page-deleted') {
          const old = await db.pages.get([spaceId, change.pageId]);
          if (old && old.parentId !== TOP_LEVEL_PARENT) parents.add(old.parentId);
          await db.pages.delete([spaceId, change.pageId]);
          drafts.push({ entityType: 'page', entityId: change.pageId, type: 'page.deleted', payload: {} });
        } else {
          // The row is written whole, with its flag (a rename, the common case while typing a title, costs one
          // range read and one put). Only changes that can change a parent's set of live children touch it.
          await db.pages.put(toPageRow(spaceId, change.page, await hasLiveChild(db, spaceId, change.page.id)));
          if (change.type !== 'page-renamed') {
            if (change.page.parentId !== null) parents.add(change.page.parentId);
            if (change.type === 'page-moved' && change.previousParentId !== null) parents.add(change.previousParentId);
          }
          drafts.push(pageDraft(change));
        }
      }
      for (const id of parents) await refreshHasChildren(db, spaceId, id);
      return appendEvents(db, spaceId, actor, ts, drafts);
    });
  }

  /**
   * Deletes a space: appends 'space.deleted', marks the registry row deleted (out of the recent list) and
   * removes its page projection. The event log stays: it is append-only and is exported with the space.
   */
  async deleteSpace(spaceId: string, actor: EventActor): Promise<EventRow[]> {
    const { db } = this;
    const ts = this.now();
    const [lower, upper] = spaceKeyRange(spaceId);
    return this.write(`delete space ${spaceId}`, async () => {
      const space = await db.spaces.get(spaceId);
      if (!space) throw new PersistenceError(ErrorCode.NotFound, `Space ${spaceId} does not exist.`);
      if (space.deleted) return [];
      await db.spaces.put({ ...space, deleted: true, lastOpenedAt: null, updatedAt: ts });
      await db.pages.where('[spaceId+id]').between(lower, upper, true, true).delete();
      return appendEvents(db, spaceId, actor, ts, [{ entityType: 'space', entityId: spaceId, type: 'space.deleted', payload: {} }]);
    });
  }

  /** Records that this device opened the space (the recent list). Registry only: no domain event. */
  async markSpaceOpened(spaceId: string): Promise<void> {
    const { db } = this;
    const ts = this.now();
    try {
      await db.transaction('rw', db.spaces, async () => {
        const space = await db.spaces.get(spaceId);
        if (!space || space.deleted) throw new PersistenceError(ErrorCode.NotFound, `Space ${spaceId} does not exist.`);
        await db.spaces.update(spaceId, { lastOpenedAt: ts });
      });
    } catch (e) {
      throw fromDexieError(e, { action: `mark space ${spaceId} opened` });
    }
  }

  /** Replaces the space's projection rows by the canonical state, in one transaction. */
  rebuildProjections(spaceId: string, canonical: CanonicalSpace): Promise<RebuildReport> {
    return rebuildProjections(this.db, spaceId, canonical, this.now);
  }

  verifyEventChain(spaceId: string): Promise<ChainVerification> {
    return verifyEventChain(this.db, spaceId);
  }

  private async write(action: string, body: () => Promise<EventRow[]>): Promise<EventRow[]> {
    const { db } = this;
    try {
      // Dexie resolves a transaction's promise on IndexedDB's `complete` event, so returning from here
      // means the events and the projection rows are durable together.
      return await db.transaction('rw', db.events, db.pages, db.spaces, body);
    } catch (e) {
      throw fromDexieError(e, { action });
    }
  }
}

function spaceDraft(spaceId: string, before: SpaceRow | undefined, meta: SpaceMeta): EventDraft | null {
  const payload: JsonObject = { meta: metaSnapshot(meta) };
  let type: EventType;
  if (!before) {
    type = 'space.created';
  } else if (before.name !== meta.name) {
    type = 'space.renamed';
    payload.previousName = before.name;
  } else if (before.icon !== meta.icon || before.createdAt !== meta.createdAt) {
    type = 'space.updated';
  } else {
    return null;
  }
  return { entityType: 'space', entityId: spaceId, type, payload };
}

type PageRecordChange = Exclude<PageChange, { type: 'page-deleted' } | { type: 'space-updated' }>;

const PAGE_EVENT_TYPES = {
  'page-created': 'page.created',
  'page-renamed': 'page.renamed',
  'page-moved': 'page.moved',
  'page-trashed': 'page.trashed',
  'page-restored': 'page.restored',
  'page-updated': 'page.updated',
} as const satisfies Record<PageRecordChange['type'], EventType>;

function pageDraft(change: PageRecordChange): EventDraft {
  const page: PageRecord = change.page;
  const payload: JsonObject = { page: pageSnapshot(page) };
  if (change.type === 'page-renamed') payload.previousTitle = change.previousTitle;
  if (change.type === 'page-moved') {
    payload.previousParentId = change.previousParentId;
    payload.previousOrder = change.previousOrder;
  }
  return { entityType: 'page', entityId: page.id, type: PAGE_EVENT_TYPES[change.type], payload };
}
