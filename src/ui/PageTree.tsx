/**
 * The sidebar's page tree. Each expanded parent is read by its own live query over
 * `PageCollections.children(spaceId, parentId)` (an index range: never the whole space), the visible
 * rows are flattened and only those in view are rendered (@tanstack/react-virtual). Keyboard: arrows
 * move (roving tabindex), Right/Left expand/collapse or go to child/parent, Home/End, Enter opens.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useLiveQuery, type Collection } from '@tanstack/react-db';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { PageCollections } from '../collections/index.ts';
import type { PageRow } from '../storage/db/index.ts';
import { ChevronRight, PageIcon, Plus } from './icons.tsx';
import { PageActionsMenu, type PageAction } from './PageActionsMenu.tsx';

const TOP = '';
const ROW_HEIGHT = 30;

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
  const { data, isReady } = useLiveQuery(
    (q) =>
      q
        .from({ p: collection })
        .orderBy(({ p }) => p.order, 'asc')
        .orderBy(({ p }) => p.id, 'asc'),
    [collection],
  );
  useEffect(() => {
    if (isReady) onRows(parentKey, data);
  }, [data, isReady, parentKey, onRows]);
  useEffect(() => () => onRows(parentKey, null), [parentKey, onRows]);
  return null;
});

function sameRows(a: readonly PageRow[] | undefined, b: readonly PageRow[]): boolean {
  if (!a || a.length !== b.length) return false;
  return a.every((r, i) => {
    const o = b[i];
    return o !== undefined && (r === o || (r.id === o.id && r.title === o.title && r.order === o.order && r.icon === o.icon));
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
}: {
  collections: PageCollections;
  spaceId: string;
  currentPageId: string | null;
  expanded: ReadonlySet<string>;
  onToggle: (pageId: string, expand: boolean) => void;
  onOpen: (pageId: string) => void;
  onAddChild: (parentId: string) => void;
  /** "Move to…" and "Move to Trash" (the row's menu; Delete on a focused item moves it to the trash). */
  onPageAction?: (pageId: string, action: PageAction) => void;
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
    const walk = (parentKey: string, level: number) => {
      const rows = rowsByParent.get(parentKey);
      if (!rows) return;
      rows.forEach((row, i) => {
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
  const virtualizer = useVirtualizer({
    count: flat.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    getItemKey: (i) => flat[i]?.row.id ?? i,
  });

  const [focusId, setFocusId] = useState<string | null>(null);
  const focusTarget = flat.some((f) => f.row.id === focusId) ? focusId : flat.some((f) => f.row.id === currentPageId) ? currentPageId : (flat[0]?.row.id ?? null);
  const pendingFocus = useRef<string | null>(null);

  useEffect(() => {
    const id = pendingFocus.current;
    if (!id) return;
    let tries = 0;
    let frame = 0;
    const attempt = () => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-page-id="${CSS.escape(id)}"]`);
      if (el) {
        pendingFocus.current = null;
        el.focus();
      } else if (tries++ < 5) frame = requestAnimationFrame(attempt);
    };
    attempt();
    return () => cancelAnimationFrame(frame);
  }, [focusTarget, flat]);

  const moveTo = (index: number) => {
    const target = flat[Math.max(0, Math.min(flat.length - 1, index))];
    if (!target) return;
    setFocusId(target.row.id);
    pendingFocus.current = target.row.id;
    virtualizer.scrollToIndex(flat.indexOf(target));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target instanceof HTMLElement && e.target.getAttribute('role') !== 'treeitem') return;
    const index = flat.findIndex((f) => f.row.id === focusTarget);
    const cur = flat[index];
    if (!cur) return;
    let handled = true;
    switch (e.key) {
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
        if (!cur.expanded) onToggle(cur.row.id, true);
        else if ((flat[index + 1]?.level ?? 0) > cur.level) moveTo(index + 1);
        break;
      case 'ArrowLeft':
        if (cur.expanded) onToggle(cur.row.id, false);
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
          pendingFocus.current = next?.row.id ?? null;
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
      <div ref={scrollRef} role="tree" aria-label="Pages" className="tree" onKeyDown={onKeyDown}>
        <div className="tree-space" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((v) => {
            const f = flat[v.index];
            if (!f) return null;
            const title = pageTitle(f.row.title);
            const id = f.row.id;
            const focused = id === focusTarget;
            return (
              <div
                key={v.key}
                className={`tree-row${id === currentPageId ? ' tree-row--current' : ''}`}
                style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}
              >
                <div
                  role="treeitem"
                  aria-label={title}
                  aria-level={f.level}
                  aria-expanded={f.expanded}
                  aria-selected={id === currentPageId}
                  aria-setsize={f.setsize}
                  aria-posinset={f.posinset}
                  tabIndex={focused ? 0 : -1}
                  data-page-id={id}
                  className="tree-item"
                  style={{ paddingInlineStart: 6 + (f.level - 1) * 16 }}
                  onFocus={() => setFocusId(id)}
                  onClick={() => onOpen(id)}
                >
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
                  <span className="tree-icon" aria-hidden="true">
                    {f.row.icon ?? <PageIcon />}
                  </span>
                  <span className={`tree-title${f.row.title.trim() === '' ? ' tree-title--untitled' : ''}`}>{title}</span>
                </div>
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
                {onPageAction && <PageActionsMenu title={title} tabIndex={focused ? 0 : -1} onAction={(action) => onPageAction(id, action)} />}
              </div>
            );
          })}
        </div>
      </div>
      {rowsByParent.get(TOP)?.length === 0 && <p className="tree-empty">No pages yet.</p>}
    </>
  );
}
