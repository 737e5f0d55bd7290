import { useId, useState } from 'react';
import { useLiveQuery } from '@tanstack/react-db';
import type { PageCollections } from '../collections/index.ts';
import { Check, ChevronUpDown, Plus } from './icons.tsx';

/** A lettered badge, not an emoji: emoji fonts are not everywhere (fresh Linux installs show boxes). */
export function SpaceBadge({ name, icon }: { name: string; icon: string | null }) {
  return (
    <span className="space-badge" aria-hidden="true">
      {icon ?? (name.trim().charAt(0).toUpperCase() || '?')}
    </span>
  );
}

/**
 * The current space's name, a disclosure listing every space on this device (read through the spaces()
 * projection), and the "New space" button.
 */
export function SpaceSwitcher({
  collections,
  currentSpaceId,
  onSwitch,
  onNewSpace,
}: {
  collections: PageCollections;
  currentSpaceId: string | null;
  onSwitch: (spaceId: string) => void;
  onNewSpace: () => void;
}) {
  const { data } = useLiveQuery((q) => q.from({ s: collections.spaces() }).orderBy(({ s }) => s.createdAt, 'asc'), [collections]);
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
