/**
 * What a space exposes to the rest of Quire: its metadata, its pages as plain records, and the changes the
 * UI and the projections react to. Records are frozen snapshots; a change replaces them, never mutates them.
 */

export interface SpaceMeta {
  readonly id: string;
  readonly name: string;
  readonly icon: string | null;
  readonly createdAt: number;
}

export interface PageRecord {
  readonly id: string;
  /** The effective parent (after the tree rules), or null at the top level. */
  readonly parentId: string | null;
  readonly order: string;
  readonly title: string;
  readonly icon: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The page itself was put in the trash. */
  readonly trashed: boolean;
  /** The page itself or one of its ancestors is in the trash: the page is not live. */
  readonly inTrash: boolean;
  readonly trashedAt: number | null;
  /** Ids of the pages this page's content links to, sorted and unique (Space.setPageLinks). */
  readonly links: readonly string[];
}

/**
 * One change of the effective tree, found by diffing it before and after a transaction. A page can yield
 * several (renamed and moved). 'page-updated' covers what the others do not: icon, updatedAt, and inTrash
 * flipping because an ancestor was trashed or restored.
 */
export type PageChange =
  | { readonly type: 'page-created'; readonly page: PageRecord }
  | { readonly type: 'page-renamed'; readonly page: PageRecord; readonly previousTitle: string }
  | { readonly type: 'page-moved'; readonly page: PageRecord; readonly previousParentId: string | null; readonly previousOrder: string }
  | { readonly type: 'page-trashed'; readonly page: PageRecord }
  | { readonly type: 'page-restored'; readonly page: PageRecord }
  | { readonly type: 'page-deleted'; readonly pageId: string }
  | { readonly type: 'page-updated'; readonly page: PageRecord }
  | { readonly type: 'space-updated'; readonly meta: SpaceMeta };

/** Whether a transaction came from this Space's own commands or from anywhere else (sync, load, undo). */
export type ChangeOrigin = 'local' | 'remote';

export type SpaceListener = (changes: PageChange[], origin: ChangeOrigin) => void;
