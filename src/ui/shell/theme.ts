/**
 * The theme preference: 'light', 'dark' or 'system' (follow the system), kept in the `uiPreferences`
 * UI-state collection (key `theme`, last writer wins) and applied as `data-theme` on <html> ('system'
 * removes the attribute, so the prefers-color-scheme rules of styles.css apply). A copy in localStorage
 * applies the theme before the database has opened, so a reload does not flash the other theme.
 */
import { useEffect } from 'react';
import { useLiveQuery, type Collection } from '@tanstack/react-db';
import type { UiPreferenceRow } from '../../collections/index.ts';
import { putPreference } from '../common/putPreference.ts';

export type ThemeChoice = 'light' | 'dark' | 'system';

export const THEME_KEY = 'theme';
const CACHE_KEY = 'quire:theme';

export function parseTheme(value: unknown): ThemeChoice {
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(theme: ThemeChoice): void {
  const root = document.documentElement;
  if (theme === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', theme);
  try {
    if (theme === 'system') localStorage.removeItem(CACHE_KEY);
    else localStorage.setItem(CACHE_KEY, theme);
  } catch {
    // Storage refused (private mode, quota): the collection still holds the choice.
  }
}

// At load, before the workspace opens: the last applied theme.
try {
  const cached = parseTheme(localStorage.getItem(CACHE_KEY));
  if (cached !== 'system') document.documentElement.setAttribute('data-theme', cached);
} catch {
  // No localStorage: the theme is applied once the collection is ready.
}

/** The stored theme, applied to <html> whenever it changes (in this tab or another). */
export function useTheme(preferences: Collection<UiPreferenceRow, string>): { theme: ThemeChoice; ready: boolean } {
  const { data, isReady } = useLiveQuery((q) => q.from({ p: preferences }), [preferences]);
  const row = data.find((r) => r.key === THEME_KEY);
  const theme = parseTheme(row?.value);
  useEffect(() => {
    if (isReady) applyTheme(theme);
  }, [isReady, theme]);
  return { theme, ready: isReady };
}

/** Stores a theme choice and applies it at once. */
export function setTheme(preferences: Collection<UiPreferenceRow, string>, theme: ThemeChoice): void {
  applyTheme(theme);
  putPreference(preferences, THEME_KEY, theme);
}
