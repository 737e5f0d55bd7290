/**
 * A follower tab's presence (Yjs awareness) on pages of synced spaces: it has no relay layer, so each
 * editor's own state goes to the leader ('awareness' messages, RelayLeaderMessage.ts), which puts it in
 * the page's PresenceHub, and the other devices' states the leader sends back are applied to the editors
 * showing that page. Memory only.
 */
import { applyAwarenessUpdate, encodeAwarenessUpdate, type Awareness } from 'y-protocols/awareness';
import { Listeners } from '../../../core/Listeners.ts';

/** The origin of states applied from the leader, so they are not sent back to it. */
const FROM_LEADER = Symbol('relay leader');

export class FollowerPresence {
  /** Per `spaceId\npageId`, the editors' awarenesses showing that page in this tab. */
  private readonly shown = new Map<string, Set<Awareness>>();
  /** Each attached editor's full send, repeated for a new leader. */
  private readonly resends = new Listeners<void>();

  constructor(
    private readonly post: (spaceId: string, pageId: string, update: Uint8Array) => void,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Sends `awareness`'s own state to the leader on every change. Returns the detach (its caret leaves). */
  attach(spaceId: string, pageId: string, awareness: Awareness): () => void {
    const key = `${spaceId}\n${pageId}`;
    let set = this.shown.get(key);
    if (!set) this.shown.set(key, (set = new Set()));
    set.add(awareness);
    const send = () => this.post(spaceId, pageId, encodeAwarenessUpdate(awareness, [awareness.clientID]));
    const onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin !== FROM_LEADER && [...added, ...updated, ...removed].includes(awareness.clientID)) send();
    };
    awareness.on('update', onUpdate);
    const offResend = this.resends.add(send);
    send();
    return () => {
      awareness.off('update', onUpdate);
      offResend();
      if (!set.delete(awareness)) return;
      if (set.size === 0) this.shown.delete(key);
      this.post(spaceId, pageId, encodeAwarenessUpdate(awareness, [awareness.clientID], new Map()));
    };
  }

  /** Other devices' states of a page, from the leader. */
  receive(spaceId: string, pageId: string, update: Uint8Array): void {
    for (const awareness of this.shown.get(`${spaceId}\n${pageId}`) ?? []) {
      try {
        applyAwarenessUpdate(awareness, update, FROM_LEADER);
      } catch (e) {
        this.onError(e); // a malformed update changes nothing
      }
    }
  }

  /** A new leader knows nothing of this tab's editors: tell it again. */
  resend(): void {
    this.resends.emit();
  }
}
