/**
 * The rows of the global "quire" Dexie database, as the current schema stores them.
 *
 * One database holds every space: registry and projection rows carry their spaceId. Page CONTENT is not
 * here (each page document lives in its own y-indexeddb database); these tables hold what the sidebar, the
 * recent list and the UI state need, plus the append-only event log of document 004.
 */

/** `PageRow.parentId` of a top-level page. IndexedDB cannot index null, so the compound index
 * [spaceId+parentId+order] would silently drop top-level pages; the empty string is a valid key, sorts
 * before every page id and is never a page id itself. */
export const TOP_LEVEL_PARENT = '';

/** The registry of spaces, and the projection of each space's metadata. */
export interface SpaceRow {
  id: string;
  name: string;
  icon: string | null;
  createdAt: number;
  updatedAt: number;
  /** When this device last opened the space; null until then (and after deletion), so the
   * `lastOpenedAt` index, which skips null, holds exactly the candidates of the recent list. */
  lastOpenedAt: number | null;
  deleted: boolean;
}

/** Projection of one page of a space's tree, read by the sidebar. Written only by the ProjectionWriter. */
export interface PageRow {
  spaceId: string;
  id: string;
  /** The parent page id, or TOP_LEVEL_PARENT. */
  parentId: string;
  /** Fractional index among siblings; ties are broken by id (the index's primary key order). */
  order: string;
  title: string;
  icon: string | null;
  createdAt: number;
  updatedAt: number;
  /** The page itself was moved to the trash. */
  trashed: boolean;
  /** The page or one of its ancestors is in the trash (added in schema 2). */
  inTrash: boolean;
  /** When the page was trashed, or null. Null keeps the row out of the [spaceId+trashedAt] index. */
  trashedAt: number | null;
  /** Ids of the pages this page links to (added in schema 3). The multiEntry index `*links` answers
   * "which pages link to X" (backlinks); ids are random UUIDs, so the reader still checks spaceId. */
  links: string[];
  /**
   * Whether the page has a child not in the trash, so the tree draws an expand arrow only where there is
   * something to expand without reading any child. Not indexed (no schema change); rows written before
   * it existed lack it ("unknown": the arrow is drawn) until the projection check at open rewrites them.
   */
  hasChildren?: boolean;
}

export type EventActor = 'user' | 'remote' | 'system';
export type EventEntityType = 'space' | 'page';
export type EventType =
  | 'space.created'
  | 'space.renamed'
  | 'space.updated'
  | 'space.deleted'
  | 'page.created'
  | 'page.renamed'
  | 'page.moved'
  | 'page.trashed'
  | 'page.restored'
  | 'page.deleted'
  | 'page.updated';

/** A JSON value, the only thing an event payload may hold (it is hashed through a canonical JSON). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** One entry of a space's append-only event log. Primary key [spaceId+seq]; seq starts at 1 per space. */
export interface EventRow {
  spaceId: string;
  seq: number;
  ts: number;
  actor: EventActor;
  entityType: EventEntityType;
  entityId: string;
  type: EventType;
  payload: JsonObject;
  /** The previous event's hash in this space, or GENESIS_HASH for seq 1. */
  prevHash: string;
  /** Lower-case hex SHA-256 over the canonical encoding (see eventHash.ts). */
  hash: string;
}

/** The database's manifest, one row per key. */
export interface MetaRow {
  key: string;
  value: JsonValue;
}

/** An open tab (UI state, last writer wins). */
export interface TabRow {
  id: string;
  spaceId: string | null;
  pageId: string | null;
  title: string;
  path: string;
  /** Fractional index of the tab in the tab strip. */
  order: string;
  updatedAtMs: number;
}

/** Where the app was: id 'active' for the active tab, or a spaceId for the last route in that space. */
export interface RoutingRow {
  id: string;
  activeTabId: string | null;
  path: string;
  updatedAtMs: number;
}

export interface UiPreferenceRow {
  key: string;
  value: JsonValue;
  updatedAtMs: number;
}

/** Mailbox conflict state (document 001): 'none', or 'ahead' when the draft is newer than the page. */
export type DraftConflictState = 'none' | 'ahead';

/** A local draft kept as a crash safety net; never canonical (document 001). */
export interface DraftMailboxRow {
  pageId: string;
  spaceId: string;
  text: string;
  updatedAtMs: number;
  /** The page's updatedAt the draft was based on; null when unknown (drafts older than schema 2
   * whose page changed after them). */
  baseUpdatedAtMs: number | null;
  conflictState: DraftConflictState;
  /** The unacknowledged Yjs changes the draft stands for (not indexed, so no schema change; absent in
   * entries written before it existed, which then only show their text). */
  update?: Uint8Array;
}

export type UploadJobStatus = 'queued' | 'uploading' | 'done' | 'failed';

/** Workflow state of one blob upload (the bytes themselves live in the blob store). */
export interface UploadJobRow {
  id: string;
  spaceId: string;
  pageId: string | null;
  fileName: string;
  mime: string;
  size: number;
  /** Content id once hashed, else null. */
  cid: string | null;
  status: UploadJobStatus;
  /** 0..1 */
  progress: number;
  attempts: number;
  lastError: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/** View state of one space's sidebar (id = spaceId), or of the app ('global'). */
export interface ViewRow {
  id: string;
  expandedPageIds: string[];
  sidebarWidth: number | null;
  updatedAtMs: number;
}
