/**
 * Space: the business logic of one space's page tree, over its Yjs space document.
 *
 * Commands validate against the effective tree (treeRules.ts) and write the raw records in one transaction
 * whose origin is LOCAL_ORIGIN. Queries read the effective tree, which TreeIndex keeps up to date from the
 * document's own events, so remote updates, loads and local commands all take the same path; listeners get
 * the changes of each transaction, found by diffing page records before and after it.
 *
 * One write goes beyond what a command names. When the page being moved (or restored to the top level) sits
 * on a loop of raw parents that rule 2 broke at ANOTHER page, shown at the top level, the move also writes
 * parent = null into that other page's record. Otherwise the move would dissolve the loop and that page
 * would jump under the moved one; with it, what the user saw stays put, and a local command never closes a
 * loop (the convergence fuzz checks this): loops only come from merging concurrent moves.
 */
import * as Y from 'yjs';
import { ErrorCode, SpaceError } from '../errors.ts';
import { Listeners } from '../Listeners.ts';
import { newPageId } from './newPageId.ts';
import { planInsertion } from './orderKeys.ts';
import type { SiblingKey, SiblingList } from './orderKeys.ts';
import { diffPage, samePageRecord } from './pageChanges.ts';
import { META_MAP, MetaField, PAGES_MAP, PageField, pageEntries, readRawPage } from './schema.ts';
import type { RawPage } from './schema.ts';
import { TreeIndex } from './TreeIndex.ts';
import type { ChangeOrigin, PageChange, PageRecord, SpaceListener, SpaceMeta } from './types.ts';

export type { ChangeOrigin, PageChange, PageRecord, SpaceListener, SpaceMeta } from './types.ts';

/** Transaction origin of every command of Space; any other origin is reported as 'remote'. */
export const LOCAL_ORIGIN: unique symbol = Symbol('quire.space.local');

export interface SpaceOptions {
  id: string;
  now?: () => number;
}

export interface CreatePageOptions {
  parentId?: string | null;
  title?: string;
  icon?: string | null;
  /** Position among the parent's live children; the end when omitted, clamped to the end when larger. */
  index?: number;
  /** The page id; a random UUID when omitted. */
  id?: string;
}

export class Space {
  readonly id: string;
  readonly doc: Y.Doc;
  private readonly now: () => number;
  private readonly metaMap: Y.Map<unknown>;
  private readonly pagesMap: Y.Map<unknown>;
  private readonly tree = new TreeIndex();
  private readonly records = new Map<string, PageRecord>();
  private metaSnapshot: SpaceMeta;
  /** Pages changed by the current transaction, read and applied at the next query or at its end. */
  private readonly dirtyPages = new Set<string>();
  private metaDirty = false;
  private pendingChanges: PageChange[] = [];
  private readonly listeners = new Listeners<{ changes: PageChange[]; origin: ChangeOrigin }>();
  private closed = false;

  /** Wraps a space document, empty or loaded; later updates (loads, sync) are followed as they apply. */
  constructor(doc: Y.Doc, options: SpaceOptions) {
    if (typeof options.id !== 'string' || options.id === '') throw new SpaceError(ErrorCode.InvalidOperation, 'A space needs an id');
    this.id = options.id;
    this.doc = doc;
    this.now = options.now ?? (() => Date.now());
    this.metaMap = doc.getMap<unknown>(META_MAP);
    this.pagesMap = doc.getMap<unknown>(PAGES_MAP);
    const all = new Map<string, RawPage | undefined>();
    this.pagesMap.forEach((value, id) => all.set(id, readRawPage(id, value)));
    for (const id of this.tree.apply(all)) this.rebuildRecord(id);
    this.metaSnapshot = this.readMeta();
    this.pagesMap.observeDeep(this.onPagesEvents);
    this.metaMap.observe(this.onMetaEvent);
    doc.on('afterTransaction', this.onAfterTransaction);
    doc.on('destroy', this.onDocDestroyed);
  }

