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
 * One Awareness per open page of a synced space, attached to the relay while the page is shown and
 * destroyed after (so this device's cursor disappears from the others at once). Memory only.
 */
export function usePresence(source: PresenceSource | null, doc: Y.Doc | null, pageId: string) {
  const [presence, setPresence] = useState<{ awareness: Awareness; user: { name: string; colour: number } } | null>(null);
  useEffect(() => {
    if (!source || !doc) return setPresence(null);
    const awareness = new Awareness(doc);
    const user = caretUser(source.name, awareness.clientID);
    const detach = source.attach(pageId, awareness);
    setPresence({ awareness, user });
    return () => {
      detach();
      awareness.destroy();
      setPresence(null);
    };
  }, [source, doc, pageId]);
  return presence;
}
