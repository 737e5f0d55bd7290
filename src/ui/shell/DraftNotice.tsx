/**
 * The draft mailbox at work for the open page: keeps its entry in step with the save state, reviews it
 * when the page opens and whenever the page changes (another tab or device), and when a draft holds
 * changes the page does not have, offers "Restore draft" (a CRDT merge, nothing is overwritten) or
 * "Discard draft".
 */
import { useEffect, useState } from 'react';
import type { DraftMailbox, DraftRow } from '../../collections/index.ts';
import type { DomainEventSink } from '../../core/events/DomainEvent.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { describeError } from '../common/describeError.ts';
import { usePageHandle } from '../page/pageHandles.ts';
import './notices.css';

/** A burst of remote changes is reviewed once, this long after it ends. */
const REVIEW_DEBOUNCE_MS = 300;

export function DraftNotice({ mailbox, space, pageId, events }: { mailbox: DraftMailbox; space: SpaceHandle; pageId: string; events: DomainEventSink }) {
  const page = usePageHandle(space, pageId);
  const [draft, setDraft] = useState<DraftRow | null>(null);
  const [error, setError] = useState<string | null>(null);
  const doc = page.status === 'open' ? page.handle.doc : null;

  useEffect(() => {
    if (!doc) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const review = () => {
      void mailbox.review(pageId, doc).then((r) => live && setDraft(r === 'ahead' ? (mailbox.get(pageId) ?? null) : null));
    };
    review();
    const stopKeeping = mailbox.keep(space, pageId, doc, () => {
      try {
        events.publish({ type: 'document-changed', spaceId: space.id, pageId });
      } catch {
        // Announcing is best effort (the channel may be closed while the tab goes away).
      }
    });
    // Changes from another tab or device can make the draft "older than the store". Reviewing is a map
    // lookup when there is no entry, so local typing costs nothing worth avoiding.
    const onUpdate = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(review, REVIEW_DEBOUNCE_MS);
    };
    doc.on('update', onUpdate);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      doc.off('update', onUpdate);
      stopKeeping();
    };
  }, [mailbox, space, pageId, doc, events]);

  if (!draft || !doc) return null;
  const when = new Date(draft.updatedAtMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <div className="draft-notice" role="region" aria-label="Unsaved draft">
      <p>
        A draft of this page from {when} was never saved{draft.text ? <>: “{draft.text}”</> : '.'}
      </p>
      {error && <p role="alert">{error}</p>}
      <div className="notice-actions">
        <button
          type="button"
          className="primary"
          onClick={() =>
            void mailbox.restore(space, pageId, doc).then(
              () => setDraft(null),
              (e: unknown) => setError(describeError(e instanceof Error ? e : new Error(String(e)))),
            )
          }
        >
          Restore draft
        </button>
        <button type="button" onClick={() => void mailbox.discard(pageId).then(() => setDraft(null))}>
          Discard draft
        </button>
      </div>
    </div>
  );
}