  /** Writes the metadata of a new space into a fresh document. */
  static create(doc: Y.Doc, init: { id: string; name: string; icon?: string | null; now?: () => number }): Space {
    const meta = doc.getMap<unknown>(META_MAP);
    if (meta.has(MetaField.createdAt)) throw new SpaceError(ErrorCode.InvalidOperation, `Document already holds space ${init.id}`);
    requireString(init.name, 'name');
    const now = init.now ?? (() => Date.now());
    doc.transact(() => {
      meta.set(MetaField.name, init.name);
      meta.set(MetaField.icon, init.icon ?? null);
      meta.set(MetaField.createdAt, now());
    }, LOCAL_ORIGIN);
    return new Space(doc, { id: init.id, now });
  }

  // ---- space metadata

  meta(): SpaceMeta {
    this.sync();
    return this.metaSnapshot;
  }
  rename(name: string): void {
    this.assertOpen();
    requireString(name, 'name');
    if (name !== this.meta().name) this.transact(() => this.metaMap.set(MetaField.name, name));
  }
  setIcon(icon: string | null): void {
    this.assertOpen();
    requireStringOrNull(icon, 'icon');
    if (icon !== this.meta().icon) this.transact(() => this.metaMap.set(MetaField.icon, icon));
  }

  // ---- page commands

  createPage(opts: CreatePageOptions = {}): string {
    this.assertOpen();
    this.sync();
    const id = opts.id ?? newPageId();
    if (typeof id !== 'string' || id === '') throw new SpaceError(ErrorCode.InvalidOperation, 'A page id must be a non-empty string');
    if (this.pagesMap.has(id)) throw new SpaceError(ErrorCode.InvalidOperation, `Page ${id} already exists`);
    const title = opts.title ?? '';
    const icon = opts.icon ?? null;
    requireString(title, 'title');
    requireStringOrNull(icon, 'icon');
    const parentId = opts.parentId ?? null;
    if (parentId !== null) this.requireLiveParent(parentId);
    const siblings = this.liveSiblings(parentId, null);
    const plan = planInsertion(siblings, checkIndex(opts.index ?? siblings.ids.length));
    const now = this.now();
    const page = { title, icon, createdAt: now, updatedAt: now, trashed: false, trashedAt: null, parent: parentId, order: plan.key, ...this.nextStamp() };
    this.transact(() => {
      this.writeOrders(plan.rewrites);
      this.pagesMap.set(id, new Y.Map<unknown>(pageEntries(page)));
    });
    return id;
  }

  renamePage(id: string, title: string): void {
    requireString(title, 'title');
    if (this.requirePage(id).title === title) return;
    this.transact(() => {
      const map = this.pageMap(id);
      map.set(PageField.title, title);
      map.set(PageField.updatedAt, this.now());
    });
  }

  setPageIcon(id: string, icon: string | null): void {
    requireStringOrNull(icon, 'icon');
    if (this.requirePage(id).icon === icon) return;
    this.transact(() => {
      const map = this.pageMap(id);
      map.set(PageField.icon, icon);
      map.set(PageField.updatedAt, this.now());
    });
  }

  /**
   * Records the pages this page's content links to (the backlinks of those pages). Idempotent: the list is
   * sorted and deduplicated, a link to the page itself is dropped, and an unchanged list writes nothing.
   * It does not touch updatedAt: the links are derived from the content, whose edits call touchPage.
   */
  setPageLinks(id: string, targetIds: readonly string[]): void {
    if (!Array.isArray(targetIds) || targetIds.some((t) => typeof t !== 'string' || t === '')) {
      throw new SpaceError(ErrorCode.InvalidOperation, 'Link targets must be non-empty strings');
    }
    const current = this.requirePage(id).links;
    const next = [...new Set(targetIds)].filter((t) => t !== id).sort();
    if (next.length === current.length && next.every((t, i) => t === current[i])) return;
    this.transact(() => {
      const map = this.pageMap(id);
      if (next.length === 0) map.delete(PageField.links);
      else map.set(PageField.links, next);
    });
  }

  /** Marks the page modified now (its content changed). */
  touchPage(id: string): void {
    this.requirePage(id);
    this.transact(() => this.pageMap(id).set(PageField.updatedAt, this.now()));
  }

