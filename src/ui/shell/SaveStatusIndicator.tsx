import { useEffect, useState } from 'react';
import { ErrorCode } from '../../core/errors.ts';
import type { SaveState, SaveStatus, StatusSnapshot } from '../../core/manager/SaveStatus.ts';
import { describeError } from '../common/describeError.ts';
import { formatBytes } from '../common/formatBytes.ts';

interface Shown {
  state: SaveState;
  text: string;
  quota: boolean;
}

function shown(snap: StatusSnapshot): Shown {
  // This device's layers only: the relay's progress is the sync status's to tell.
  const failing = snap.layers.find((l) => !l.remote && l.error)?.error ?? null;
  return {
    state: snap.device.state,
    text: failing ? describeError(failing) : snap.device.pending > 0 ? 'Saving…' : 'Saved on this device',
    quota: failing?.code === ErrorCode.QuotaExceeded,
  };
}

/** "Quire uses 12 MB of the 12 MB this browser allows": what the quota error adds, read when it happens. */
function useQuotaUsage(active: boolean): string | null {
  const [usage, setUsage] = useState<string | null>(null);
  useEffect(() => {
    if (!active) return setUsage(null);
    let live = true;
    navigator.storage
      ?.estimate()
      .then((e) => live && e.usage !== undefined && e.quota !== undefined && setUsage(`Quire uses ${formatBytes(e.usage)} of the ${formatBytes(e.quota)} this browser allows it.`))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [active]);
  return usage;
}

/**
 * Tells the truth: "Saving…" while any change is unacknowledged, "Saved on this device" when none is, and
 * when a write fails, why and what to do, with "Retry now" (the retries also run by themselves).
 */
export function SaveStatusIndicator({ status, onRetry }: { status: SaveStatus; onRetry?: () => Promise<void> }) {
  const [view, setView] = useState<Shown>(() => shown(status.snapshot()));
  const [retrying, setRetrying] = useState(false);
  const usage = useQuotaUsage(view.quota);
  useEffect(() => {
    // The status changes on every keystroke (pending counts); re-render only when what is shown changes.
    // An error stays shown, with its "Retry now", until the backlog is saved: on a nearly full disk some
    // writes succeed between failures, and dropping the button on every such success re-created it again
    // and again, so a person's click (and the e2e test's) could land on a button that was just removed.
    const update = (snap: StatusSnapshot) => {
      const next = shown(snap);
      setView((prev) => (prev.state === next.state && prev.text === next.text ? prev : prev.state === 'error' && next.state === 'saving' ? prev : next));
    };
    update(status.snapshot());
    return status.subscribe(update);
  }, [status]);
  return (
    <div className={`save-status-box save-status-box--${view.state}`}>
      <p role="status" aria-label="Save status" className={`save-status save-status--${view.state}`}>
        {view.text}
        {/* Only beside the quota error: `usage` is cleared by an effect, one render after the error went. */}
        {view.quota && usage && ` ${usage}`}
      </p>
      {view.state === 'error' && onRetry && (
        <button
          type="button"
          className="save-status-retry"
          disabled={retrying}
          onClick={() => {
            setRetrying(true);
            void onRetry().finally(() => setRetrying(false));
          }}
        >
          Retry now
        </button>
      )}
    </div>
  );
}
