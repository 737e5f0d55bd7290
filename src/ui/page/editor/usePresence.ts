import { useEffect, useState } from 'react';
import { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { caretUser } from './caretColours.ts';

/** Where a page's awareness travels: the relay layer of a synced space (attachAwareness returns the detach). */
export interface PresenceSource {
  readonly name: string;
  attach(pageId: string, awareness: Awareness): () => void;
}

/**
 * The last awareness clock this tab used per page document. A new Awareness on the same document has the
 * same client id (the document's) and would restart its clock at 0; the relay and the other devices
 * ignore states whose clock is not above the one they know, so after a re-attach (the tab's relay role or
 * the user's name changed) this device's caret would stay invisible until the clock caught up.
 */
const lastClock = new WeakMap<Y.Doc, number>();

/** A fresh Awareness for `doc` whose clock continues from the previous one's (see `retireAwareness`). */
export function awarenessFor(doc: Y.Doc): Awareness {
  const awareness = new Awareness(doc);
  const previous = lastClock.get(doc);
  if (previous !== undefined) {
    awareness.meta.set(awareness.clientID, { clock: previous + 1, lastUpdated: Date.now() });
    awareness.setLocalState({}); // sent with the continued clock
  }
  return awareness;
}

/**
 * One Awareness per open page of a synced space, attached to the relay while the page is shown and
 * destroyed after (so this device's cursor disappears from the others). Memory only.
 */
export function usePresence(source: PresenceSource | null, doc: Y.Doc | null, pageId: string) {
  const [presence, setPresence] = useState<{ awareness: Awareness; user: { name: string; colour: number } } | null>(null);
  useEffect(() => {
    if (!source || !doc) return setPresence(null);
    const awareness = awarenessFor(doc);
    const user = caretUser(source.name, awareness.clientID);
    const detach = source.attach(pageId, awareness);
    setPresence({ awareness, user });
    return () => {
      detach();
      retireAwareness(doc, awareness);
      setPresence(null);
    };
  }, [source, doc, pageId]);
  return presence;
}

/** Destroys an Awareness made by `awarenessFor`, remembering its clock for the next one of `doc`. */
export function retireAwareness(doc: Y.Doc, awareness: Awareness): void {
  awareness.destroy(); // announces "left" with one more tick of the clock
  lastClock.set(doc, awareness.meta.get(awareness.clientID)?.clock ?? 0);
}