  /**
   * Moves a live page under a live parent (null: the top level), at `index` among the parent's live
   * children once the page is taken out. Throws 'invalid-operation' for a move into the page itself or its
   * subtree, a page or parent in the trash, or a bad index; 'not-found' for an unknown page or parent.
   */
  movePage(id: string, parentId: string | null, index: number): void {
    const page = this.requirePage(id);
    if (this.tree.inTrash(id)) throw new SpaceError(ErrorCode.InvalidOperation, `Page ${id} is in the trash; restore it first`);
    if (parentId !== null) {
      this.requireLiveParent(parentId);
      if (parentId === id || this.isAncestor(id, parentId)) {
        throw new SpaceError(ErrorCode.InvalidOperation, `Cannot move page ${id} into itself or its own subpage ${parentId}`);
      }
    }
    const siblings = this.liveSiblings(parentId, id);
    const at = Math.min(checkIndex(index), siblings.ids.length);
    if (page.parent === parentId && this.tree.parent(id) === parentId && this.liveChildIds(parentId).indexOf(id) === at) return;
    const plan = planInsertion(siblings, at);
    this.transact(() => {
      this.writeOrders(plan.rewrites);
      this.writeMove(id, parentId, plan.key);
    });
  }

  /** Puts the page and its subtree in the trash. Trashing a page already trashed does nothing. */
  trashPage(id: string): void {
    if (this.requirePage(id).trashed) return;
    this.transact(() => {
      const map = this.pageMap(id);
      map.set(PageField.trashed, true);
      map.set(PageField.trashedAt, this.now());
    });
  }

  /**
   * Takes the page out of the trash: back under its parent when that parent is live, otherwise at the end
   * of the top level. Restoring a page that is not trashed does nothing.
   */
  restorePage(id: string): void {
    if (!this.requirePage(id).trashed) return;
    const parent = this.tree.parent(id) ?? null;
    const toTop = parent !== null && this.tree.inTrash(parent);
    const plan = toTop ? planInsertion(this.liveSiblings(null, id), Number.MAX_SAFE_INTEGER) : undefined;
    this.transact(() => {
      const map = this.pageMap(id);
      map.set(PageField.trashed, false);
      map.set(PageField.trashedAt, null);
      if (plan) {
        this.writeOrders(plan.rewrites);
        this.writeMove(id, null, plan.key);
      }
    });
  }

  /** Removes the page and its whole subtree (trashed or not). Returns their ids, the page first. */
  deletePageForever(id: string): string[] {
    this.requirePage(id);
    const ids: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const next = stack.pop()!;
      ids.push(next);
      const children = this.tree.children(next);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    this.transact(() => {
      for (const pageId of ids) this.pagesMap.delete(pageId);
    });
    return ids;
  }

  // ---- queries

  getPage(id: string): PageRecord | undefined {
    this.sync();
    return this.records.get(id);
  }

  /** Live children of a parent (null: the top level), in sibling order; [] for an unknown parent. */
  children(parentId: string | null): PageRecord[] {
    this.sync();
    return this.liveChildIds(parentId).map((id) => this.records.get(id)!);
  }

