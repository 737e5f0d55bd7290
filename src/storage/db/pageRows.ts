import { shallowEqual } from '../../core/shallowEqual.ts';
import type { PageRecord, SpaceMeta } from '../../core/space/types.ts';
import { TOP_LEVEL_PARENT, type JsonObject, type PageRow } from './rows.ts';

/** The projection row of a page record (the core's null parent becomes TOP_LEVEL_PARENT). */
export function toPageRow(spaceId: string, page: PageRecord): PageRow {
  return { spaceId, ...page, parentId: page.parentId ?? TOP_LEVEL_PARENT, links: [...page.links] };
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
