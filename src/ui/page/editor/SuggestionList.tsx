/**
 * The popup of the open suggestion menu: a listbox of options next to the caret. The editor keeps the
 * focus (the options are pointed at by aria-activedescendant on the editor and highlighted with
 * aria-selected); a click picks without taking the focus away.
 */
import { autoUpdate, computePosition, flip, offset, shift } from '@floating-ui/dom';
import { useEffect, useId, useLayoutEffect, useRef, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import type { SuggestionMenuStore } from './suggestionMenu.ts';
import './editor.css';

/** Gap between the caret and the popup, in CSS pixels. */
const POPUP_OFFSET_PX = 6;
/** Closest the popup comes to the viewport's edge, in CSS pixels. */
const VIEWPORT_MARGIN_PX = 8;

export function SuggestionList({ store, editorElement: getEditorElement }: { store: SuggestionMenuStore; editorElement: () => HTMLElement | null }) {
  const menu = useSyncExternalStore(store.subscribe, store.get);
  // The view exists whenever a menu is open (the menu opens from the view's own plugin).
  const editorElement = menu ? getEditorElement() : null;
  const ref = useRef<HTMLDivElement>(null);
  const baseId = useId();
  const open = menu !== null;
  const anchor = menu?.anchor;

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !anchor) return;
    const reference = { getBoundingClientRect: () => anchor() ?? new DOMRect(), contextElement: editorElement ?? undefined };
    return autoUpdate(reference, el, () => {
      void computePosition(reference, el, {
        strategy: 'fixed',
        placement: 'bottom-start',
        middleware: [offset(POPUP_OFFSET_PX), flip(), shift({ padding: VIEWPORT_MARGIN_PX })],
      }).then(({ x, y }) => {
        el.style.left = `${x}px`;
        el.style.top = `${y}px`;
      });
    });
  }, [open, anchor, editorElement]);

  // The editor points at the highlighted option, so a screen reader follows the arrow keys.
  const activeId = menu && menu.items.length > 0 ? `${baseId}-${menu.active}` : null;
  useEffect(() => {
    if (!editorElement || !activeId) return;
    editorElement.setAttribute('aria-activedescendant', activeId);
    return () => editorElement.removeAttribute('aria-activedescendant');
  }, [editorElement, activeId]);

  useEffect(() => {
    if (!menu) return;
    ref.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [menu]);

  if (!menu) return null;
  return createPortal(
    <div ref={ref} className="suggestion-popup">
      <div role="listbox" aria-label={menu.label} className="suggestion-list">
        {menu.items.map((item, i) => (
          <div
            key={item.id}
            id={`${baseId}-${i}`}
            role="option"
            aria-selected={i === menu.active}
            className="suggestion-option"
            onMouseDown={(e) => e.preventDefault()}
            onMouseEnter={() => menu.setActive(i)}
            onClick={() => menu.pick(i)}
          >
            <span className="suggestion-label">{item.label}</span>
            {item.detail && (
              <span className="suggestion-detail" aria-hidden="true">
                {item.detail}
              </span>
            )}
          </div>
        ))}
      </div>
      {menu.items.length === 0 && <p className="suggestion-empty">{menu.loading ? 'Searching…' : 'No matches'}</p>}
    </div>,
    document.body,
  );
}