  /** Pages whose own trashed flag is set, most recently trashed first. */
  trash(): PageRecord[] {
    this.sync();
    const trashed = [...this.records.values()].filter((p) => p.trashed);
    return trashed.sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Every page, trashed ones included, in tree order (depth first, siblings in order). */
  listPages(): PageRecord[] {
    this.sync();
    const out: PageRecord[] = [];
    const stack = [...this.tree.children(null)].reverse();
    while (stack.length > 0) {
      const id = stack.pop()!;
      out.push(this.records.get(id)!);
      const children = this.tree.children(id);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
    }
    return out;
  }

  /** The ancestors of a page, from the top level down to its parent; [] for an unknown page. */
  ancestors(id: string): PageRecord[] {
    this.sync();
    const out: PageRecord[] = [];
    for (let cur = this.tree.parent(id) ?? null; cur !== null; cur = this.tree.parent(cur) ?? null) out.push(this.records.get(cur)!);
    return out.reverse();
  }

  /** Calls `listener` after every transaction that changed the effective tree or the metadata. */
  observe(listener: SpaceListener): () => void {
    return this.listeners.add(({ changes, origin }) => listener(changes, origin));
  }

  /** Problems with the tree and the caches behind it; [] when everything holds. For tests and diagnostics. */
  checkInvariants(): string[] {
    this.sync();
    const problems = this.tree.verify();
    let pages = 0;
    this.pagesMap.forEach((value, id) => {
      const raw = readRawPage(id, value);
      if (!raw) return;
      pages++;
      const cached = this.tree.page(id);
      if (!cached || JSON.stringify(cached) !== JSON.stringify(raw)) problems.push(`page ${id}: cached record differs from the document`);
    });
    if (pages !== this.tree.size) problems.push(`${this.tree.size} cached pages, ${pages} in the document`);
    for (const page of this.tree.pages()) {
      const record = this.records.get(page.id);
      const fresh = this.buildRecord(page.id);
      if (!record || !fresh || !samePageRecord(record, fresh)) problems.push(`page ${page.id}: stale record`);
    }
    if (this.records.size !== this.tree.size) problems.push(`${this.records.size} records for ${this.tree.size} pages`);
    if (this.listPages().length !== this.tree.size) problems.push('listPages does not reach every page');
    if (JSON.stringify(this.metaSnapshot) !== JSON.stringify(this.readMeta())) problems.push('stale space metadata');
    return problems;
  }

  /** Stops following the document and drops listeners; later commands throw 'closed'. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.pagesMap.unobserveDeep(this.onPagesEvents);
    this.metaMap.unobserve(this.onMetaEvent);
    this.doc.off('afterTransaction', this.onAfterTransaction);
    this.doc.off('destroy', this.onDocDestroyed);
    this.listeners.clear();
  }

  // ---- internals

  private readonly onPagesEvents = (events: Y.YEvent<Y.AbstractType<unknown>>[]): void => {
    for (const event of events) {
      if (event.target === this.pagesMap && event instanceof Y.YMapEvent) {
        for (const key of event.keysChanged as Set<string>) this.dirtyPages.add(key);
      } else {
        const key = event.path[0];
        if (typeof key === 'string') this.dirtyPages.add(key);
      }
    }
  };
  private readonly onMetaEvent = (): void => {
    this.metaDirty = true;
  };
  private readonly onDocDestroyed = (): void => this.destroy();

  private readonly onAfterTransaction = (transaction: Y.Transaction): void => {
    this.sync();
    if (this.pendingChanges.length === 0) return;
    const changes = this.pendingChanges;
    this.pendingChanges = [];
    const origin: ChangeOrigin = transaction.origin === LOCAL_ORIGIN ? 'local' : 'remote';
    // Every listener hears every change even if one throws; the first error is rethrown afterwards.
    this.listeners.emitToAll({ changes, origin });
  };

  /** Applies what the current transaction changed so far to the index and queues the resulting changes. */
  private sync(): void {
    if (this.dirtyPages.size > 0) {
      const updates = new Map<string, RawPage | undefined>();
      for (const id of this.dirtyPages) updates.set(id, readRawPage(id, this.pagesMap.get(id)));
      this.dirtyPages.clear();
      for (const id of this.tree.apply(updates)) {
        const before = this.records.get(id);
        this.pendingChanges.push(...diffPage(id, before, this.rebuildRecord(id)));
      }
    }
    if (this.metaDirty) {
      this.metaDirty = false;
      const meta = this.readMeta();
      if (JSON.stringify(meta) !== JSON.stringify(this.metaSnapshot)) {
        this.metaSnapshot = meta;
        this.pendingChanges.push({ type: 'space-updated', meta });
      }
    }
  }

  private rebuildRecord(id: string): PageRecord | undefined {
    const record = this.buildRecord(id);
    if (record) this.records.set(id, record);
    else this.records.delete(id);
    return record;
  }

  private buildRecord(id: string): PageRecord | undefined {
    const raw = this.tree.page(id);
    if (!raw) return undefined;
    return Object.freeze({
      id,
      parentId: this.tree.parent(id) ?? null,
      order: raw.order,
      title: raw.title,
      icon: raw.icon,
      createdAt: raw.createdAt,
      updatedAt: raw.updatedAt,
      trashed: raw.trashed,
      inTrash: this.tree.inTrash(id),
      trashedAt: raw.trashed ? raw.trashedAt : null,
      links: raw.links,
    });
  }

  private readMeta(): SpaceMeta {
    const name = this.metaMap.get(MetaField.name);
    const icon = this.metaMap.get(MetaField.icon);
    const createdAt = this.metaMap.get(MetaField.createdAt);
    return Object.freeze({
      id: this.id,
      name: typeof name === 'string' ? name : '',
      icon: typeof icon === 'string' ? icon : null,
      createdAt: typeof createdAt === 'number' && Number.isFinite(createdAt) ? createdAt : 0,
    });
  }

  private transact(fn: () => void): void {
    this.assertOpen();
    this.doc.transact(fn, LOCAL_ORIGIN);
  }

  private assertOpen(): void {
    if (this.closed) throw new SpaceError(ErrorCode.Closed, `Space ${this.id} is closed`);
  }

  private requirePage(id: string): RawPage {
    this.assertOpen();
    this.sync();
    const page = this.tree.page(id);
    if (!page) throw new SpaceError(ErrorCode.NotFound, `No page ${id} in space ${this.id}`);
    return page;
  }

  private requireLiveParent(parentId: string): void {
    if (!this.tree.page(parentId)) throw new SpaceError(ErrorCode.NotFound, `No page ${parentId} in space ${this.id}`);
    if (this.tree.inTrash(parentId)) throw new SpaceError(ErrorCode.InvalidOperation, `Page ${parentId} is in the trash`);
  }

  private pageMap(id: string): Y.Map<unknown> {
    return this.pagesMap.get(id) as Y.Map<unknown>;
  }

  /** Whether `ancestor` is on the effective path from `id` up to the top level. */
  private isAncestor(ancestor: string, id: string): boolean {
    for (let cur = this.tree.parent(id) ?? null; cur !== null; cur = this.tree.parent(cur) ?? null) if (cur === ancestor) return true;
    return false;
  }

  private liveChildIds(parentId: string | null): string[] {
    return this.tree.children(parentId).filter((id) => !this.tree.inTrash(id));
  }

  /** The live children of a parent without `without` (the page being placed), for planInsertion. */
  private liveSiblings(parentId: string | null, without: string | null): SiblingList {
    const ids = this.tree.children(parentId).filter((id) => id !== without && !this.tree.inTrash(id));
    return { ids, orderOf: (id) => this.tree.page(id)!.order };
  }

  private nextStamp(): { lamport: number; client: number } {
    return { lamport: this.tree.maxLamport + 1, client: this.doc.clientID };
  }

  private writeOrders(rewrites: readonly SiblingKey[]): void {
    for (const { id, order } of rewrites) this.pageMap(id).set(PageField.order, order);
  }

  /** Writes a move of `id`; if `id` is on a loop broken at another page, pins that page at the top level. */
  private writeMove(id: string, parentId: string | null, order: string): void {
    const loop = this.tree.cycle(id);
    const stamp = this.nextStamp();
    const map = this.pageMap(id);
    map.set(PageField.parent, parentId);
    map.set(PageField.order, order);
    map.set(PageField.lamport, stamp.lamport);
    map.set(PageField.client, stamp.client);
    if (loop && loop.breaksAt !== id) this.pageMap(loop.breaksAt).set(PageField.parent, null);
  }
}

function checkIndex(index: number): number {
  if (!Number.isInteger(index) || index < 0) throw new SpaceError(ErrorCode.InvalidOperation, `Invalid index ${index}`);
  return index;
}
function requireString(value: unknown, what: string): void {
  if (typeof value !== 'string') throw new SpaceError(ErrorCode.InvalidOperation, `The ${what} must be a string`);
}
function requireStringOrNull(value: unknown, what: string): void {
  if (value !== null && typeof value !== 'string') throw new SpaceError(ErrorCode.InvalidOperation, `The ${what} must be a string or null`);
}
