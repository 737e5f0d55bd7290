/**
 * The sidebar's page tree. Each expanded parent is read by its own live query over
 * `PageCollections.children(spaceId, parentId)` (an index range: never the whole space), the visible
 * rows are flattened and only those in view are rendered (@tanstack/react-virtual). Keyboard: arrows
 * move (roving tabindex), Right/Left expand/collapse or go to child/parent, Home/End, Enter opens,
 * Alt+arrows reorder (treeMoves.ts), F2 renames inline, Delete trashes. Rows are dragged with native
 * HTML5 drag and drop: onto a row's middle (inside), its top or bottom quarter (before, after), or the
 * empty space below the rows (top level, last).
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type DragEvent, type KeyboardEvent } from 'react';
import { useLiveQuery, type Collection } from '@tanstack/react-db';
import { defaultRangeExtractor, useVirtualizer, type Range } from '@tanstack/react-virtual';
import type { PageCollections } from '../../collections/index.ts';
import type { PageRow } from '../../collections/index.ts';
import { ChevronRight, PageIcon, Plus } from '../common/icons.tsx';
import { PageActionsMenu, type PageAction } from './PageActionsMenu.tsx';
import { TreeRenameBox } from './TreeRenameBox.tsx';
import { dropZone, planDrop, planKeyboardMove, TOP, type DropZone, type KeyboardMove, type MovePlan } from './treeMoves.ts';
import './tree.css';

const ROW_HEIGHT = 30;
/** How long focus follows an item that moved (or was focused by key) through its unmount and remount. */
const FOCUS_FOLLOW_MS = 1_500;
/** Indentation per tree level, in pixels (the row's padding and the drop line's start). */
const INDENT_PX = 16;
/** The drag data type of a tree row: drags that do not carry it (files, text) are not tree moves. */
const DRAG_TYPE = 'application/x-quire-page';
/** The keys a tree item answers besides navigation, announced through aria-keyshortcuts. */
/** A page known to have no child outside the trash (rows written before the flag existed: not known). */
const isLeaf = (row: PageRow) => row.hasChildren === false;

const ITEM_SHORTCUTS = 'Alt+ArrowUp Alt+ArrowDown Alt+ArrowRight Alt+ArrowLeft F2 Delete';
const ALT_MOVES: Partial<Record<string, KeyboardMove>> = { ArrowUp: 'up', ArrowDown: 'down', ArrowRight: 'indent', ArrowLeft: 'outdent' };

export function pageTitle(title: string): string {
  return title.trim() === '' ? 'Untitled' : title;
}

interface FlatRow {
  row: PageRow;
  level: number;
  expanded: boolean;
  posinset: number;
  setsize: number;
}

/** Reports the children of one parent to the tree; renders nothing. */
const ChildrenQuery = memo(function ChildrenQuery({
  collection,
  parentKey,
  onRows,
}: {
  collection: Collection<PageRow, string>;
  parentKey: string;
  onRows: (parentKey: string, rows: readonly PageRow[] | null) => void;
}) {
  // Lexical (code unit) order, as the tree rules sort siblings: the default locale collation would put a
  // key made before the first sibling ("Zz" before "a0") after it.
  const { data, isReady } = useLiveQuery(
    (q) =>
      q
        .from({ p: collection })
        .orderBy(({ p }) => p.order, { direction: 'asc', stringSort: 'lexical' })
        .orderBy(({ p }) => p.id, { direction: 'asc', stringSort: 'lexical' }),
    [collection],
  );
  useEffect(() => {
    if (isReady) onRows(parentKey, data);
  }, [data, isReady, parentKey, onRows]);
  useEffect(() => () => onRows(parentKey, null), [parentKey, onRows]);
  return null;
});

