/**
 * One page: its icon (PageIconButton) and title (renamePage), the "Page details" line, its content (the
 * lazily loaded editor over the page's Y.Doc) and the pages linking to it (Backlinks).
 */
import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import type { PageCollections } from '../../collections/index.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { Backlinks } from './Backlinks.tsx';
import { describeError } from '../common/describeError.ts';
import { PageDetails } from './PageDetails.tsx';
import { usePageHandle } from './pageHandles.ts';
import { usePresence, type PresenceSource } from './editor/usePresence.ts';
import { PageIconButton } from './PageIconButton.tsx';
import { usePageRecord } from './usePageRecord.ts';

const PageEditor = lazy(() => import('./editor/PageEditor.tsx'));

function EditorPlaceholder() {
  return <div className="editor editor--loading" aria-hidden="true" />;
}

function TitleInput({ space, pageId, autoFocus, readOnly }: { space: SpaceHandle; pageId: string; autoFocus: boolean; readOnly: boolean }) {
  const [value, setValue] = useState(() => space.space.getPage(pageId)?.title ?? '');
  const ref = useRef<HTMLInputElement>(null);
  // Renames made elsewhere (another tab, undo) show up unless this input is being typed in.
  useEffect(
    () =>
      space.space.observe((changes) => {
        for (const c of changes) {
          if (c.type === 'page-renamed' && c.page.id === pageId && document.activeElement !== ref.current) setValue(c.page.title);
        }
      }),
    [space, pageId],
  );
  return (
    <input
      ref={ref}
      className="page-title"
      aria-label="Page title"
      placeholder="Untitled"
      value={value}
      readOnly={readOnly}
      autoFocus={autoFocus && !readOnly}
      onChange={(e) => {
        setValue(e.target.value);
        try {
          space.space.renamePage(pageId, e.target.value);
        } catch {
          // The page left the space meanwhile (deleted elsewhere): the view says so on its next render.
        }
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || (e.key === 'ArrowDown' && !e.shiftKey)) {
          e.preventDefault();
          document.querySelector<HTMLElement>('[aria-label="Page content"]')?.focus();
        }
      }}
    />
  );
}

/** `readOnly`: this device may only view the space (a viewer's invite); the relay refuses its writes too. */
export function PageView({
  space,
  collections,
  pageId,
  isNew,
  readOnly = false,
  presence = null,
}: {
  space: SpaceHandle;
  collections: PageCollections;
  pageId: string;
  isNew: boolean;
  readOnly?: boolean;
  /** Creates the awareness of this page when the space syncs (other devices' cursors), null otherwise. */
  presence?: PresenceSource | null;
}) {
  const page = usePageHandle(space, pageId);
  const pagePresence = usePresence(presence, page.status === 'open' ? page.handle.doc : null, pageId);
  const record = usePageRecord(space, pageId);
  const [words, setWords] = useState<number | null>(null);
  if (!record) {
    return (
      <article className="page page--missing">
        <p role="alert">This page is not in this space any more. Choose another page in the sidebar.</p>
      </article>
    );
  }
  return (
    <article className="page">
      <div className="page-heading">
        {readOnly ? record.icon && <span className="page-icon">{record.icon}</span> : <PageIconButton space={space} pageId={pageId} icon={record.icon} />}
        <TitleInput key={pageId} space={space} pageId={pageId} autoFocus={isNew} readOnly={readOnly} />
      </div>
      <PageDetails page={record} words={words} />
      {page.status === 'open' ? (
        <Suspense fallback={<EditorPlaceholder />}>
          <PageEditor key={pageId} doc={page.handle.doc} space={space} pageId={pageId} onWordCount={setWords} readOnly={readOnly} presence={pagePresence} />
        </Suspense>
      ) : page.status === 'failed' ? (
        <p role="alert">{describeError(page.error)}</p>
      ) : (
        <EditorPlaceholder />
      )}
      <Backlinks collections={collections} spaceId={space.id} pageId={pageId} />
    </article>
  );
}
