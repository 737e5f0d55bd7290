/**
 * The tree's moves, planned from what the sidebar shows: a drop of a dragged row (before, after or inside
 * another row, or below every row) and the keyboard's reordering (Alt+arrows, "Move up"/"Move down").
 * Each plan is the arguments of `Space.movePage`; the command itself checks them again (a page is never
 * moved into its own subtree, whatever the sidebar believed).
 */

/** The top level's parent key in the projection rows (`TOP_LEVEL_PARENT`). */
export const TOP = '';
/** An index past every sibling: `Space.movePage` clamps it to the end of the parent's children. */
export const END = Number.MAX_SAFE_INTEGER;
/** The share of a row's height, at its top and at its bottom, that drops before or after it. */
const EDGE_SHARE = 0.25;

export type DropZone = 'before' | 'after' | 'inside';
export type KeyboardMove = 'up' | 'down' | 'indent' | 'outdent';

/** One visible row: its page, its parent key (TOP at the top level) and its depth (1 at the top level). */
export interface VisibleRow {
  row: { id: string; parentId: string };
  level: number;
}

export interface MovePlan {
  pageId: string;
  parentId: string | null;
  index: number;
  /** A page to expand so that the moved page stays visible (its new parent). */
  expand?: string;
}

/** The ids of a parent's live children in order, as the sidebar holds them. */
export type SiblingsOf = (parentKey: string) => readonly string[];

export function dropZone(offsetY: number, height: number): DropZone {
  if (offsetY < height * EDGE_SHARE) return 'before';
  if (offsetY > height * (1 - EDGE_SHARE)) return 'after';
  return 'inside';
}

/** Whether the row at `target` is the dragged page or one of its (visible, so contiguous) descendants. */
export function isInsideDragged(flat: readonly VisibleRow[], draggedId: string, target: number): boolean {
  const from = flat.findIndex((f) => f.row.id === draggedId);
  if (from === -1) return flat[target]?.row.id === draggedId;
  if (target < from) return false;
  const level = flat[from]!.level;
  for (let i = from + 1; i <= target; i++) if ((flat[i]?.level ?? 0) <= level) return false;
  return true;
}

const parentOf = (key: string): string | null => (key === TOP ? null : key);

/** The move a drop makes; null when it is refused (into the page itself or its subtree). */
export function planDrop(flat: readonly VisibleRow[], siblingsOf: SiblingsOf, draggedId: string, target: number | 'end', zone: DropZone): MovePlan | null {
  if (target === 'end') return { pageId: draggedId, parentId: null, index: END };
  const t = flat[target];
  if (!t || isInsideDragged(flat, draggedId, target)) return null;
  if (zone === 'inside') return { pageId: draggedId, parentId: t.row.id, index: END, expand: t.row.id };
  const siblings = siblingsOf(t.row.parentId).filter((id) => id !== draggedId);
  const at = siblings.indexOf(t.row.id);
  if (at === -1) return null;
  return { pageId: draggedId, parentId: parentOf(t.row.parentId), index: at + (zone === 'after' ? 1 : 0) };
}

/** The move of a keyboard reorder of the row at `index`; null when there is nowhere to go. */
export function planKeyboardMove(flat: readonly VisibleRow[], siblingsOf: SiblingsOf, index: number, move: KeyboardMove): MovePlan | null {
  const cur = flat[index];
  if (!cur) return null;
  const { id, parentId: key } = cur.row;
  const siblings = siblingsOf(key);
  const at = siblings.indexOf(id);
  if (at === -1) return null;
  switch (move) {
    case 'up':
      return at > 0 ? { pageId: id, parentId: parentOf(key), index: at - 1 } : null;
    case 'down':
      return at < siblings.length - 1 ? { pageId: id, parentId: parentOf(key), index: at + 1 } : null;
    case 'indent': {
      const previous = siblings[at - 1];
      return previous === undefined ? null : { pageId: id, parentId: previous, index: END, expand: previous };
    }
    case 'outdent': {
      if (key === TOP) return null;
      const parent = flat.find((f) => f.row.id === key);
      if (!parent) return null;
      const grand = parent.row.parentId;
      const parentAt = siblingsOf(grand).indexOf(key);
      return parentAt === -1 ? null : { pageId: id, parentId: parentOf(grand), index: parentAt + 1 };
    }
  }
}
