/**
 * The tree's page actions, wired for the workspace: "Move to…" (the Move page dialog), "Move to Trash"
 * (navigating away when the open page goes), "Duplicate" (duplicatePages.ts, then the copy opens), the
 * tree's drag and drop and keyboard moves, its inline rename, and the Trash view (restore, delete forever). Returns the
 * handler the tree calls, a function that opens the Trash, and the dialogs to render.
 */
import { useCallback, useState, type ReactNode } from 'react';
import type { PageCollections } from '../../collections/index.ts';
import { duplicatePage } from '../../core/manager/duplicatePages.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { describeError } from '../common/describeError.ts';
import { MovePageDialog } from './MovePageDialog.tsx';
import type { PageAction } from './PageActionsMenu.tsx';
import { navigate, type Route } from '../shell/route.ts';
import { TrashView } from './TrashView.tsx';
import type { MovePlan } from './treeMoves.ts';

/**
 * Focuses a page's tree item over the next frames: after a move the item is unmounted from its old place
 * and mounted in its new one, so it is focused again while focus is left on nothing (the body).
 */
function focusTreeItem(pageId: string, frames = 20): void {
  requestAnimationFrame(() => {
    const el = document.querySelector<HTMLElement>(`[role="tree"] [data-page-id="${CSS.escape(pageId)}"]`);
    const idle = document.activeElement === null || document.activeElement === document.body;
    if (el && idle) el.focus();
    if (frames > 0 && (idle || document.activeElement === el)) focusTreeItem(pageId, frames - 1);
  });
}

export function usePageActions({
  handle,
  collections,
  route,
  expand,
  onError,
}: {
  handle: SpaceHandle | null;
  collections: PageCollections;
  route: Route;
  expand: (pageId: string, expand: boolean) => void;
  onError: (message: string) => void;
}): {
  onPageAction: (pageId: string, action: PageAction) => void;
  onMove: (plan: MovePlan) => void;
  onRename: (pageId: string, title: string) => void;
  openTrash: () => void;
  dialogs: ReactNode;
} {
  const [moving, setMoving] = useState<string | null>(null);
  const [trashOpen, setTrashOpen] = useState(false);

  /** Leaves the open page when it is `pageId` or inside it: to the nearest live ancestor, else the space. */
  const leaveIfInside = useCallback(
    (pageIds: readonly string[]) => {
      if (!handle || !route.pageId || route.spaceId !== handle.id) return;
      const gone = new Set(pageIds);
      const chain = [...handle.space.ancestors(route.pageId).map((p) => p.id), route.pageId];
      const hit = chain.findIndex((id) => gone.has(id));
      if (hit === -1 && handle.space.getPage(route.pageId)) return;
      const parent = hit > 0 ? chain[hit - 1] : undefined;
      navigate({ spaceId: handle.id, pageId: parent ?? null });
    },
    [handle, route.pageId, route.spaceId],
  );

  const onPageAction = useCallback(
    (pageId: string, action: PageAction) => {
      if (!handle) return;
      if (action === 'move') {
        setMoving(pageId);
        return;
      }
      if (action === 'duplicate') {
        // Resolves once the copies' contents and tree entries are durable; then the copy opens.
        duplicatePage(handle, pageId).then(
          (copyId) => navigate({ spaceId: handle.id, pageId: copyId }),
          (e: unknown) => onError(describeError(e instanceof Error ? e : new Error(String(e)))),
        );
        return;
      }
      if (action !== 'trash') return; // reordering and renaming are the tree's own (PageTree.tsx)
      try {
        handle.space.trashPage(pageId);
        leaveIfInside([pageId]);
      } catch (e) {
        onError(describeError(e instanceof Error ? e : new Error(String(e))));
      }
    },
    [handle, leaveIfInside, onError],
  );

  /** A drag and drop or keyboard move in the tree (Space.movePage checks it again). */
  const onMove = useCallback(
    (plan: MovePlan) => {
      try {
        handle?.space.movePage(plan.pageId, plan.parentId, plan.index);
      } catch (e) {
        onError(describeError(e instanceof Error ? e : new Error(String(e))));
      }
    },
    [handle, onError],
  );

  const onRename = useCallback(
    (pageId: string, title: string) => {
      try {
        handle?.space.renamePage(pageId, title);
      } catch (e) {
        onError(describeError(e instanceof Error ? e : new Error(String(e))));
      }
    },
    [handle, onError],
  );

  const openTrash = useCallback(() => setTrashOpen(true), []);

  const dialogs = handle ? (
    <>
      {moving && (
        <MovePageDialog
          space={handle}
          pageId={moving}
          onCancel={() => {
            setMoving(null);
            focusTreeItem(moving);
          }}
          onMoved={(parentId) => {
            setMoving(null);
            if (parentId) expand(parentId, true);
            focusTreeItem(moving);
          }}
        />
      )}
      {trashOpen && (
        <TrashView
          collections={collections}
          space={handle}
          onClose={() => {
            setTrashOpen(false);
            document.querySelector<HTMLElement>('.sidebar-trash')?.focus();
          }}
          onRestored={() => undefined}
          onDeleted={(ids) => leaveIfInside(ids)}
        />
      )}
    </>
  ) : null;

  return { onPageAction, onMove, onRename, openTrash, dialogs };
}

/** The sidebar's Trash icon (decorative). */
export function TrashIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5" />
    </svg>
  );
}
