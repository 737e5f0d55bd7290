import { useId, useState, type FormEvent } from 'react';

/** The "New space" dialog: a name, then Create. */
export function NewSpaceDialog({ onCreate, onCancel }: { onCreate: (name: string) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Give the space a name.');
    setBusy(true);
    onCreate(trimmed).then(onCancel, (err: unknown) => {
      setBusy(false);
      setError(err instanceof Error ? err.message : String(err));
    });
  };
  return (
    <div className="dialog-backdrop">
      <form role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id={titleId}>New space</h2>
        <label>
          Space name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} aria-label="Space name" />
        </label>
        {error && <p role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>Cancel</button>
          <button type="submit" disabled={busy}>Create</button>
        </div>
      </form>
    </div>
  );
}