/** Whether two sibling lists draw the same rows: every field a row shows (a change elsewhere re-renders nothing). */
function sameRows(a: readonly PageRow[] | undefined, b: readonly PageRow[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every((r, i) => {
    const o = b[i];
    return o !== undefined && (r === o || (r.id === o.id && r.title === o.title && r.order === o.order && r.icon === o.icon && r.hasChildren === o.hasChildren));
  });
}

export function PageTree({
  collections,
  spaceId,
  currentPageId,
  expanded,
  onToggle,
  onOpen,
  onAddChild,
  onPageAction,
  onMove,
  onRename,
}: {
  collections: PageCollections;
  spaceId: string;
  currentPageId: string | null;
  expanded: ReadonlySet<string>;
  onToggle: (pageId: string, expand: boolean) => void;
  onOpen: (pageId: string) => void;
  /** Absent when the space is read-only here (a viewer): no "Add a page inside" buttons. */
  onAddChild?: (parentId: string) => void;
  /** "Move to…" and "Move to Trash" (the row's menu; Delete on a focused item moves it to the trash). */
  onPageAction?: (pageId: string, action: PageAction) => void;
  /** A drag and drop or keyboard move: the arguments of `Space.movePage`. */
  onMove?: (plan: MovePlan) => void;
  /** The inline rename committed a title. */
  onRename?: (pageId: string, title: string) => void;
}) {
  const [rowsByParent, setRowsByParent] = useState<ReadonlyMap<string, readonly PageRow[]>>(() => new Map());
  const onRows = useCallback((parentKey: string, rows: readonly PageRow[] | null) => {
    setRowsByParent((prev) => {
      if (rows === null) {
        if (!prev.has(parentKey)) return prev;
        const next = new Map(prev);
        next.delete(parentKey);
        return next;
      }
      if (sameRows(prev.get(parentKey), rows)) return prev;
      return new Map(prev).set(parentKey, rows);
    });
  }, []);

  // The visible rows, and the parents whose children are visible (each one live query).
  const { flat, parents } = useMemo(() => {
    const out: FlatRow[] = [];
    const open: string[] = [TOP];
    // A page moved between parents can show in both for a moment (two queries update one after the
    // other): it is listed once, at its first place, so row keys stay unique.
    const seen = new Set<string>();
    const walk = (parentKey: string, level: number) => {
      const rows = rowsByParent.get(parentKey);
      if (!rows) return;
      rows.forEach((row, i) => {
        if (seen.has(row.id)) return;
        seen.add(row.id);
        const isOpen = expanded.has(row.id);
        out.push({ row, level, expanded: isOpen, posinset: i + 1, setsize: rows.length });
        if (isOpen) {
          open.push(row.id);
          walk(row.id, level + 1);
        }
      });
    };
    walk(TOP, 1);
    return { flat: out, parents: open };
  }, [rowsByParent, expanded]);

  // Every expanded page keeps its query, visible or not: a page moved under another parent (Move to…)
  // leaves one parent's rows before it shows in the other's, and a query unmounted and mounted again in
  // that gap could leave the moved page's children missing.
  const queried = useMemo(() => [...new Set([...parents, ...expanded])], [parents, expanded]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [drag, setDrag] = useState<string | null>(null);
  const [drop, setDrop] = useState<{ target: string; zone: DropZone } | null>(null);
  // The dragged row and the row being renamed stay rendered when scrolled out of view: the drag's end
  // event goes to the dragged element, and the rename box keeps what was typed.
  const pinned = useRef<number[]>([]);
  pinned.current = [drag, renaming].map((id) => (id === null ? -1 : flat.findIndex((f) => f.row.id === id))).filter((i) => i >= 0);
  const rangeExtractor = useCallback((range: Range) => {
    const indexes = defaultRangeExtractor(range);
    const extra = pinned.current.filter((i) => !indexes.includes(i));
    return extra.length === 0 ? indexes : [...indexes, ...extra].sort((a, b) => a - b);
  }, []);
  const virtualizer = useVirtualizer({
    count: flat.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => flat[i]?.row.id ?? i,
    rangeExtractor,
  });

  const [focusId, setFocusId] = useState<string | null>(null);
  const focusTarget = flat.some((f) => f.row.id === focusId) ? focusId : flat.some((f) => f.row.id === currentPageId) ? currentPageId : (flat[0]?.row.id ?? null);
  // The item to focus, and until when: a moved item unmounts from one place and mounts in another, and
  // an expand or another query update may render it in between, so focus follows it for a while.
  const pendingFocus = useRef<{ id: string; until: number } | null>(null);

  useEffect(() => {
    const pending = pendingFocus.current;
    if (!pending) return;
    let tries = 0;
    let frame = 0;
    const attempt = () => {
      if (Date.now() > pending.until) {
        if (pendingFocus.current === pending) pendingFocus.current = null;
        return;
      }
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-page-id="${CSS.escape(pending.id)}"]`);
      const active = document.activeElement;
      // Never take focus from somewhere else the user went (the editor, a dialog).
      const free = active === null || active === document.body || (active.getAttribute('role') === 'treeitem' && scrollRef.current?.contains(active) === true);
      if (el && free) {
        if (active !== el) el.focus();
      } else if (tries++ < 5) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  }, [focusTarget, flat, renaming]);

  const moveTo = (index: number) => {
    const target = flat[Math.max(0, Math.min(flat.length - 1, index))];
    if (!target) return;
    setFocusId(target.row.id);
    pendingFocus.current = { id: target.row.id, until: Date.now() + FOCUS_FOLLOW_MS };
    virtualizer.scrollToIndex(flat.indexOf(target));
  };

  const siblingsOf = useCallback((key: string) => rowsByParent.get(key)?.map((r) => r.id) ?? [], [rowsByParent]);

  /** Keeps focus on a page's item while it moves (it may unmount from one place and mount in another). */
  const keepFocus = (id: string) => {
    setFocusId(id);
    pendingFocus.current = { id, until: Date.now() + FOCUS_FOLLOW_MS };
  };

  const applyMove = (plan: MovePlan | null) => {
    if (!plan || !onMove) return;
    if (plan.expand) onToggle(plan.expand, true);
    onMove(plan);
  };

  const keyboardMove = (index: number, move: KeyboardMove) => {
    const id = flat[index]?.row.id;
    if (!id) return;
    keepFocus(id);
    applyMove(planKeyboardMove(flat, siblingsOf, index, move));
  };

  const startRename = (id: string) => {
    pendingFocus.current = null; // the box takes the focus
    setRenaming(id);
  };

  /** The row menu's actions: reordering and renaming happen here, the rest in the workspace. */
  const pageAction = (id: string, action: PageAction) => {
    if (action === 'moveUp' || action === 'moveDown') keyboardMove(flat.findIndex((f) => f.row.id === id), action === 'moveUp' ? 'up' : 'down');
    else if (action === 'rename') startRename(id);
    else onPageAction?.(id, action);
  };

  const showDrop = (next: { target: string; zone: DropZone } | null) =>
    setDrop((prev) => (prev?.target === next?.target && prev?.zone === next?.zone ? prev : next));
  const endDrag = () => {
    setDrag(null);
    setDrop(null);
  };
  const isTreeDrag = (e: DragEvent) => drag !== null && e.dataTransfer.types.includes(DRAG_TYPE);

  /** The drop a pointer over row `index` would make, or null when it is refused. */
  const rowDrop = (e: DragEvent<HTMLDivElement>, index: number) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const zone = dropZone(e.clientY - rect.top, rect.height);
    const plan = drag ? planDrop(flat, siblingsOf, drag, index, zone) : null;
    return plan && { plan, zone };
  };

  const onRowDragOver = (e: DragEvent<HTMLDivElement>, index: number) => {
    if (!isTreeDrag(e)) return;
    e.stopPropagation(); // not the empty space below the rows
    const d = rowDrop(e, index);
    if (!d) {
      e.dataTransfer.dropEffect = 'none';
      showDrop(null);
      return;
    }
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    showDrop({ target: flat[index]!.row.id, zone: d.zone });
  };

  const onRowDrop = (e: DragEvent<HTMLDivElement>, index: number) => {
    if (!isTreeDrag(e)) return;
    e.preventDefault();
    e.stopPropagation();
    const d = rowDrop(e, index);
    endDrag();
    if (d) applyMove(d.plan);
  };

  // The tree itself receives what the rows let through: the empty space below them (top level, last).
  const onTreeDragOver = (e: DragEvent<HTMLDivElement>) => {
    if (!isTreeDrag(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'move';
    showDrop({ target: TOP, zone: 'after' });
  };
  const onTreeDrop = (e: DragEvent<HTMLDivElement>) => {
    if (!isTreeDrag(e) || !drag) return;
    e.preventDefault();
    const plan = planDrop(flat, siblingsOf, drag, 'end', 'after');
    endDrag();
    applyMove(plan);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLElement && e.target.getAttribute('role') !== 'treeitem') return;
    const index = flat.findIndex((f) => f.row.id === focusTarget);
    const cur = flat[index];
    if (!cur) return;
    if (e.altKey) {
      const move = ALT_MOVES[e.key];
      if (move && onMove) {
        e.preventDefault();
        keyboardMove(index, move);
      }
      return;
    }
    let handled = true;
    switch (e.key) {
      case 'F2':
        if (onRename) startRename(cur.row.id);
        else handled = false;
        break;
      case 'ArrowDown':
        moveTo(index + 1);
        break;
      case 'ArrowUp':
        moveTo(index - 1);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(flat.length - 1);
        break;
      case 'ArrowRight':
        if (isLeaf(cur.row)) break; // an end node: nothing to open (WAI-ARIA tree pattern)
        if (!cur.expanded) onToggle(cur.row.id, true);
        else if ((flat[index + 1]?.level ?? 0) > cur.level) moveTo(index + 1);
        break;
      case 'ArrowLeft':
        if (cur.expanded && !isLeaf(cur.row)) onToggle(cur.row.id, false);
        else {
          for (let i = index - 1; i >= 0; i--) {
            if ((flat[i]?.level ?? 0) < cur.level) {
              moveTo(i);
              break;
            }
          }
        }
        break;
      case 'Enter':
      case ' ':
        onOpen(cur.row.id);
        break;
      case 'Delete':
        if (!onPageAction) handled = false;
        else {
          // Focus goes to the next row outside the trashed subtree, else the one before.
          let after = index + 1;
          while ((flat[after]?.level ?? 0) > cur.level) after++;
          const next = flat[after] ?? flat[index - 1];
          if (next) setFocusId(next.row.id);
          pendingFocus.current = next ? { id: next.row.id, until: Date.now() + FOCUS_FOLLOW_MS } : null;
          onPageAction(cur.row.id, 'trash');
        }
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  };

  return (
    <>
      {queried.map((p) => (
        <ChildrenQuery key={p} collection={collections.children(spaceId, p === TOP ? null : p)} parentKey={p} onRows={onRows} />
      ))}
      <div
        ref={scrollRef}
        role="tree"
        aria-label="Pages"
        className="tree"
        onKeyDown={onKeyDown}
        onDragOver={onTreeDragOver}
        onDrop={onTreeDrop}
        onDragLeave={(e) => {
          // Chromium gives drag events no relatedTarget: the pointer's position tells whether it left the tree.
          const r = e.currentTarget.getBoundingClientRect();
          if (e.clientX < r.left || e.clientX >= r.right || e.clientY < r.top || e.clientY >= r.bottom) showDrop(null);
        }}
      >
        <div className="tree-space" style={{ height: virtualizer.getTotalSize() }}>
          {drop?.target === TOP && <div className="tree-drop-end" style={{ top: virtualizer.getTotalSize() }} />}
          {virtualizer.getVirtualItems().map((v) => {
            const f = flat[v.index];
            if (!f) return null;
            const title = pageTitle(f.row.title);
            const id = f.row.id;
            const focused = id === focusTarget;
            const leaf = isLeaf(f.row);
            const zone = drop?.target === id ? drop.zone : null;
            const rowClass = `tree-row${id === currentPageId ? ' tree-row--current' : ''}${zone ? ` tree-row--drop-${zone}` : ''}${drag === id ? ' tree-row--dragging' : ''}`;
            return (
              <div
                key={v.key}
                className={rowClass}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT, '--drop-indent': `${6 + (f.level - 1) * INDENT_PX}px` } as CSSProperties}
                onDragOver={(e) => onRowDragOver(e, v.index)}
                onDrop={(e) => onRowDrop(e, v.index)}
              >
                <div
                  role="treeitem"
                  aria-label={title}
                  aria-level={f.level}
                  aria-expanded={leaf ? undefined : f.expanded}
                  aria-selected={id === currentPageId}
                  aria-setsize={f.setsize}
                  aria-posinset={f.posinset}
                  tabIndex={focused ? 0 : -1}
                  data-page-id={id}
                  className="tree-item"
                  aria-keyshortcuts={ITEM_SHORTCUTS}
                  style={{ paddingInlineStart: 6 + (f.level - 1) * INDENT_PX }}
                  draggable={onMove !== undefined && renaming !== id}
                  onFocus={() => {
                    setFocusId(id);
                    if (pendingFocus.current?.id !== id) pendingFocus.current = null; // the user went elsewhere
                  }}
                  onClick={() => onOpen(id)}
                  onDoubleClick={() => onRename && startRename(id)}
                  onDragStart={(e) => {
                    e.dataTransfer.setData(DRAG_TYPE, id);
                    e.dataTransfer.setData('text/plain', title);
                    e.dataTransfer.effectAllowed = 'move';
                    setDrag(id);
                  }}
                  onDragEnd={endDrag}
                >
                  {leaf ? (
                    <span className="tree-twisty tree-twisty--leaf" aria-hidden="true" />
                  ) : (
                    <span
                      className={`tree-twisty${f.expanded ? ' tree-twisty--open' : ''}`}
                      aria-hidden="true"
                      onClick={(e) => {
                        e.stopPropagation();
                        onToggle(id, !f.expanded);
                      }}
                    >
                      <ChevronRight />
                    </span>
                  )}
                  <span className="tree-icon" aria-hidden="true">
                    {f.row.icon ?? <PageIcon />}
                  </span>
                  {renaming === id ? (
                    <TreeRenameBox
                      title={f.row.title}
                      onCommit={(t) => onRename?.(id, t)}
                      onDone={(refocus) => {
                        setRenaming(null);
                        if (refocus) keepFocus(id);
                      }}
                    />
                  ) : (
                    <span className={`tree-title${f.row.title.trim() === '' ? ' tree-title--untitled' : ''}`}>{title}</span>
                  )}
                </div>
                {onAddChild && (
                  <button
                    type="button"
                    className="tree-add"
                    aria-label={`Add a page inside ${title}`}
                    title="Add a page inside"
                    tabIndex={focused ? 0 : -1}
                    onClick={() => onAddChild(id)}
                  >
                    <Plus />
                  </button>
                )}
                {onPageAction && <PageActionsMenu title={title} tabIndex={focused ? 0 : -1} onAction={(action) => pageAction(id, action)} />}
              </div>
            );
          })}
        </div>
      </div>
      {rowsByParent.get(TOP)?.length === 0 && <p className="tree-empty">No pages yet.</p>}
    </>
  );
}
