/**
 * The "Move page" dialog: a search box over the possible destinations (the top level and every live page
 * that is not the page itself or one of its descendants) and a listbox of them. The destinations are read
 * once when the dialog opens (one depth-first walk of the space); typing filters them and only the first
 * MAX_SHOWN matches are rendered, so the dialog stays fast in big spaces. Keyboard: type to filter, Up/Down
 * (Home/End) choose, Enter moves; Escape cancels.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { describeError } from '../common/describeError.ts';
import { pageTitle } from './PageTree.tsx';
import './pageActions.css';

const MAX_SHOWN = 200;
const TOP = '\u0000top';

interface Destination {
  id: string;
  parentId: string | null;
  title: string;
  lower: string;
}

function destinationsFor(space: SpaceHandle, pageId: string): { list: Destination[]; byId: Map<string, Destination> } {
  const excluded = new Set<string>([pageId]);
  const list: Destination[] = [];
  const byId = new Map<string, Destination>();
  // listPages is depth first: a parent always comes before its children.
  for (const p of space.space.listPages()) {
    if (p.inTrash) continue;
    if (excluded.has(p.id) || (p.parentId !== null && excluded.has(p.parentId))) {
      excluded.add(p.id);
      continue;
    }
    const title = pageTitle(p.title);
    const d = { id: p.id, parentId: p.parentId, title, lower: title.toLowerCase() };
    list.push(d);
    byId.set(p.id, d);
  }
  return { list, byId };
}

function pathOf(d: Destination, byId: Map<string, Destination>): string {
  const parts: string[] = [];
  for (let cur = d.parentId; cur !== null; ) {
    const p = byId.get(cur);
    if (!p) break;
    parts.push(p.title);
    cur = p.parentId;
  }
  return parts.reverse().join(' / ');
}

export function MovePageDialog({
  space,
  pageId,
  onMoved,
  onCancel,
}: {
  space: SpaceHandle;
  pageId: string;
  onMoved: (parentId: string | null) => void;
  onCancel: () => void;
}) {
  const titleId = useId();
  const listId = useId();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const { list, byId } = useMemo(() => destinationsFor(space, pageId), [space, pageId]);
  const title = pageTitle(space.space.getPage(pageId)?.title ?? '');
  const currentParent = space.space.getPage(pageId)?.parentId ?? null;

  const { shown, more } = useMemo(() => {
    const q = query.trim().toLowerCase();
    const options: { id: string; title: string; path: string }[] = [];
    if (q === '' || 'top level'.includes(q)) options.push({ id: TOP, title: 'Top level', path: '' });
    let more = 0;
    for (const d of list) {
      if (q !== '' && !d.lower.includes(q)) continue;
      if (options.length >= MAX_SHOWN) {
        more++;
        continue;
      }
      options.push({ id: d.id, title: d.title, path: pathOf(d, byId) });
    }
    return { shown: options, more };
  }, [list, byId, query]);

  const activeIndex = Math.min(active, shown.length - 1);
  const chosen = shown[activeIndex];

  const move = () => {
    if (!chosen) return;
    const parentId = chosen.id === TOP ? null : chosen.id;
    try {
      const end = space.space.children(parentId).length;
      space.space.movePage(pageId, parentId, end);
      onMoved(parentId);
    } catch (e) {
      setError(describeError(e instanceof Error ? e : new Error(String(e))));
    }
  };

  const scrollIntoView = (index: number) => {
    document.getElementById(`${listId}-${index}`)?.scrollIntoView({ block: 'nearest' });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    let next: number;
    switch (e.key) {
      case 'ArrowDown':
        next = Math.min(shown.length - 1, activeIndex + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, activeIndex - 1);
        break;
      case 'PageDown':
        next = Math.min(shown.length - 1, activeIndex + 10);
        break;
      case 'PageUp':
        next = Math.max(0, activeIndex - 10);
        break;
      case 'Enter':
        e.preventDefault();
        move();
        return;
      case 'Escape':
        e.preventDefault();
        onCancel();
        return;
      default:
        return;
    }
    e.preventDefault();
    setActive(next);
    scrollIntoView(next);
  };

  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog move-dialog" onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id={titleId}>Move page</h2>
        <p className="move-dialog-what">
          Move <strong>{title}</strong> to:
        </p>
        <input
          autoFocus
          role="combobox"
          aria-label="Search destinations"
          aria-expanded="true"
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={chosen ? `${listId}-${activeIndex}` : undefined}
          placeholder="Search pages…"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <div id={listId} role="listbox" aria-label="Destinations" className="move-list">
          {shown.map((o, i) => (
            <div
              key={o.id}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === activeIndex}
              aria-label={o.title}
              className={`move-option${i === activeIndex ? ' move-option--active' : ''}`}
              onClick={() => setActive(i)}
              onDoubleClick={move}
            >
              <span className="move-option-title">
                {o.title}
                {(o.id === TOP ? null : o.id) === currentParent && <span className="move-option-note"> (current)</span>}
              </span>
              {o.path && <span className="move-option-path">{o.path}</span>}
            </div>
          ))}
          {shown.length === 0 && <p className="move-empty">No page matches.</p>}
          {more > 0 && <p className="move-empty">{more} more: type to narrow the list.</p>}
        </div>
        {error && <p role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="dialog-primary" disabled={!chosen} onClick={move}>
            Move
          </button>
        </div>
      </div>
    </div>
  );
}
