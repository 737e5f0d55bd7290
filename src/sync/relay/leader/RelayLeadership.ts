/**
 * One relay connection per relay URL per browser profile (issue 4, decision 0012): of the tabs that sync
 * through relay `url`, only the one holding the lock `quire:relay-leader:<url>` (LeaderElection) attaches
 * RelayLayers, so only it opens a WebSocket. The other tabs ("followers") attach nothing and rely on what
 * the cross-tab channel (TabChannelLayer) already does for every open document:
 *
 * - a follower's edit is posted to the other tabs; in the leader's copy of the document it arrives from a
 *   same-origin layer, and DocSync hands such updates to every two-way layer except the one it came from,
 *   so the leader's relay layer sends it (and the leader does not store it twice: the follower did);
 * - a relay update applied in the leader's copy is posted to the followers the same way.
 *
 * That only works for documents the leader has open (the tab layer drops updates of documents a tab does
 * not have open). So every follower announces, per space, the pages it has open ('pages', RelayLeaderMessage)
 * and the leader holds those pages open (PageHandles) for as long as that follower shows them; a space the
 * leader does not show is opened through `openSpace`. Opening a page follows it through the tab channel
 * (the follower answers with what the leader lacks) and through the relay, so an edit typed before the
 * leader caught up is not lost: it arrives with that exchange.
 *
 * Status: the leader broadcasts its layer's RelaySyncStatus per space on every change; a follower shows
 * the last one it heard ("Sync status" stays truthful in every tab: it is the status of the one connection).
 *
 * Handover: the leader's tab dies or closes -> the browser releases its lock -> the next queued tab is
 * granted it, attaches RelayLayers to the spaces it has open, and says 'hello'; followers re-announce their
 * pages. A follower that dies is noticed through its lifetime tab lock (TabPresence), and what the leader
 * held for it is released.
 *
 * What only a relay layer can do is asked of the leader over the same channel: a follower's presence on a
 * page goes through the leader's PresenceHub of that page (FollowerPresence on the follower's side), an
 * owner command is run by the leader (LeaderRequests), and "Stop syncing" in a follower makes the leader
 * detach its relay layer ('stop').
 */
import { ErrorCode, PersistenceError } from '../../../core/errors.ts';
import type { SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import type { RelayLayer } from '../RelayLayer.ts';
import type { RelayAttachment, RelayLeadershipOptions } from './RelayAttachment.ts';
import { SharedRelay } from './SharedRelay.ts';

export type { RelayAttachment, RelayLeadershipOptions } from './RelayAttachment.ts';
export { ANNOUNCE_MS } from './SharedRelay.ts';

/**
 * How long a space being opened waits to learn whether this tab leads its relay: 150 ms. A free lock is
 * granted within a task or two, so this delays an open only when another tab already leads (the space
 * then opens without a relay layer, unless it has no local copy: see `layerAtOpen`).
 */
export const ELECTION_SETTLE_MS = 150;

/** Every relay URL this tab syncs with: one election and one channel per URL. */
export class RelayLeadership {
  private readonly relays = new Map<string, SharedRelay>();
  private closed = false;

  constructor(private readonly opts: RelayLeadershipOptions) {}

  /**
   * Syncs `handle` through relay `url` from this tab: now if this tab leads that relay, else through the
   * leader (and from this tab as soon as it becomes leader). `makeLayer` creates the space's RelayLayer
   * (called only in the leading tab); `onChange` is told of every status or layer change; `onStopped` when
   * a follower tab stopped syncing the space and this (leading) tab detached it on its word.
   */
  attach(handle: SpaceHandle, url: string, makeLayer: () => RelayLayer, onChange: () => void, opened: RelayLayer | null = null, onStopped?: () => void): RelayAttachment {
    return this.relay(url).attach(handle, makeLayer, onChange, opened, onStopped);
  }

  /**
   * For a space being opened (a layer factory): the relay layer it should open with, or null. A layer when
   * this tab leads `url`, so the relay is a load source like before; also when the space has no local copy
   * (joined from an invite, or wiped): only the relay has it, and a space cannot open empty. Such a
   * bootstrap layer in a follower tab is a second socket for a moment: it is removed once the space
   * document is in sync (see `attach`'s `opened`).
   */
  async layerAtOpen(url: string, hasLocalCopy: boolean, makeLayer: () => RelayLayer): Promise<RelayLayer | null> {
    const leads = await this.relay(url).leadsWithin(ELECTION_SETTLE_MS);
    return leads || !hasLocalCopy ? makeLayer() : null;
  }

  private relay(url: string): SharedRelay {
    if (this.closed) throw new PersistenceError(ErrorCode.Closed, 'relay leadership is closed');
    let relay = this.relays.get(url);
    if (!relay) this.relays.set(url, (relay = new SharedRelay(url, this.opts)));
    return relay;
  }

  /** Whether this tab holds the connection to `url` (tests, diagnostics). */
  isLeading(url: string): boolean {
    return this.relays.get(url)?.leading ?? false;
  }

  /** The tab is closing: gives up every relay (the next tab takes over) and releases held pages. */
  close(): void {
    this.closed = true;
    for (const r of this.relays.values()) r.close();
    this.relays.clear();
  }
}
