import type { PageRecord, SpaceMeta } from '../../core/space/types.ts';
import { TOP_LEVEL_PARENT, type JsonObject, type PageRow } from './rows.ts';

/** The projection row of a page record (the core's null parent becomes TOP_LEVEL_PARENT). */
export function toPageRow(spaceId: string, page: PageRecord): PageRow {
  return {
    spaceId,
    id: page.id,
    parentId: page.parentId ?? TOP_LEVEL_PARENT,
    order: page.order,
    title: page.title,
    icon: page.icon,
    createdAt: page.createdAt,
    updatedAt: page.updatedAt,
    trashed: page.trashed,
    inTrash: page.inTrash,
    trashedAt: page.trashedAt,
  };
}

/** A page record as event payload: exactly the record's fields (null parent kept as null), so a replay
 * of the log can rebuild the record. */
export function pageSnapshot(page: PageRecord): JsonObject {
  return {
    id: page.id,
    parentId: page.parentId,
    order: page.order,
    title: page.title,
    icon: page.icon,
    createdAt: page.createdAt,
    updatedAt: page.updatedAt,
    trashed: page.trashed,
    inTrash: page.inTrash,
    trashedAt: page.trashedAt,
  };
}

export function metaSnapshot(meta: SpaceMeta): JsonObject {
  return { id: meta.id, name: meta.name, icon: meta.icon, createdAt: meta.createdAt };
}

/** Field-by-field equality of two page rows (rows hold only primitives). */
export function samePageRow(a: PageRow, b: PageRow): boolean {
  return (
    a.spaceId === b.spaceId &&
    a.id === b.id &&
    a.parentId === b.parentId &&
    a.order === b.order &&
    a.title === b.title &&
    a.icon === b.icon &&
    a.createdAt === b.createdAt &&
    a.updatedAt === b.updatedAt &&
    a.trashed === b.trashed &&
    a.inTrash === b.inTrash &&
    a.trashedAt === b.trashedAt
  );
}
