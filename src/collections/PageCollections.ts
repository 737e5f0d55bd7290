import type { Collection } from '@tanstack/react-db';
import { Dexie } from 'dexie';
import {
  recentSpacesQuery,
  spaceKeyRange,
  TOP_LEVEL_PARENT,
  type PageRow,
  type QuireDatabase,
  type SpaceRow,
} from '../storage/db/index.ts';
import { byString } from './byString.ts';
import { createDexieCollection } from './createDexieCollection.ts';

/** Bounds how many per-parent collections stay cached (each is small; an unused one also drops its rows
 * after TanStack DB's gcTime). Beyond it the least recently used idle one is forgotten and recreated on
 * demand. */
export const MAX_CACHED_PAGE_COLLECTIONS = 500;

/**
 * Read-only collections over the canonical projections (spaces, pages), written only by the core's
 * ProjectionWriter. Pages are never loaded per space: the sidebar asks for the children of ONE parent,
 * read through the [spaceId+parentId+order] index, so a 10k-page space costs what one folder costs.
 */
export class PageCollections {
  private readonly cache = new Map<string, Collection<PageRow, string>>();
  private spacesCollection: Collection<SpaceRow, string> | null = null;
  private recentCollection: Collection<SpaceRow, string> | null = null;

  constructor(private readonly db: QuireDatabase) {}

  /** Live spaces (not deleted). */
  spaces(): Collection<SpaceRow, string> {
    this.spacesCollection ??= createDexieCollection({
      id: `${this.db.name}:spaces`,
      table: this.db.spaces,
      getKey: (row) => row.id,
      readOnly: true,
      query: (t) => t.filter((s) => !s.deleted).toArray(),
      compare: (a, b) => byString(a.name, b.name) || byString(a.id, b.id),
    });
    return this.spacesCollection;
  }

  /** The recent list: at most RECENT_SPACES_LIMIT opened spaces, newest first, read by index. */
  recentSpaces(): Collection<SpaceRow, string> {
    this.recentCollection ??= createDexieCollection({
      id: `${this.db.name}:recentSpaces`,
      table: this.db.spaces,
      getKey: (row) => row.id,
      readOnly: true,
      query: () => recentSpacesQuery(this.db),
      compare: (a, b) => (b.lastOpenedAt ?? 0) - (a.lastOpenedAt ?? 0) || byString(a.id, b.id),
    });
    return this.recentCollection;
  }

  /**
   * The children of one parent (null: the top level), in sibling order (order, then id). Pages in the
   * trash are left out unless `includeTrashed`. Keys are page ids (unique within the space).
   */
  children(spaceId: string, parentId: string | null, options: { includeTrashed?: boolean } = {}): Collection<PageRow, string> {
    const parent = parentId ?? TOP_LEVEL_PARENT;
    const includeTrashed = options.includeTrashed ?? false;
    const key = `children\u0000${spaceId}\u0000${parent}\u0000${includeTrashed}`;
    return this.cached(key, () =>
      createDexieCollection({
        id: `${this.db.name}:pages:${spaceId}:${parent}${includeTrashed ? ':all' : ''}`,
        table: this.db.pages,
        getKey: (row) => row.id,
        readOnly: true,
        query: (t) => {
          const range = t.where('[spaceId+parentId+order]').between([spaceId, parent, Dexie.minKey], [spaceId, parent, Dexie.maxKey], true, true);
          return (includeTrashed ? range : range.filter((row) => !row.inTrash)).toArray();
        },
        compare: (a, b) => byString(a.order, b.order) || byString(a.id, b.id),
      }),
    );
  }

  /** The pages of a space whose own trashed flag is set, most recently trashed first, read through the
   * [spaceId+trashedAt] index (rows with a null trashedAt are not in it). */
  trash(spaceId: string): Collection<PageRow, string> {
    return this.cached(`trash\u0000${spaceId}`, () => {
      const [lower, upper] = spaceKeyRange(spaceId);
      return createDexieCollection({
        id: `${this.db.name}:trash:${spaceId}`,
        table: this.db.pages,
        getKey: (row) => row.id,
        readOnly: true,
        query: (t) => t.where('[spaceId+trashedAt]').between(lower, upper, true, true).filter((row) => row.trashed).toArray(),
        compare: (a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0) || byString(a.id, b.id),
      });
    });
  }

  /**
   * The live pages of a space whose content links to `pageId` (its backlinks), by title, read through the
   * multiEntry `*links` index: only the linking rows are read. The index is not per space, so rows of
   * another space naming the same id are filtered out.
   */
  backlinks(spaceId: string, pageId: string): Collection<PageRow, string> {
    return this.cached(`backlinks\u0000${spaceId}\u0000${pageId}`, () =>
      createDexieCollection({
        id: `${this.db.name}:backlinks:${spaceId}:${pageId}`,
        table: this.db.pages,
        getKey: (row) => row.id,
        readOnly: true,
        query: (t) => t.where('links').equals(pageId).filter((row) => row.spaceId === spaceId && !row.inTrash && row.id !== pageId).toArray(),
        compare: (a, b) => byString(a.title.toLowerCase(), b.title.toLowerCase()) || byString(a.id, b.id),
      }),
    );
  }

  private cached(key: string, create: () => Collection<PageRow, string>): Collection<PageRow, string> {
    const hit = this.cache.get(key);
    if (hit) {
      // Refresh its place: the Map's insertion order is the eviction order.
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const collection = create();
    this.cache.set(key, collection);
    if (this.cache.size > MAX_CACHED_PAGE_COLLECTIONS) {
      // Forget the least recently asked-for collection nobody subscribes to (one in use must stay the
      // only instance of its id).
      for (const [k, c] of this.cache) {
        if (c.subscriberCount === 0) {
          this.cache.delete(k);
          break;
        }
      }
    }
    return collection;
  }
}
