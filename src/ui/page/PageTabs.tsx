/**
 * The open pages of the current space as tabs in the header (UI state: the `tabs` collection, last writer
 * wins, restored after a reload). Opening a page adds its tab (one per page); the active tab is the page
 * in the route. Titles are read live from the space, so a rename anywhere shows at once.
 */
import { useEffect, useReducer, useRef, type KeyboardEvent } from 'react';
import { useLiveQuery, type Collection } from '@tanstack/react-db';
import { generateKeyBetween } from 'fractional-indexing';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { TabRow } from '../../collections/index.ts';
import { Close } from '../common/icons.tsx';
import { pageTitle } from '../tree/PageTree.tsx';
import { putRow, quietly } from '../common/putRow.ts';
import { formatRoute } from '../shell/route.ts';
import './pageTabs.css';

/** At most this many tabs per space: opening one more closes the least recently used (never the active one). */
export const MAX_OPEN_TABS = 10;

const tabId = (spaceId: string, pageId: string) => `${spaceId}/${pageId}`;

/** Re-renders on any change of the space's pages (titles, deletions). */
function useSpaceVersion(space: SpaceHandle): void {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => space.space.observe(() => bump()), [space]);
}

export function PageTabs({
  tabs,
  space,
  currentPageId,
  onOpen,
  onCloseCurrent,
}: {
  tabs: Collection<TabRow, string>;
  space: SpaceHandle;
  currentPageId: string | null;
  onOpen: (pageId: string) => void;
  /** The active tab was closed: where to go (the neighbour, or the space itself when none is left). */
  onCloseCurrent: (nextPageId: string | null) => void;
}) {
  useSpaceVersion(space);
  const { data, isReady } = useLiveQuery((q) => q.from({ t: tabs }), [tabs]);
  const rows = data.filter((t) => t.spaceId === space.id && t.pageId !== null).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const listRef = useRef<HTMLDivElement>(null);

  // Opening a page opens (or touches) its tab; pages deleted forever lose theirs.
  useEffect(() => {
    if (!isReady) return;
    for (const t of rows) if (t.pageId && !space.space.getPage(t.pageId)) quietly(() => tabs.delete(t.id));
    if (!currentPageId || !space.space.getPage(currentPageId)) return;
    const id = tabId(space.id, currentPageId);
    const now = Date.now();
    const isNew = !tabs.has(id);
    putRow(
      tabs,
      id,
      {
        id,
        spaceId: space.id,
        pageId: currentPageId,
        title: space.space.getPage(currentPageId)?.title ?? '',
        path: formatRoute({ spaceId: space.id, pageId: currentPageId }),
        order: generateKeyBetween(rows.at(-1)?.order ?? null, null),
        updatedAtMs: now,
      },
      { updatedAtMs: now },
    );
    if (!isNew) return;
    const others = rows.filter((t) => t.id !== id);
    if (others.length >= MAX_OPEN_TABS) {
      const stale = [...others].sort((a, b) => a.updatedAtMs - b.updatedAtMs).slice(0, others.length - MAX_OPEN_TABS + 1);
      for (const t of stale) quietly(() => tabs.delete(t.id));
    }
    // Only the route decides: rows change when this effect writes them.
  }, [isReady, currentPageId, space, tabs]);

  if (rows.length === 0) return null;

  const close = (row: TabRow) => {
    const index = rows.findIndex((t) => t.id === row.id);
    quietly(() => tabs.delete(row.id));
    if (row.pageId === currentPageId) onCloseCurrent((rows[index + 1] ?? rows[index - 1])?.pageId ?? null);
  };

  // Arrow keys move between tabs (roving focus); Delete closes the focused one.
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...(listRef.current?.querySelectorAll<HTMLElement>('[role="tab"]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    const go = (i: number) => {
      e.preventDefault();
      buttons[(i + buttons.length) % buttons.length]?.focus();
    };
    if (e.key === 'ArrowRight') go(at + 1);
    else if (e.key === 'ArrowLeft') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(buttons.length - 1);
    else if (e.key === 'Delete' && rows[at]) {
      e.preventDefault();
      close(rows[at]);
    }
  };

  return (
    <div ref={listRef} role="tablist" aria-label="Open pages" className="page-tabs" onKeyDown={onKeyDown}>
      {rows.map((t) => {
        const page = t.pageId ? space.space.getPage(t.pageId) : undefined;
        const title = page ? pageTitle(page.title) : pageTitle(t.title);
        const active = t.pageId === currentPageId;
        return (
          <div key={t.id} className={`page-tab${active ? ' page-tab--active' : ''}`}>
            <button
              type="button"
              role="tab"
              aria-selected={active}
              tabIndex={active || (!currentPageId && t === rows[0]) ? 0 : -1}
              className="page-tab-open"
              aria-keyshortcuts="Delete"
              title={title}
              onClick={() => t.pageId && onOpen(t.pageId)}
            >
              {page?.icon && <span aria-hidden="true">{page.icon} </span>}
              {title}
            </button>
            <button type="button" className="page-tab-close" aria-label={`Close ${title}`} tabIndex={-1} onClick={() => close(t)}>
              <Close />
            </button>
          </div>
        );
      })}
    </div>
  );
}
