import { useSyncExternalStore } from 'react';
import type { SpaceSharing, SpaceSyncView } from '../../app/index.ts';
import { describeStopReason } from '../shell/describeStopReason.ts';
import './sharing.css';

const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function lastSynced(at: number | null): string {
  return at === null ? 'not synced yet' : `last synced ${TIME.format(at)}`;
}

function changes(n: number): string {
  return n === 1 ? '1 change not on the relay yet' : `${n} changes not on the relay yet`;
}

/** The words of the sync status. "Synced" only when the relay stored every local change (its ack). */
export function describeSync(view: SpaceSyncView): { state: string; text: string } {
  const s = view.status;
  if (!view.settings || !s) return { state: 'off', text: 'Only on this device' };
  switch (s.state) {
    case 'synced':
      return { state: 'synced', text: s.lastSyncedAt === null ? 'Synced' : `Synced · ${TIME.format(s.lastSyncedAt)}` };
    case 'offline':
      return { state: 'offline', text: `Offline${s.unstored > 0 ? ` · ${changes(s.unstored)}` : ''} · ${lastSynced(s.lastSyncedAt)}` };
    case 'stopped':
      return { state: 'stopped', text: `Sync stopped: ${describeStopReason(s.reason)} Your edits stay on this device.` };
    case 'connecting':
      return { state: 'syncing', text: `Connecting to the relay…${s.unstored > 0 ? ` ${changes(s.unstored)}` : ''}` };
    default:
      return { state: 'syncing', text: s.unstored > 0 ? `Syncing · ${changes(s.unstored)}` : 'Syncing…' };
  }
}

/** The per-space "Sync status": what the relay has stored, or why it has not. */
export function SyncStatusIndicator({ sharing, spaceId }: { sharing: SpaceSharing; spaceId: string }) {
  const text = useSyncExternalStore(
    (onChange) => sharing.subscribe(spaceId, onChange),
    () => {
      const d = describeSync(sharing.view(spaceId));
      return `${d.state}|${d.text}`;
    },
  );
  const [state, shown] = text.split('|') as [string, string];
  return (
    <p role="status" aria-label="Sync status" className={`sync-status sync-status--${state}`}>
      {shown}
    </p>
  );
}
