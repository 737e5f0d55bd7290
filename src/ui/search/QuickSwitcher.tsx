/**
 * The quick switcher (Ctrl/Cmd+K): a dialog with the combobox "Search pages" over the titles of the
 * current space (ARIA combobox pattern with a listbox and aria-activedescendant). The title index is built
 * when the dialog opens (an O(n) read of the space, on demand only) and searched incrementally; at most
 * 50 options, each with its breadcrumb path. Arrows move, Enter opens, Escape closes.
 */
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { PageIcon } from '../common/icons.tsx';
import { PageSearch, type SearchablePage } from './pageSearch.ts';
import { pageTitle } from '../tree/PageTree.tsx';
import '../shell/workspaceTools.css';

function buildIndex(space: SpaceHandle): PageSearch {
  return new PageSearch(space.space.listPages().filter((p) => !p.inTrash));
}

export function QuickSwitcher({ space, onOpen, onClose }: { space: SpaceHandle; onOpen: (pageId: string) => void; onClose: () => void }) {
  const [index, setIndex] = useState(() => buildIndex(space));
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const titleId = useId();
  const listRef = useRef<HTMLUListElement>(null);

  // Pages created, renamed or trashed (here or in another tab) while the switcher is open.
  useEffect(() => {
    setIndex(buildIndex(space));
    return space.space.observe(() => setIndex(buildIndex(space)));
  }, [space]);

  const results = useMemo(() => index.search(query), [index, query]);
  const current = Math.min(active, results.length - 1);
  const optionId = (i: number) => `${listId}-option-${i}`;

  useEffect(() => {
    if (current < 0) return;
    listRef.current?.querySelector(`[id="${CSS.escape(optionId(current))}"]`)?.scrollIntoView({ block: 'nearest' });
  });

  const choose = (page: SearchablePage | undefined) => {
    if (!page) return;
    onClose();
    onOpen(page.id);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        setActive(results.length === 0 ? 0 : (current + 1) % results.length);
        break;
      case 'ArrowUp':
        setActive(results.length === 0 ? 0 : (current - 1 + results.length) % results.length);
        break;
      case 'Home':
      case 'PageUp':
        if (e.key === 'Home' && !e.ctrlKey) handled = false;
        else setActive(0);
        break;
      case 'End':
      case 'PageDown':
        if (e.key === 'End' && !e.ctrlKey) handled = false;
        else setActive(Math.max(0, results.length - 1));
        break;
      case 'Enter':
        choose(results[current]);
        break;
      case 'Escape':
        onClose();
        break;
      case 'Tab':
        // The combobox is the dialog's only control: focus stays in the modal dialog.
        break;
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  const expanded = results.length > 0;
  return (
    <div className="dialog-backdrop switcher-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog quick-switcher">
        <h2 id={titleId} className="visually-hidden">
          Go to a page
        </h2>
        <input
          autoFocus
          className="quick-switcher-input"
          type="text"
          role="combobox"
          aria-label="Search pages"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={expanded && current >= 0 ? optionId(current) : undefined}
          placeholder="Search pages by title…"
          autoComplete="off"
          spellCheck={false}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
        />
        <ul ref={listRef} id={listId} role="listbox" aria-label="Pages" className="quick-switcher-list" hidden={!expanded}>
          {results.map((page, i) => {
            const path = space.space
              .ancestors(page.id)
              .map((a) => pageTitle(a.title))
              .join(' / ');
            return (
              <li
                key={page.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === current}
                className="quick-switcher-option"
                onMouseMove={() => i !== current && setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => choose(page)}
              >
                <span className="quick-switcher-icon" aria-hidden="true">
                  <PageIcon />
                </span>
                <span className="quick-switcher-text">
                  <span className={`quick-switcher-title${page.title.trim() === '' ? ' tree-title--untitled' : ''}`}>{pageTitle(page.title)}</span>
                  <span className="quick-switcher-path">{path ? `${space.space.meta().name} / ${path}` : space.space.meta().name}</span>
                </span>
              </li>
            );
          })}
        </ul>
        {!expanded && <p className="quick-switcher-empty">{index.size === 0 ? 'This space has no pages yet.' : 'No page title matches.'}</p>}
        <p className="quick-switcher-hint" aria-hidden="true">
          ↑↓ to move · Enter to open · Esc to close
        </p>
      </div>
    </div>
  );
}
