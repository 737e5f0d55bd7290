/** The changes between two snapshots of one page's record (see PageChange in types.ts). */
import { shallowEqual } from '../shallowEqual.ts';
import type { PageChange, PageRecord } from './types.ts';

/** Records hold primitive fields and one list of ids (links), compared element by element. */
export function samePageRecord(a: PageRecord, b: PageRecord): boolean {
  return shallowEqual(a, b);
}

export function diffPage(id: string, before: PageRecord | undefined, after: PageRecord | undefined): PageChange[] {
  if (!before) return after ? [{ type: 'page-created', page: after }] : [];
  if (!after) return [{ type: 'page-deleted', pageId: id }];
  const changes: PageChange[] = [];
  if (before.title !== after.title) changes.push({ type: 'page-renamed', page: after, previousTitle: before.title });
  if (before.parentId !== after.parentId || before.order !== after.order) {
    changes.push({ type: 'page-moved', page: after, previousParentId: before.parentId, previousOrder: before.order });
  }
  if (before.trashed !== after.trashed) changes.push({ type: after.trashed ? 'page-trashed' : 'page-restored', page: after });
  // Every change carries the new record, so 'page-updated' is only needed when nothing else reported it.
  if (before.icon !== after.icon || (changes.length === 0 && !samePageRecord(before, after))) {
    changes.push({ type: 'page-updated', page: after });
  }
  return changes;
}
