import { useId, useState } from 'react';
import { useLiveQuery } from '@tanstack/react-db';
import type { PageCollections } from '../../collections/index.ts';
import { Check, ChevronUpDown, Plus } from '../common/icons.tsx';

/** A lettered badge, not an emoji: emoji fonts are not everywhere (fresh Linux installs show boxes). */
export function SpaceBadge({ name, icon }: { name: string; icon: string | null }) {
  return (
    <span className="space-badge" aria-hidden="true">
      {icon ?? (name.trim().charAt(0).toUpperCase() || '?')}
    </span>
  );
}

/** The recently opened list is shown once there are more spaces than this (below, one list says it all). */
const RECENT_LIST_MIN_SPACES = 4;
/** How many recently opened spaces the "Recently opened" list shows. */
const RECENT_LIST_LENGTH = 3;

/**
 * The current space's name, a disclosure listing every space on this device (read through the spaces()
 * projection) with the recently opened ones first, the current space's "Rename space…" and "Delete
 * space…", and the "New space" button.
 */
export function SpaceSwitcher({
  collections,
  currentSpaceId,
  onSwitch,
  onNewSpace,
  onRenameSpace,
  onDeleteSpace,
}: {
  collections: PageCollections;
  currentSpaceId: string | null;
  onSwitch: (spaceId: string) => void;
  onNewSpace: () => void;
  onRenameSpace: () => void;
  onDeleteSpace: () => void;
}) {
  const { data } = useLiveQuery((q) => q.from({ s: collections.spaces() }).orderBy(({ s }) => s.createdAt, 'asc'), [collections]);
  const { data: recent } = useLiveQuery((q) => q.from({ s: collections.recentSpaces() }).orderBy(({ s }) => s.lastOpenedAt, 'desc'), [collections]);
  const recentOthers = data.length >= RECENT_LIST_MIN_SPACES ? recent.filter((s) => s.id !== currentSpaceId).slice(0, RECENT_LIST_LENGTH) : [];
  const [open, setOpen] = useState(false);
  const listId = useId();
  const current = data.find((s) => s.id === currentSpaceId) ?? null;
  const name = current?.name ?? (data.length === 0 ? 'No space yet' : 'Choose a space');
  return (
    <div className="switcher">
      <div className="switcher-bar">
        <button
          type="button"
          className="switcher-button"
          aria-expanded={open}
          aria-controls={listId}
          aria-label={`Switch space (current: ${name})`}
          onClick={() => setOpen((o) => !o)}
        >
          {current ? <SpaceBadge name={current.name} icon={current.icon} /> : <span className="space-badge space-badge--empty" aria-hidden="true" />}
          <span className="switcher-name">{name}</span>
          <ChevronUpDown />
        </button>
        <button type="button" className="icon-button" aria-label="New space" title="New space" onClick={onNewSpace}>
          <Plus />
        </button>
      </div>
      <div id={listId} className="switcher-panel" hidden={!open}>
        {current && (
          <div className="switcher-actions">
            <button type="button" onClick={() => (setOpen(false), onRenameSpace())}>
              Rename space…
            </button>
            <button type="button" className="danger-text" onClick={() => (setOpen(false), onDeleteSpace())}>
              Delete space…
            </button>
          </div>
        )}
        {recentOthers.length > 0 && (
          <>
            <h3 className="switcher-heading" id={`${listId}-recent`}>
              Recently opened
            </h3>
            <ul aria-labelledby={`${listId}-recent`} className="space-list">
              {recentOthers.map((s) => (
                <li key={s.id}>
                  <button type="button" className="space-option" onClick={() => (setOpen(false), onSwitch(s.id))}>
                    <SpaceBadge name={s.name} icon={s.icon} />
                    <span className="space-option-name">{s.name}</span>
                  </button>
                </li>
              ))}
            </ul>
            <h3 className="switcher-heading">All spaces</h3>
          </>
        )}
        {data.length === 0 ? (
          <p className="switcher-empty">No spaces yet.</p>
        ) : (
          <ul aria-label="Spaces" className="space-list">
            {data.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className="space-option"
                  aria-current={s.id === currentSpaceId ? 'true' : undefined}
                  onClick={() => {
                    setOpen(false);
                    onSwitch(s.id);
                  }}
                >
                  <SpaceBadge name={s.name} icon={s.icon} />
                  <span className="space-option-name">{s.name}</span>
                  {s.id === currentSpaceId && <Check />}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
