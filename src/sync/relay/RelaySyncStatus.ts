/**
 * What a relay layer tells about its sync (RelayLayer.status): shown in the UI, and broadcast by the tab
 * holding the relay connection to the other tabs (leader/RelayLeaderMessage.ts).
 */
import type { SyncStopReason } from '../../protocol/closeReason.ts';

export type RelaySyncState = 'connecting' | 'syncing' | 'synced' | 'offline' | 'stopped';

export interface RelaySyncStatus {
  readonly state: RelaySyncState;
  /** Local changes sent or queued that no stored acknowledgement covers yet. */
  readonly unstored: number;
  /** Why sync stopped (the latest refusal), or null. */
  readonly reason: SyncStopReason | null;
  /** The last moment nothing was unstored and every followed document was in sync (ms), or null. */
  readonly lastSyncedAt: number | null;
  /** What the relay lets this device do in the space ('editor' read-write, 'viewer' read-only), or null before it said. */
  readonly role: string | null;
}
