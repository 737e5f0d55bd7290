import { useId, useState } from 'react';
import { describeError } from './describeError.ts';
import '../tree/pageActions.css';

/**
 * An irreversible action's confirmation (role alertdialog): Cancel has the focus, the danger button runs
 * `onConfirm`, and the dialog stays open with the error if it fails (nothing was lost; the user can retry).
 */
export function ConfirmDialog({
  title,
  text,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  title: string;
  text: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onCancel: () => void;
}) {
  const titleId = useId();
  const textId = useId();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="dialog-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={textId}
        className="dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onCancel();
          }
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <p id={textId} className="confirm-text">
          {text}
        </p>
        {error && <p role="alert">{error}</p>}
        <div className="dialog-actions">
          <button type="button" autoFocus onClick={onCancel}>
            Cancel
          </button>
          <button
            type="button"
            className="dialog-danger"
            disabled={busy}
            onClick={() => {
              setBusy(true);
              onConfirm().catch((e: unknown) => {
                setBusy(false);
                setError(describeError(e instanceof Error ? e : new Error(String(e))));
              });
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
