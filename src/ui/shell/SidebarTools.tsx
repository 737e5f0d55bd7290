/**
 * The sidebar's "Search" and "Settings" buttons, the Ctrl/Cmd+K shortcut, and the two dialogs they open
 * (rendered into <body>, outside the sidebar landmark). Closing a dialog returns focus to where it was.
 * Also applies the stored theme to <html> for the whole app (useTheme).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { Collection } from '@tanstack/react-db';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { UiPreferenceRow } from '../../collections/index.ts';
import { QuickSwitcher } from '../search/QuickSwitcher.tsx';
import { navigate } from './route.ts';
import { SettingsDialog } from '../settings/SettingsDialog.tsx';
import { useTheme } from './theme.ts';
import './workspaceTools.css';

const SearchIcon = () => (
  <svg width={15} height={15} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" aria-hidden="true" focusable="false">
    <circle cx="7" cy="7" r="4.5" />
    <path d="M10.5 10.5L14 14" />
  </svg>
);

const GearIcon = () => (
  <svg width={15} height={15} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
    <circle cx="8" cy="8" r="2.2" />
    <path d="M8 1.5v2M8 12.5v2M1.5 8h2M12.5 8h2M3.4 3.4l1.4 1.4M11.2 11.2l1.4 1.4M3.4 12.6l1.4-1.4M11.2 4.8l1.4-1.4" />
  </svg>
);

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

type Open = 'switcher' | 'settings' | null;

export function SidebarTools({ space, preferences }: { space: SpaceHandle | null; preferences: Collection<UiPreferenceRow, string> }) {
  const { theme } = useTheme(preferences);
  const [open, setOpen] = useState<Open>(null);
  const returnFocus = useRef<HTMLElement | null>(null);

  const show = useCallback((which: Exclude<Open, null>) => {
    setOpen((prev) => {
      if (prev === null) returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      return which;
    });
  }, []);

  const close = useCallback(() => {
    setOpen(null);
    const target = returnFocus.current;
    returnFocus.current = null;
    // After the dialog has left the DOM.
    requestAnimationFrame(() => {
      if (target?.isConnected) target.focus();
    });
  }, []);

  const canSearch = space !== null;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'k') return;
      if (!canSearch) return;
      e.preventDefault();
      e.stopPropagation();
      show('switcher');
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, [canSearch, show]);

  return (
    <div className="sidebar-tools">
      {space && (
        <button
          type="button"
          className="sidebar-tool"
          aria-haspopup="dialog"
          aria-keyshortcuts={isMac ? 'Meta+K' : 'Control+K'}
          onClick={() => show('switcher')}
        >
          <SearchIcon />
          <span className="sidebar-tool-label">Search</span>
          <kbd className="sidebar-tool-kbd" aria-hidden="true">
            {isMac ? '⌘K' : 'Ctrl K'}
          </kbd>
        </button>
      )}
      <button type="button" className="sidebar-tool" aria-haspopup="dialog" onClick={() => show('settings')}>
        <GearIcon />
        <span className="sidebar-tool-label">Settings</span>
      </button>
      {open === 'switcher' &&
        space &&
        createPortal(<QuickSwitcher space={space} onClose={close} onOpen={(pageId) => navigate({ spaceId: space.id, pageId })} />, document.body)}
      {open === 'settings' && createPortal(<SettingsDialog preferences={preferences} theme={theme} space={space} onClose={close} />, document.body)}
    </div>
  );
}
