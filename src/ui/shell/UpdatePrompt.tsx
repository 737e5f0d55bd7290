/**
 * "A new version of Quire is ready": shown when a new service worker is waiting. Non-blocking: the user
 * keeps working and reloads when they choose. Reload never cuts off an edit: it first waits until every
 * change is acknowledged by the store (and says so while it waits).
 */
import { useEffect, useState } from 'react';
import type { SaveStatus } from '../../core/manager/SaveStatus.ts';
import { serviceWorkerUpdates } from './serviceWorkerUpdates.ts';
import { whenSaved } from './whenSaved.ts';
import './notices.css';

export function UpdatePrompt({ status }: { status: SaveStatus | null }) {
  const [waiting, setWaiting] = useState(serviceWorkerUpdates.isWaiting);
  const [phase, setPhase] = useState<'asking' | 'saving' | 'dismissed'>('asking');
  useEffect(() => serviceWorkerUpdates.subscribe(setWaiting), []);
  if (!waiting || phase === 'dismissed') return null;

  const reload = () => {
    setPhase('saving');
    void (status ? whenSaved(status) : Promise.resolve()).then(() => serviceWorkerUpdates.activateAndReload());
  };
  return (
    <div className="notice notice--update" role="region" aria-label="Update">
      <p role="status">
        {phase === 'saving' ? 'Saving your last changes before the reload…' : 'A new version of Quire is ready.'}
      </p>
      <div className="notice-actions">
        <button type="button" className="primary" onClick={reload} disabled={phase === 'saving'}>
          Reload
        </button>
        {phase === 'asking' && (
          <button type="button" onClick={() => setPhase('dismissed')}>
            Later
          </button>
        )}
      </div>
    </div>
  );
}
