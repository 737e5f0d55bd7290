/**
 * The contract between a tab's RelayLeadership and what it syncs: the options a tab's leadership is made
 * with, and the attachment of one synced space. In their own module so that RelayLeadership and each of its
 * SharedRelays (one per relay URL) both depend on it, not on each other.
 */
import type { PersistenceError } from '../../../core/errors.ts';
import type { SpaceHandle } from '../../../core/manager/SpaceHandle.ts';
import type { Awareness } from 'y-protocols/awareness';
import type { TabChannelFactory } from '../../tabs/TabChannelLayer.ts';
import type { TabLocks } from '../../tabs/TabLocks.ts';
import type { RelayLayer } from '../RelayLayer.ts';
import type { RelaySyncStatus } from '../RelaySyncStatus.ts';
import type { MemberPage } from '../memberCommands.ts';

export interface RelayLeadershipOptions {
  /** The lock manager of the tab's TabPresence (the same names: a follower's lifetime lock tells it died). */
  locks: TabLocks;
  /** This tab's id (TabPresence.id). */
  tabId: string;
  /**
   * Opens a space this tab does not show because a follower shows it. It must also attach the space
   * (the caller's `attach`, e.g. through SpaceSharing.watch) so the leader's relay layer follows it.
   * Absent: the leader relays only the spaces it has open itself.
   */
  openSpace?: (spaceId: string) => Promise<SpaceHandle>;
  /** Opens the channel between the tabs of one relay (default: a BroadcastChannel). */
  openChannel?: TabChannelFactory;
  announceMs?: number;
  /** Refused messages, pages the leader could not open, a failing lock manager. Nothing is lost by them. */
  onError?: (error: PersistenceError) => void;
}

/** A synced space attached to the tab's relay leadership (one per space and tab). */
export interface RelayAttachment {
  /** This tab's own layer's status when it leads; otherwise the leader's last broadcast. */
  status(): RelaySyncStatus;
  /** The relay layer when this tab leads (owner commands, awareness, background sync), else null. */
  layer(): RelayLayer | null;
  /** Stops syncing the space in this tab (its relay layer, if any, leaves the space); in a follower the
   * leader is told to stop too. */
  detach(): Promise<void>;
  /** Shares an editor's presence on a page with the other devices and shows theirs, in either role.
   * Returns the detach. Call again when `layer()` changes (the role changed). */
  attachAwareness(pageId: string, awareness: Awareness): () => void;
  /** Owner commands, run with this tab's relay layer or, in a follower, by the leader. */
  /** One page of the members (memberCommands.listMembers); `cursor` is the previous page's `next`. */
  listMembers(cursor?: string | null): Promise<MemberPage>;
  revoke(what: { memberId: string } | { inviteId: string }): Promise<void>;
}
