import { useCallback, useEffect, useId, useReducer, useState, type FormEvent, type ReactNode } from 'react';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import type { SpaceSharing, SpaceSyncView } from '../../app/index.ts';
import { describeError } from '../common/describeError.ts';
import { describeStopReason } from '../shell/describeStopReason.ts';
import { SyncStopReason } from '../../protocol/closeReason.ts';
import { MembersSection } from './MembersSection.tsx';

/** Choices of the invite's expiry; null = never. */
const EXPIRY_CHOICES: readonly { label: string; ms: number | null }[] = [
  { label: 'Never', ms: null },
  { label: '1 hour', ms: 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
  { label: '7 days', ms: 7 * 86_400_000 },
];

/** The relay `npm start` runs next to the app: same host, port 4444 (docs/relay.md). */
export function defaultRelayUrl(): string {
  return `ws://${window.location.hostname || '127.0.0.1'}:4444`;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * "Share": start syncing a space through a relay (owner), create invite links for a role, stop syncing.
 * Everything stays on this device whatever is chosen here.
 */
export function ShareDialog({
  spaceName,
  view,
  onStart,
  onStop,
  onCreateInvite,
  onClose,
  members,
}: {
  spaceName: string;
  view: SpaceSyncView;
  /** `accessCode`: the relay operator's code for registering new spaces, if the relay asks for one ('' = none). */
  onStart: (relayUrl: string, name: string, accessCode: string) => Promise<void>;
  onStop: () => Promise<void>;
  onCreateInvite: (role: 'editor' | 'viewer', expiresAt: number | null) => Promise<string>;
  onClose: () => void;
  /** The owner's members and invites (MembersSection). */
  members?: ReactNode;
}) {
  const titleId = useId();
  const [relayUrl, setRelayUrl] = useState(view.settings?.relayUrl ?? defaultRelayUrl());
  const [name, setName] = useState(view.settings?.name || 'Owner');
  const [accessCode, setAccessCode] = useState(view.settings?.accessCode ?? '');
  const [role, setRole] = useState<'editor' | 'viewer'>('editor');
  const [expiry, setExpiry] = useState(0);
  const [link, setLink] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const syncing = view.settings !== null;
  const owner = view.settings?.role === 'owner';
  // The relay accepts new spaces only with its operator's access code: the owner enters it and starts again.
  const registrationClosed = owner && view.status?.state === 'stopped' && view.status.reason === SyncStopReason.RegistrationClosed;

  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work().then(
      () => setBusy(false),
      (e: unknown) => {
        setBusy(false);
        setError(describeError(asError(e)));
      },
    );
  };
  const start = (e: FormEvent) => {
    e.preventDefault();
    run(() => onStart(relayUrl, name.trim() || 'Owner', accessCode));
  };
  const retry = (e: FormEvent) => {
    e.preventDefault();
    const settings = view.settings;
    if (!settings) return;
    run(async () => {
      await onStop();
      await onStart(settings.relayUrl, settings.name || 'Owner', accessCode);
    });
  };
  const accessCodeField = (
    <label>
      Relay access code <span className="dialog-hint">(only if the relay’s operator gave you one)</span>
      <input value={accessCode} onChange={(e) => setAccessCode(e.target.value)} aria-label="Relay access code" autoComplete="off" spellCheck={false} />
    </label>
  );
  const invite = () =>
    run(async () => {
      const ms = EXPIRY_CHOICES[expiry]?.ms ?? null;
      setLink(await onCreateInvite(role, ms === null ? null : Date.now() + ms));
    });

  return (
    <div className="dialog-backdrop">
      <div role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog share-dialog" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
        <h2 id={titleId}>Share “{spaceName}”</h2>
        {!syncing ? (
          <form onSubmit={start}>
            <p className="dialog-hint">
              Syncing copies this space to a relay so your other devices and the people you invite get it. It stays on this device as
              it is; stopping sync later keeps everything here.
            </p>
            <label>
              Relay URL
              <input value={relayUrl} onChange={(e) => setRelayUrl(e.target.value)} aria-label="Relay URL" autoFocus spellCheck={false} />
            </label>
            <label>
              Your name <span className="dialog-hint">(shown next to your cursor)</span>
              <input value={name} onChange={(e) => setName(e.target.value)} aria-label="Your name" maxLength={40} />
            </label>
            {accessCodeField}
            <div className="dialog-actions">
              <button type="button" onClick={onClose}>
                Close
              </button>
              <button type="submit" className="primary" disabled={busy}>
                Start syncing
              </button>
            </div>
          </form>
        ) : (
          <>
            <p>
              Syncing through <code>{view.settings?.relayUrl}</code> as {view.settings?.role}.
            </p>
            {registrationClosed && (
              <form onSubmit={retry} className="share-access-code">
                <p>The relay did not take this space: {describeStopReason(SyncStopReason.RegistrationClosed)}</p>
                {accessCodeField}
                <button type="submit" disabled={busy}>
                  Start syncing with this code
                </button>
              </form>
            )}
            {owner && (
              <fieldset className="share-invite">
                <legend>Invite someone</legend>
                <div role="radiogroup" aria-label="Role" className="share-roles">
                  {(['editor', 'viewer'] as const).map((r) => (
                    <label key={r}>
                      <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
                      {r === 'editor' ? 'Editor' : 'Viewer'}
                    </label>
                  ))}
                </div>
                <label>
                  Expires
                  <select aria-label="Expires" value={expiry} onChange={(e) => setExpiry(Number(e.target.value))}>
                    {EXPIRY_CHOICES.map((c, i) => (
                      <option key={c.label} value={i}>
                        {c.label}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="button" onClick={invite} disabled={busy}>
                  Create invite link
                </button>
                {link && (
                  <label>
                    Invite link <span className="dialog-hint">(anyone with it gets this role; the secret part never reaches a server)</span>
                    <input readOnly value={link} aria-label="Invite link" onFocus={(e) => e.currentTarget.select()} />
                  </label>
                )}
              </fieldset>
            )}
            {owner && members}
            <div className="dialog-actions">
              <button type="button" onClick={() => run(onStop)} disabled={busy}>
                Stop syncing
              </button>
              <button type="button" className="primary" onClick={onClose}>
                Done
              </button>
            </div>
          </>
        )}
        {error && <p role="alert">{error}</p>}
      </div>
    </div>
  );
}

/** The dialog for one open space, re-read whenever its sync settings or status change. */
export function ShareDialogFor({ sharing, handle, onClose }: { sharing: SpaceSharing; handle: SpaceHandle; onClose: () => void }) {
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(() => sharing.subscribe(handle.id, bump), [sharing, handle.id]);
  const [invites, invited] = useReducer((n: number) => n + 1, 0);
  const listMembers = useCallback((cursor?: string | null) => sharing.members(handle.id, cursor), [sharing, handle]);
  const loadLocal = useCallback(() => sharing.localAccess(handle), [sharing, handle]);
  const view = sharing.view(handle.id);
  return (
    <ShareDialog
      spaceName={handle.space.meta().name}
      view={view}
      onStart={(url, name, accessCode) => sharing.startSyncing(handle, url, name, accessCode)}
      onStop={() => sharing.stopSyncing(handle)}
      onCreateInvite={(role, expiresAt) => sharing.createInviteLink(handle, role, expiresAt, `${window.location.origin}${window.location.pathname}`).finally(invited)}
      onClose={onClose}
      members={<MembersSection selfMemberId={view.settings?.memberId ?? ''} refreshKey={invites} listMembers={listMembers} loadLocal={loadLocal} revoke={(what) => sharing.revoke(handle, what)} />}
    />
  );
}
