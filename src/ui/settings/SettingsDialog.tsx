/**
 * The "Settings" dialog: the theme (stored in the uiPreferences collection, see theme.ts) and Storage:
 * whether the browser keeps this origin's data for sure (navigator.storage.persisted), a way to ask for
 * it (persist() needs a user gesture, so it is a button), and how much the origin uses and may use.
 */
import { useEffect, useId, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { Collection } from '@tanstack/react-db';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { UiPreferenceRow } from '../../collections/index.ts';
import { measureSpaceStorage, type SpaceStorage } from '../../app/index.ts';
import { describeError } from '../common/describeError.ts';
import { formatBytes } from '../common/formatBytes.ts';
import { setTheme, type ThemeChoice } from '../shell/theme.ts';
import '../shell/workspaceTools.css';

const THEMES: { value: ThemeChoice; label: string }[] = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'system', label: 'Follow the system' },
];

type Persisted = 'unknown' | 'unsupported' | 'granted' | 'not-granted' | 'denied';

function useStorageInfo() {
  const [persisted, setPersisted] = useState<Persisted>('unknown');
  const [estimate, setEstimate] = useState<{ usage: number; quota: number } | 'unsupported' | null>(null);
  useEffect(() => {
    let live = true;
    const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
    if (!storage?.persisted) setPersisted('unsupported');
    else
      storage.persisted().then(
        (p) => live && setPersisted(p ? 'granted' : 'not-granted'),
        () => live && setPersisted('unsupported'),
      );
    if (!storage?.estimate) setEstimate('unsupported');
    else
      storage.estimate().then(
        (e) => live && setEstimate({ usage: e.usage ?? 0, quota: e.quota ?? 0 }),
        () => live && setEstimate('unsupported'),
      );
    return () => {
      live = false;
    };
  }, []);
  const askToPersist = async () => {
    try {
      const granted = await navigator.storage.persist();
      setPersisted(granted ? 'granted' : 'denied');
    } catch {
      setPersisted('denied');
    }
  };
  return { persisted, estimate, askToPersist };
}

/** The current space's own bytes in the page store, measured when asked (it reads every stored row). */
function SpaceUsage({ space }: { space: SpaceHandle }) {
  const [state, setState] = useState<{ status: 'idle' | 'measuring' } | { status: 'done'; usage: SpaceStorage } | { status: 'failed'; error: string }>({
    status: 'idle',
  });
  const name = space.space.meta().name;
  const measure = () => {
    if (state.status === 'measuring') return;
    setState({ status: 'measuring' });
    measureSpaceStorage(space.id).then(
      (usage) => setState({ status: 'done', usage }),
      (e: unknown) => setState({ status: 'failed', error: describeError(e instanceof Error ? e : new Error(String(e))) }),
    );
  };
  return (
    <div className="settings-space-usage">
      {state.status === 'done' ? (
        <p role="status" aria-label="Space storage">
          “{name}” takes {formatBytes(state.usage.bytes)} in {state.usage.documents} document{state.usage.documents === 1 ? '' : 's'} (its pages and
          page tree; the sidebar index and settings are shared by all spaces).
        </p>
      ) : state.status === 'failed' ? (
        <p role="alert">{state.error}</p>
      ) : null}
      {/* Not disabled while measuring: a disabled button drops the focus out of the dialog. */}
      <button type="button" className="settings-button" onClick={measure} aria-busy={state.status === 'measuring'}>
        {state.status === 'measuring' ? 'Measuring…' : `Measure “${name}”`}
      </button>
    </div>
  );
}

/** Keeps Tab and Shift+Tab inside the dialog (it is modal). */
function trapTab(e: ReactKeyboardEvent<HTMLElement>): void {
  const focusable = [...e.currentTarget.querySelectorAll<HTMLElement>('button, input:checked, input:not([type="radio"]), [tabindex="0"]')].filter(
    (el) => !el.hasAttribute('disabled'),
  );
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  if (e.shiftKey && document.activeElement === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && document.activeElement === last) {
    e.preventDefault();
    first.focus();
  }
}

export function SettingsDialog({
  preferences,
  theme,
  space,
  onClose,
}: {
  preferences: Collection<UiPreferenceRow, string>;
  theme: ThemeChoice;
  /** The open space, whose own usage can be measured. */
  space: SpaceHandle | null;
  onClose: () => void;
}) {
  const titleId = useId();
  const themeId = useId();
  const storageId = useId();
  const { persisted, estimate, askToPersist } = useStorageInfo();

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        className="dialog settings"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Tab') trapTab(e);
        }}
      >
        <div className="settings-header">
          <h2 id={titleId}>Settings</h2>
          <button type="button" className="settings-close" onClick={onClose}>
            Close
          </button>
        </div>

        <section className="settings-section" aria-labelledby={themeId}>
          <h3 id={themeId}>Theme</h3>
          <div role="radiogroup" aria-labelledby={themeId} className="settings-choices">
            {THEMES.map((t, i) => (
              <label key={t.value} className="settings-choice">
                <input
                  type="radio"
                  name="theme"
                  value={t.value}
                  checked={theme === t.value}
                  autoFocus={theme === t.value || (i === 0 && !THEMES.some((x) => x.value === theme))}
                  onChange={() => setTheme(preferences, t.value)}
                />
                <span>{t.label}</span>
              </label>
            ))}
          </div>
        </section>

        <section className="settings-section" aria-labelledby={storageId}>
          <h3 id={storageId}>Storage</h3>
          <p className="settings-usage">
            {estimate === null
              ? 'Measuring the space Quire uses…'
              : estimate === 'unsupported'
                ? 'This browser does not say how much space Quire uses.'
                : `Quire uses ${formatBytes(estimate.usage)} of ${formatBytes(estimate.quota)} available to it in this browser.`}
          </p>
          {space && <SpaceUsage key={space.id} space={space} />}
          <p className="settings-persisted">
            {persisted === 'unknown'
              ? 'Checking whether the browser keeps your data…'
              : persisted === 'unsupported'
                ? 'This browser cannot promise to keep your data: it may clear it when the device runs low on space.'
                : persisted === 'granted'
                  ? 'Kept on this device: the browser will not clear your pages to free up space. Only you can delete them (for example by clearing site data).'
                  : 'Not protected yet: the browser may clear your pages when the device runs low on space.'}
          </p>
          {(persisted === 'not-granted' || persisted === 'denied') && (
            <button type="button" className="settings-button" onClick={() => void askToPersist()}>
              Keep data on this device
            </button>
          )}
          {persisted === 'denied' && (
            <p role="alert" className="settings-note">
              The browser said no. Your pages are still saved on this device, but the browser may delete them if the device runs low on
              storage. Browsers agree more readily once Quire is installed as an app or used often. Export is not available yet; once it
              is, export your spaces regularly so you always have a copy.
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
