/**
 * The workspace screen: the sidebar (space switcher, "New page", the page tree, the save status) and the
 * open page. The route lives in the URL hash and is mirrored into the `routing` UI-state collection
 * ('active', and one row per space), so the last space and page reopen at start.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { DraftMailbox } from '../../collections/index.ts';
import type { BrowserWorkspace } from '../../app/index.ts';
import { Breadcrumbs } from '../page/Breadcrumbs.tsx';
import { describeError } from '../common/describeError.ts';
import { DraftNotice } from './DraftNotice.tsx';
import { NewPageIcon } from '../common/icons.tsx';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { SpaceDetailsDialog } from '../spaces/SpaceDetailsDialog.tsx';
import { PageTabs } from '../page/PageTabs.tsx';
import { PageTree } from '../tree/PageTree.tsx';
import { PageView } from '../page/PageView.tsx';
import { navigate, parseRoute, useHashRoute } from './route.ts';
import { SaveStatusIndicator } from './SaveStatusIndicator.tsx';
import { SidebarResizer, useSidebarWidth } from './SidebarResizer.tsx';
import { SidebarTools } from './SidebarTools.tsx';
import { SpaceSwitcher } from '../spaces/SpaceSwitcher.tsx';
import { StoppedNotice, useStopped } from './StoppedNotice.tsx';
import { usePersistAfterFirstAction } from './usePersistAfterFirstAction.ts';
import { useUnsavedWarning } from './useUnsavedWarning.ts';
import { TrashIcon, usePageActions } from '../tree/usePageActions.tsx';
import { ShareDialogFor } from '../sharing/ShareDialog.tsx';
import { SyncStatusIndicator } from '../sharing/SyncStatusIndicator.tsx';
import { useInvite } from '../sharing/useInvite.tsx';
import { useOpenSpace } from './useOpenSpace.ts';
import { StorageUpgradeFailed, StorageUpgradeProgress, useStorageUpgrade } from './StorageUpgrade.tsx';

import { rememberRoute, startRoute } from './routeMemory.ts';
import { usePresenceSource, useReadOnly } from '../sharing/useSpaceSync.ts';
import { useExpanded } from '../tree/useExpanded.ts';
import { deleteSpaceText } from '../spaces/deleteSpaceText.ts';

interface Props {
  /** The app's workspace: local data, the other tabs, sync, and the collections the screens read. */
  app: BrowserWorkspace;
}

