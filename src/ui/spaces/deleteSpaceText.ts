import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';

/** What deleting a space takes with it, in words: its name and how many pages (and how many of them are in the Trash). */
export function deleteSpaceText(handle: SpaceHandle): string {
  const pages = handle.space.listPages();
  const trashed = handle.space.trash().length;
  const count = pages.length === 1 ? '1 page' : `${pages.length} pages`;
  const inTrash = trashed > 0 ? ` (${trashed} of them in the Trash)` : '';
  return `“${handle.space.meta().name}” and its ${count}${inTrash} will be deleted from this device. This cannot be undone.`;
}

