import { shallowEqual } from '../../core/shallowEqual.ts';
import type { PageRecord, SpaceMeta } from '../../core/space/types.ts';
import { TOP_LEVEL_PARENT, type JsonObject, type PageRow } from './rows.ts';

/**
 * The projection row of a page record (the core's null parent becomes TOP_LEVEL_PARENT). `hasChildren` is
 * not part of the record: the caller knows it (a rebuild, from every page) or sets it after (the writer).
 */
export function toPageRow(spaceId: string, page: PageRecord, hasChildren?: boolean): PageRow {
  const row: PageRow = { spaceId, ...page, parentId: page.parentId ?? TOP_LEVEL_PARENT, links: [...page.links] };
  if (hasChildren !== undefined) row.hasChildren = hasChildren;
  return row;
}

/** The ids of the pages with at least one child not in the trash (what `hasChildren` says per row). */
export function pagesWithLiveChildren(pages: readonly PageRecord[]): Set<string> {
  const parents = new Set<string>();
  for (const p of pages) if (p.parentId !== null && !p.inTrash) parents.add(p.parentId);
  return parents;
}

/** A page record as event payload: exactly the record's fields (null parent kept as null), so a replay
 * of the log can rebuild the record. */
export function pageSnapshot(page: PageRecord): JsonObject {
  return { ...page, links: [...page.links] };
}

export function metaSnapshot(meta: SpaceMeta): JsonObject {
  return { id: meta.id, name: meta.name, icon: meta.icon, createdAt: meta.createdAt };
}

/** Field-by-field equality of two page rows (primitives, and the links list element by element). */
export function samePageRow(a: PageRow, b: PageRow): boolean {
  return shallowEqual(a, b);
}
