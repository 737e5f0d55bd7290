/**
 * The sidebar's width: a vertical separator "Resize sidebar" between the sidebar and the page, dragged with
 * the pointer or moved with the arrow keys (Home/End for the bounds). The width is UI state: the
 * `sidebarWidth` row of `uiPreferences` (last writer wins), restored after a reload and shared by tabs.
 */
import { useEffect, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useLiveQuery, type Collection } from '@tanstack/react-db';
import type { UiPreferenceRow } from '../../collections/index.ts';
import { putPreference } from '../common/putPreference.ts';

const WIDTH_KEY = 'sidebarWidth';
/** Bounds of the sidebar's width in CSS pixels: narrower hides titles, wider starves the page. */
export const SIDEBAR_MIN_PX = 200;
export const SIDEBAR_MAX_PX = 520;
export const SIDEBAR_DEFAULT_PX = 268;
/** One arrow-key step. */
const STEP_PX = 16;

const clamp = (w: number) => Math.round(Math.min(SIDEBAR_MAX_PX, Math.max(SIDEBAR_MIN_PX, w)));

/** The stored width (or the default) and a setter that shows a width at once and stores it when asked. */
export function useSidebarWidth(preferences: Collection<UiPreferenceRow, string>) {
  const { data } = useLiveQuery((q) => q.from({ p: preferences }), [preferences]);
  const stored = data.find((r) => r.key === WIDTH_KEY)?.value;
  const [live, setLive] = useState<number | null>(null);
  const width = live ?? (typeof stored === 'number' ? clamp(stored) : SIDEBAR_DEFAULT_PX);
  return {
    width,
    preview: (w: number) => setLive(clamp(w)),
    commit: (w: number) => {
      setLive(null);
      putPreference(preferences, WIDTH_KEY, clamp(w));
    },
  };
}

export function SidebarResizer({ width, preview, commit }: ReturnType<typeof useSidebarWidth>) {
  const [drag, setDrag] = useState<{ startX: number; startWidth: number } | null>(null);
  useEffect(() => {
    if (!drag) return;
    document.body.classList.add('resizing-sidebar');
    return () => document.body.classList.remove('resizing-sidebar');
  }, [drag]);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next =
      e.key === 'ArrowLeft' ? width - STEP_PX : e.key === 'ArrowRight' ? width + STEP_PX : e.key === 'Home' ? SIDEBAR_MIN_PX : e.key === 'End' ? SIDEBAR_MAX_PX : null;
    if (next === null) return;
    e.preventDefault();
    commit(next);
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({ startX: e.clientX, startWidth: width });
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => drag && preview(drag.startWidth + e.clientX - drag.startX);
  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    commit(drag.startWidth + e.clientX - drag.startX);
    setDrag(null);
  };
  return (
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize sidebar"
      aria-valuemin={SIDEBAR_MIN_PX}
      aria-valuemax={SIDEBAR_MAX_PX}
      aria-valuenow={width}
      tabIndex={0}
      className="sidebar-resizer"
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => setDrag(null)}
    />
  );
}
