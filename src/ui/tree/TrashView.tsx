/**
 * The Trash: a dialog listing the pages put in the trash (PageCollections.trash, most recent first), each
 * with "Restore <title>" and "Delete <title> forever". Deleting forever asks first, naming the page and how
 * many sub-pages go with it.
 */
import { useEffect, useId, useState } from 'react';
import { useLiveQuery } from '@tanstack/react-db';
import type { PageCollections } from '../../collections/index.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { ConfirmDialog } from '../common/ConfirmDialog.tsx';
import { describeError } from '../common/describeError.ts';
import { pageTitle } from './PageTree.tsx';
import './pageActions.css';

/** How many pages sit under `pageId` (trashed or not): one walk over the space, only when asked. */
function countSubPages(space: SpaceHandle, pageId: string): number {
  const inside = new Set<string>([pageId]);
  let count = 0;
  for (const p of space.space.listPages()) {
    if (p.parentId !== null && inside.has(p.parentId)) {
      inside.add(p.id);
      count++;
    }
  }
  return count;
}

function ConfirmDelete({ title, subPages, onConfirm, onCancel }: { title: string; subPages: number; onConfirm: () => Promise<void>; onCancel: () => void }) {
  return (
    <ConfirmDialog
      title={`Delete “${title}” forever?`}
      text={
        subPages === 0
          ? `“${title}” will be deleted from this device. This cannot be undone.`
          : `“${title}” and its ${subPages} sub-page${subPages === 1 ? '' : 's'} will be deleted from this device. This cannot be undone.`
      }
      confirmLabel="Delete forever"
      onConfirm={onConfirm}
      onCancel={onCancel}
    />
  );
}

export function TrashView({
  collections,
  space,
  onRestored,
  onDeleted,
  onClose,
}: {
  collections: PageCollections;
  space: SpaceHandle;
  onRestored: (pageId: string) => void;
  onDeleted: (pageIds: string[]) => void;
  onClose: () => void;
}) {
  const titleId = useId();
  const { data, isReady } = useLiveQuery((q) => q.from({ p: collections.trash(space.id) }), [collections, space.id]);
  const rows = [...data].sort((a, b) => (b.trashedAt ?? 0) - (a.trashedAt ?? 0) || (a.id < b.id ? -1 : 1));
  const [confirming, setConfirming] = useState<{ id: string; title: string; subPages: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Escape closes the Trash even when focus left it (the button just pressed was removed with its row).
  useEffect(() => {
    if (confirming) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [confirming, onClose]);

  return (
    <div className="dialog-backdrop">
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="dialog trash-dialog"
      >
        <div className="trash-header">
          <h2 id={titleId}>Trash</h2>
          <button type="button" className="trash-close" autoFocus onClick={onClose}>
            Close
          </button>
        </div>
        {error && <p role="alert">{error}</p>}
        {isReady && rows.length === 0 ? (
          <p className="trash-empty">The trash is empty.</p>
        ) : (
          <ul className="trash-list" aria-label="Pages in the trash">
            {rows.map((row) => {
              const title = pageTitle(row.title);
              return (
                <li key={row.id} className="trash-item">
                  <span className="trash-title">{title}</span>
                  {row.trashedAt !== null && <span className="trash-when">{new Date(row.trashedAt).toLocaleString()}</span>}
                  <button
                    type="button"
                    aria-label={`Restore ${title}`}
                    onClick={() => {
                      try {
                        space.space.restorePage(row.id);
                        onRestored(row.id);
                      } catch (e) {
                        setError(describeError(e instanceof Error ? e : new Error(String(e))));
                      }
                    }}
                  >
                    Restore
                  </button>
                  <button
                    type="button"
                    className="trash-delete"
                    aria-label={`Delete ${title} forever`}
                    onClick={() => setConfirming({ id: row.id, title, subPages: countSubPages(space, row.id) })}
                  >
                    Delete forever
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      {confirming && (
        <ConfirmDelete
          title={confirming.title}
          subPages={confirming.subPages}
          onCancel={() => setConfirming(null)}
          onConfirm={async () => {
            const ids = await space.deletePageForever(confirming.id);
            setConfirming(null);
            onDeleted(ids);
          }}
        />
      )}
    </div>
  );
}