export function Workspace({ app }: Props) {
  const { workspace, collections, ui, events, sharing } = app;
  const route = useHashRoute();
  const invite = useInvite(sharing);
  const [sharingOpen, setSharingOpen] = useState(false);
  const [ready, setReady] = useState(false);
  const [spaceDialog, setSpaceDialog] = useState<'new' | 'rename' | 'delete' | null>(null);
  const [spaceError, setSpaceError] = useState<string | null>(null);
  const newPageRef = useRef<string | null>(null);
  const stopped = useStopped(workspace);
  const mailbox = useMemo(() => new DraftMailbox(ui.draftMailbox), [ui]);
  const sidebarWidth = useSidebarWidth(ui.uiPreferences);
  const routeRef = useRef(route);
  routeRef.current = route;

  // A space deleted in another tab is let go here (never written again) and, if it is on screen, left.
  useEffect(
    () =>
      events.subscribe((event) => {
        if (event.type !== 'spaces-changed' || event.change !== 'deleted') return;
        if (!workspace.manager.isOpen(event.spaceId)) return;
        void workspace.manager
          .openSpace(event.spaceId)
          .then((h) => h.space.meta().name)
          .catch(() => 'This space')
          .then(async (name) => {
            await workspace.forgetSpace(event.spaceId);
            if (routeRef.current.spaceId !== event.spaceId) return;
            setSpaceError(`“${name}” was deleted in another tab.`);
            const next = (await collections.recentSpaces().toArrayWhenReady()).find((s) => s.id !== event.spaceId);
            navigate(next ? { spaceId: next.id, pageId: null } : { spaceId: null, pageId: null }, { replace: true });
          });
      }),
    [events, workspace, collections],
  );
  useUnsavedWarning(workspace.status);
  usePersistAfterFirstAction();

  // Restore the last route once, at start, when the URL does not name one.
  useEffect(() => {
    let live = true;
    const initial = parseRoute(window.location.hash);
    // An invite link (#/join/…) is answered by the join dialog, not replaced by the last route.
    const restore = initial.spaceId || invite.pending ? ui.routing.preload().then(() => null) : startRoute(collections, ui);
    restore
      .then((r) => {
        if (live && r) navigate(r, { replace: true });
      })
      .catch(() => undefined)
      .finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, [collections, ui]);

  useEffect(() => {
    if (ready) rememberRoute(ui.routing, route);
  }, [ready, route, ui.routing]);

  const space = useOpenSpace(app, sharing, ready ? route.spaceId : null);
  const handle = space && 'handle' in space ? space.handle : null;
  const upgrade = useStorageUpgrade(workspace.stores, ready ? route.spaceId : null);
  const readOnly = useReadOnly(sharing, handle?.id ?? null);
  const presence = usePresenceSource(sharing, handle?.id ?? null);
  const [expanded, setExpanded] = useExpanded(ui.views, handle ? route.spaceId : null);
  const pageActions = usePageActions({ handle, collections, route, expand: setExpanded, onError: setSpaceError });

  const openPage = useCallback((pageId: string) => route.spaceId && navigate({ spaceId: route.spaceId, pageId }), [route.spaceId]);

  const createPage = (parentId: string | null) => {
    if (!handle) return;
    try {
      const pageId = handle.space.createPage({ parentId });
      if (parentId) setExpanded(parentId, true);
      newPageRef.current = pageId;
      navigate({ spaceId: handle.id, pageId });
    } catch (e) {
      setSpaceError(describeError(e instanceof Error ? e : new Error(String(e))));
    }
  };

  const switchSpace = (spaceId: string) => {
    const last = ui.routing.get(spaceId);
    const r = last ? parseRoute(last.path) : null;
    navigate(r && r.spaceId === spaceId ? r : { spaceId, pageId: null });
  };

  return (
    <>
      {/* Once another tab upgraded the database, nothing here may write: the whole workspace goes inert. */}
      <div className="app" inert={stopped !== null} style={{ '--sidebar-width': `${sidebarWidth.width}px` } as CSSProperties}>
        <nav aria-label="Sidebar" className="sidebar">
          <SidebarResizer {...sidebarWidth} />
          <div className="brand">
            <h1>Quire</h1>
          </div>
          <SpaceSwitcher
            collections={collections}
            currentSpaceId={handle ? route.spaceId : null}
            onSwitch={switchSpace}
            onNewSpace={() => setSpaceDialog('new')}
            onRenameSpace={() => setSpaceDialog('rename')}
            onDeleteSpace={() => setSpaceDialog('delete')}
          />
          <SidebarTools space={handle} preferences={ui.uiPreferences} />
          {handle && (
            <>
              <button type="button" className="share-button" onClick={() => setSharingOpen(true)}>
                Share
              </button>
              {!readOnly && (
                <button type="button" className="new-page" onClick={() => createPage(null)}>
                  <NewPageIcon />
                  <span>New page</span>
                </button>
              )}
              <h2 className="sidebar-heading" aria-hidden="true">
                Pages
              </h2>
              {expanded && (
                <PageTree
                  collections={collections}
                  spaceId={handle.id}
                  currentPageId={route.pageId}
                  expanded={expanded}
                  onToggle={setExpanded}
                  onOpen={openPage}
                  onAddChild={readOnly ? undefined : (parentId) => createPage(parentId)}
                  onPageAction={readOnly ? undefined : pageActions.onPageAction}
                  onMove={readOnly ? undefined : pageActions.onMove}
                  onRename={readOnly ? undefined : pageActions.onRename}
                />
              )}
              <button type="button" className="sidebar-trash" onClick={pageActions.openTrash}>
                <TrashIcon />
                <span>Trash</span>
              </button>
            </>
          )}
          <div className="sidebar-footer">
            <SaveStatusIndicator status={workspace.status} onRetry={() => workspace.retryNow()} />
            {handle && <SyncStatusIndicator sharing={sharing} spaceId={handle.id} />}
          </div>
        </nav>
        <main className="main">
          {handle && (
            <PageTabs
              tabs={ui.tabs}
              space={handle}
              currentPageId={route.pageId}
              onOpen={openPage}
              onCloseCurrent={(next) => navigate({ spaceId: handle.id, pageId: next })}
            />
          )}
          {spaceError && (
            <p role="alert" className="banner">
              {spaceError}
            </p>
          )}
          {handle && upgrade && <StorageUpgradeFailed state={upgrade} />}
          {!ready ? null : !route.spaceId ? (
            <div className="empty-state">
              <h2>Start with a space</h2>
              <p>A space holds a tree of pages. Everything you write lives on this device first, and works offline.</p>
              <button type="button" className="primary" onClick={() => setSpaceDialog('new')}>
                Start a space
              </button>
            </div>
          ) : space && 'error' in space ? (
            <div className="empty-state">
              <p role="alert">{space.message}</p>
            </div>
          ) : !handle ? (
            upgrade && <StorageUpgradeProgress state={upgrade} />
          ) : route.pageId ? (
            <>
              <header className="topbar">
                <Breadcrumbs space={handle} pageId={route.pageId} onOpen={openPage} />
              </header>
              <DraftNotice key={`draft:${handle.id}/${route.pageId}`} mailbox={mailbox} space={handle} pageId={route.pageId} events={events} />
              <PageView
                key={`${handle.id}/${route.pageId}`}
                space={handle}
                collections={collections}
                pageId={route.pageId}
                isNew={newPageRef.current === route.pageId}
                readOnly={readOnly}
                presence={presence}
              />
            </>
          ) : (
            <div className="empty-state">
              <h2>{handle.space.meta().name}</h2>
              <p>Choose a page in the sidebar, or start a new one.</p>
            </div>
          )}
        </main>
        {pageActions.dialogs}
        {invite.dialog}
        {sharingOpen && handle && (
          <ShareDialogFor sharing={sharing} handle={handle} onClose={() => setSharingOpen(false)} />
        )}
        {spaceDialog === 'new' && (
          <SpaceDetailsDialog
            title="New space"
            submitLabel="Create"
            onCancel={() => setSpaceDialog(null)}
            onSubmit={async ({ name, icon }) => {
              const created = await workspace.createSpace({ name, icon });
              navigate({ spaceId: created.id, pageId: null });
            }}
          />
        )}
        {spaceDialog === 'rename' && handle && (
          <SpaceDetailsDialog
            title="Rename space"
            submitLabel="Save"
            initial={{ name: handle.space.meta().name, icon: handle.space.meta().icon }}
            onCancel={() => setSpaceDialog(null)}
            onSubmit={async ({ name, icon }) => {
              handle.space.rename(name);
              handle.space.setIcon(icon);
              await handle.flush();
            }}
          />
        )}
        {spaceDialog === 'delete' && handle && (
          <ConfirmDialog
            title={`Delete the space “${handle.space.meta().name}”?`}
            text={deleteSpaceText(handle)}
            confirmLabel="Delete space"
            onCancel={() => setSpaceDialog(null)}
            onConfirm={async () => {
              await workspace.deleteSpace(handle.id);
              setSpaceDialog(null);
              const next = (await collections.recentSpaces().toArrayWhenReady()).find((s) => s.id !== handle.id);
              navigate(next ? { spaceId: next.id, pageId: null } : { spaceId: null, pageId: null }, { replace: true });
            }}
          />
        )}
      </div>
      {stopped && <StoppedNotice workspace={workspace} signal={stopped} />}
    </>
  );
}
