/**
 * The "Page icon" button next to the title: it opens a small grid of emoji (each a button named by its
 * emoji) and "Remove icon"; the choice is written with Space.setPageIcon. Escape or a click elsewhere
 * closes the grid and gives the focus back to the button.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import './editor/editor.css';

export const PAGE_ICON_CHOICES = ['📄', '📝', '📌', '📚', '💡', '✅', '⭐', '🔥', '🎯', '🚀', '🧪', '🛠️', '📅', '💬', '🌱', '🏠'] as const;

export function PageIconButton({ space, pageId, icon }: { space: SpaceHandle; pageId: string; icon: string | null }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    panelRef.current?.querySelector<HTMLElement>('button')?.focus();
    const onDown = (e: PointerEvent) => {
      if (e.target instanceof Node && (panelRef.current?.contains(e.target) || buttonRef.current?.contains(e.target))) return;
      setOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [open]);

  const choose = (next: string | null) => {
    setOpen(false);
    buttonRef.current?.focus();
    try {
      space.space.setPageIcon(pageId, next);
    } catch {
      // The page left the space meanwhile: the view says so on its next render.
    }
  };

  return (
    <div className="page-icon">
      <button
        ref={buttonRef}
        type="button"
        className="page-icon-button"
        aria-label="Page icon"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <span aria-hidden="true">{icon ?? '☺'}</span>
      </button>
      {open && (
        <div
          ref={panelRef}
          id={panelId}
          role="dialog"
          aria-label="Choose a page icon"
          className="page-icon-picker"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              setOpen(false);
              buttonRef.current?.focus();
            }
          }}
        >
          <div className="page-icon-grid">
            {PAGE_ICON_CHOICES.map((emoji) => (
              <button key={emoji} type="button" aria-label={emoji} aria-pressed={emoji === icon} onClick={() => choose(emoji)}>
                {emoji}
              </button>
            ))}
          </div>
          <button type="button" className="page-icon-remove" disabled={icon === null} onClick={() => choose(null)}>
            Remove icon
          </button>
        </div>
      )}
    </div>
  );
}
