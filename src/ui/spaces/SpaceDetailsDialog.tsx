import { useId, useState, type FormEvent } from 'react';
import { describeError } from '../common/describeError.ts';

/** At most this many characters in a space icon: one emoji (with its joiners and modifiers) or two letters. */
const MAX_ICON_LENGTH = 8;

export interface SpaceDetails {
  name: string;
  icon: string | null;
}

/**
 * The space's name and optional icon: "New space" (button "Create") and "Rename space" (button "Save").
 * The dialog closes only once `onSubmit` resolved (the change is durable); a failure is shown in it.
 */
export function SpaceDetailsDialog({
  title,
  submitLabel,
  initial = { name: '', icon: null },
  onSubmit,
  onCancel,
}: {
  title: string;
  submitLabel: string;
  initial?: SpaceDetails;
  onSubmit: (details: SpaceDetails) => Promise<void>;
  onCancel: () => void;
}) {
  const [name, setName] = useState(initial.name);
  const [icon, setIcon] = useState(initial.icon ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return setError('Give the space a name.');
    setBusy(true);
    onSubmit({ name: trimmed, icon: icon.trim() || null }).then(onCancel, (err: unknown) => {
      setBusy(false);
      setError(describeError(err instanceof Error ? err : new Error(String(err))));
    });
  };
  return (
    <div className="dialog-backdrop">
      <form role="dialog" aria-modal="true" aria-labelledby={titleId} className="dialog" onSubmit={submit} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
        <h2 id={titleId}>{title}</h2>
        <label>
          Space name
          <input autoFocus value={name} onChange={(e) => setName(e.target.value)} aria-label="Space name" />
        </label>
        <label>
          Icon <span className="dialog-hint">(optional: an emoji or a letter)</span>
          <input
            value={icon}
            maxLength={MAX_ICON_LENGTH}
            onChange={(e) => setIcon(e.target.value)}
            aria-label="Space icon"
            className="dialog-icon-input"
          />
        </label>
        {error && <p role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {submitLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
