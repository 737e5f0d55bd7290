import { useEffect, useState } from 'react';
import type { SaveState, SaveStatus, StatusSnapshot } from '../core/manager/SaveStatus.ts';
import { describeError } from './describeError.ts';

interface Shown {
  state: SaveState;
  text: string;
}

function shown(snap: StatusSnapshot): Shown {
  const failing = snap.layers.find((l) => l.error)?.error ?? null;
  return { state: snap.state, text: failing ? describeError(failing) : snap.pending > 0 ? 'Saving…' : 'Saved on this device' };
}

/** Tells the truth: "Saving…" while any change is unacknowledged, "Saved on this device" when none is. */
export function SaveStatusIndicator({ status }: { status: SaveStatus }) {
  const [view, setView] = useState<Shown>(() => shown(status.snapshot()));
  useEffect(() => {
    // The status changes on every keystroke (pending counts); re-render only when what is shown changes.
    const update = (snap: StatusSnapshot) => {
      const next = shown(snap);
      setView((prev) => (prev.state === next.state && prev.text === next.text ? prev : next));
    };
    update(status.snapshot());
    return status.subscribe(update);
  }, [status]);
  return (
    <p role="status" aria-label="Save status" className={`save-status save-status--${view.state}`}>
      {view.text}
    </p>
  );
}
