/**
 * The "More actions for <title>" menu button of a tree row: a menu button (WAI-ARIA menu pattern) with
 * "Move to…", "Move up", "Move down", "Rename", "Duplicate" and "Move to Trash". The menu is positioned
 * fixed next to its button so that the tree's scrolling container does not clip it. Arrows, Home/End,
 * Enter/Space and Escape work as expected.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import './pageActions.css';

const ITEMS = [
  { id: 'move', label: 'Move to…' },
  { id: 'moveUp', label: 'Move up' },
  { id: 'moveDown', label: 'Move down' },
  { id: 'rename', label: 'Rename' },
  { id: 'duplicate', label: 'Duplicate' },
  { id: 'trash', label: 'Move to Trash' },
] as const;

export type PageAction = (typeof ITEMS)[number]['id'];

export function PageActionsMenu({ title, tabIndex, onAction }: { title: string; tabIndex: number; onAction: (action: PageAction) => void }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [pos, setPos] = useState<{ top: number; left: number } | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const menuId = useId();

  useLayoutEffect(() => {
    if (!open) return;
    const r = buttonRef.current?.getBoundingClientRect();
    if (r) setPos({ top: r.bottom + 4, left: Math.max(8, r.right - 200) });
  }, [open]);

  useEffect(() => {
    if (!open) return;
    menuRef.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.focus();
  }, [open, active, pos]);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (e.target instanceof Node && (menuRef.current?.contains(e.target) || buttonRef.current?.contains(e.target))) return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };

  const choose = (action: PageAction) => {
    close(false);
    onAction(action);
  };

  const openMenu = (index: number) => {
    setActive(index);
    setOpen(true);
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
        setActive((a) => (a + 1) % ITEMS.length);
        break;
      case 'ArrowUp':
        setActive((a) => (a - 1 + ITEMS.length) % ITEMS.length);
        break;
      case 'Home':
        setActive(0);
        break;
      case 'End':
        setActive(ITEMS.length - 1);
        break;
      case 'Escape':
        close(true);
        break;
      case 'Tab':
        close(false);
        handled = false;
        break;
      case 'Enter':
      case ' ': {
        const item = ITEMS[active];
        if (item) choose(item.id);
        break;
      }
      default:
        handled = false;
    }
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        className="tree-more"
        aria-label={`More actions for ${title}`}
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        tabIndex={tabIndex}
        onClick={() => (open ? close(false) : openMenu(0))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            e.stopPropagation();
            openMenu(e.key === 'ArrowDown' ? 0 : ITEMS.length - 1);
          }
        }}
      >
        <svg width="14" height="14" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true" focusable="false">
          <circle cx="3.5" cy="8" r="1.3" />
          <circle cx="8" cy="8" r="1.3" />
          <circle cx="12.5" cy="8" r="1.3" />
        </svg>
      </button>
      {open && (
        <div
          ref={menuRef}
          id={menuId}
          role="menu"
          aria-label={`Actions for ${title}`}
          className={`page-menu${pos ? '' : ' page-menu--measuring'}`}
          style={pos ? { top: pos.top, left: pos.left } : undefined}
          onKeyDown={onMenuKey}
        >
          {ITEMS.map((item, i) => (
            <div
              key={item.id}
              role="menuitem"
              tabIndex={i === active ? 0 : -1}
              data-index={i}
              className={`page-menu-item${item.id === 'trash' ? ' page-menu-item--danger' : ''}`}
              onMouseEnter={() => setActive(i)}
              onClick={() => choose(item.id)}
            >
              {item.label}
            </div>
          ))}
        </div>
      )}
    </>
  );
}
