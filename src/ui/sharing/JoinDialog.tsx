import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../common/describeError.ts';

/**
 * Opening an invite link (`#/join/…`): names the space and the role, asks for a display name, and joins.
 * Joining stores the invite on this device only; the space then loads from the relay.
 */
export function JoinDialog({
  spaceName,
  role,
  relayUrl,
  onJoin,
  onCancel,
}: {
  spaceName: string;
  role: string;
  relayUrl: string;
  onJoin: (name: string) => Promise<void>;
  onCancel: () => void;
}) {
  const titleId = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    onJoin(name.trim() || 'Guest').catch((err: unknown) => {
      setBusy(false);
      setError(describeError(err instanceof Error ? err : new Error(String(err))));
    });
  };
  return (
    <div className="dialog-backdrop">
      <form role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id={titleId}>Join “{spaceName}”</h2>
        <p>
          You are invited as {role === 'viewer' ? 'a viewer: you can read this space but not change it' : 'an editor'}. It syncs through{' '}
          <code>{relayUrl}</code>.
        </p>
        <label>
          Your name <span className="dialog-hint">(shown next to your cursor)</span>
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} aria-label="Your name" maxLength={40} />
        </label>
        {error && <p role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Join space
          </button>
        </div>
      </form>
    </div>
  );
}
