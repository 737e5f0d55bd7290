/**
 * Shown when this tab stopped writing because another tab, running a newer Quire, upgraded (or deleted)
 * the local database. The workspace behind it is inert (nothing can be typed); the edits made before are
 * being written to their page stores, and Reload waits for them.
 */
import { useEffect, useState } from 'react';
import type { LocalWorkspace } from '../../app/index.ts';
import type { DatabaseSignal } from '../../app/index.ts';
import { whenSaved } from './whenSaved.ts';
import './notices.css';

/** Why the workspace stopped writing, or null; re-renders the caller when it stops. */
export function useStopped(workspace: LocalWorkspace): DatabaseSignal | null {
  const [stopped, setStopped] = useState(workspace.stopped);
  useEffect(() => {
    setStopped(workspace.stopped);
    // The workspace subscribed first (it was constructed before this hook ran), so it has already stopped
    // when this listener hears the signal.
    return workspace.db.signals.subscribe(() => setStopped(workspace.stopped));
  }, [workspace]);
  return stopped;
}

export function StoppedNotice({ workspace, signal }: { workspace: LocalWorkspace; signal: DatabaseSignal }) {
  const [saving, setSaving] = useState(false);
  return (
    <div className="notice notice--stopped" role="alertdialog" aria-modal="false" aria-label="Quire was updated">
      <p role="alert">
        {signal.newVersion === null
          ? 'The local data of Quire was deleted in another tab. This tab stopped saving.'
          : 'Quire was updated in another tab. This tab stopped saving so the new version is the only one writing.'}{' '}
        Your changes made before are kept. Reload to continue.
      </p>
      <div className="notice-actions">
        <button
          type="button"
          className="primary"
          autoFocus
          disabled={saving}
          onClick={() => {
            setSaving(true);
            void whenSaved(workspace.status).then(() => window.location.reload());
          }}
        >
          Reload
        </button>
      </div>
    </div>
  );
}
