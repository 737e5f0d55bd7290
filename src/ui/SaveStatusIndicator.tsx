import { useEffect, useState } from 'react';
import type { SaveStatus, StatusSnapshot } from '../core/manager/SaveStatus.ts';
import { describeError } from './describeError.ts';

/** Tells the truth: "Saving…" while any change is unacknowledged, "Saved on this device" when none is. */
export function SaveStatusIndicator({ status }: { status: SaveStatus }) {
  const [snap, setSnap] = useState<StatusSnapshot>(() => status.snapshot());
  useEffect(() => {
    setSnap(status.snapshot());
    return status.subscribe(setSnap);
  }, [status]);
  const failing = snap.layers.find((l) => l.error)?.error ?? null;
  const text = failing ? describeError(failing) : snap.pending > 0 ? 'Saving…' : 'Saved on this device';
  return (
    <p role="status" aria-label="Save status" className={`save-status save-status--${snap.state}`}>
      {text}
    </p>
  );
}
