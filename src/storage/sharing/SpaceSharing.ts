/**
 * SpaceSharing: the browser's composition of sync through a relay. It decides which spaces get a relay
 * layer (the layer factory reads the space's sync settings), starts and stops syncing an open space,
 * creates invite links on the owner's device and joins a space from an invite. The space document and the
 * open pages sync live; every other page is kept in sync in the background (SpaceSyncer: bounded
 * concurrency, and after being offline only the pages changed on either side are exchanged).
 *
 * Local data is never hidden, locked or replaced by any of this: the relay layer is one more layer of the
 * space, merged through the CRDT; stopping sync removes the layer and keeps everything.
 */
import * as random from 'lib0/random';
import { ErrorCode, SpaceError } from '../../core/errors.ts';
import type { LayerFactory, PersistenceLayer } from '../../core/persistence/PersistenceLayer.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { createInvite, generateSpaceKeys, ownerCapability } from '../../sync/relay/capability.ts';
import { inviteLink, parseInviteLink, relayToken, type InviteLinkParts } from '../../sync/relay/inviteLink.ts';
import { RelayConnectionPool, type WebSocketConstructor } from '../../sync/relay/RelayConnection.ts';
import { RelayLayer, type RelaySyncStatus as RelayStatus } from '../../sync/relay/RelayLayer.ts';
import { IndexedDbSyncStateStore } from '../../sync/relay/IndexedDbSyncStateStore.ts';
import { SpaceSyncer } from '../../sync/relay/SpaceSyncer.ts';
import { syncStateKey } from '../../sync/relay/SyncStateStore.ts';
import type { QuireError } from '../../core/errors.ts';
import * as memberCommands from '../../sync/relay/memberCommands.ts';
import type { MemberInfo } from '../../sync/relay/memberCommands.ts';
import { IndexedDbLayer } from '../pages/IndexedDbLayer.ts';
import { readRevokedMembers, readSentInvites, readSyncSettings, STOPPED_SYNC_SECRETS, syncSecretsOf, withInviteRevoked, withMemberRevoked, withSentInvite, type SentInvite, type SyncRole, type SyncSettings } from './syncSecrets.ts';

export interface SpaceSharingOptions {
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** The WebSocket constructor (the browser's; `ws` in Node tests). */
  WebSocket: WebSocketConstructor;
}

export interface SpaceSyncView {
  readonly settings: SyncSettings | null;
  readonly status: RelayStatus | null;
  /** The background sync's last failure (a page it will retry at its next pass), if any since it started. */
  readonly backgroundError: QuireError | null;
}

interface Synced {
  readonly settings: SyncSettings;
  readonly layer: RelayLayer;
  /** Runs while the space is open in this tab (watch); null before. */
  background: { handle: SpaceHandle; syncer: SpaceSyncer } | null;
  backgroundError: QuireError | null;
}

export class SpaceSharing {
  /** One socket per relay URL for this tab, shared by every space synced through it. */
  private readonly pool: RelayConnectionPool;
  private readonly synced = new Map<string, Synced>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** What the background sync remembers between sessions (its own small database, `quire-sync`). */
  private readonly syncState: IndexedDbSyncStateStore;

  constructor(private readonly opts: SpaceSharingOptions) {
    this.pool = new RelayConnectionPool({ WebSocket: opts.WebSocket });
    this.syncState = new IndexedDbSyncStateStore({ indexedDB: opts.indexedDB, IDBKeyRange: opts.IDBKeyRange });
  }

  /** For LocalWorkspace's extra layers: a relay layer for spaces whose settings say they sync, else none. */
  readonly layerFactory: LayerFactory = async (spaceId) => {
    const settings = readSyncSettings(await this.withLocalStore(spaceId, (store) => store.loadSecrets()));
    return settings ? this.makeLayer(spaceId, settings) : null;
  };

  /** Settings and status of a space, for the UI. */
  view(spaceId: string): SpaceSyncView {
    const s = this.synced.get(spaceId);
    return { settings: s?.settings ?? null, status: s ? s.layer.status() : null, backgroundError: s?.backgroundError ?? null };
  }

  subscribe(spaceId: string, listener: () => void): () => void {
    let set = this.listeners.get(spaceId);
    if (!set) this.listeners.set(spaceId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Called once a space is open: a synced space keeps every page in sync in the background, not only the
   * open ones, for as long as it is open (a space opened again gets a new syncer with the new handle).
   */
  watch(handle: SpaceHandle): void {
    const s = this.synced.get(handle.id);
    if (!s || handle.isClosed || s.background?.handle === handle) return;
    s.background?.syncer.stop();
    const syncer = new SpaceSyncer(handle, s.layer, {
      store: this.syncState,
      key: syncStateKey(s.settings.relayUrl, handle.id),
      onError: (error) => {
        s.backgroundError = error;
        this.changed(handle.id);
      },
    });
    s.background = { handle, syncer };
    syncer.start();
  }

  /** "Start syncing" on the owner's device: a key pair for the space, registered by the relay on first use. */
  async startSyncing(handle: SpaceHandle, relayUrl: string, name: string): Promise<void> {
    if (this.synced.has(handle.id)) throw new SpaceError(ErrorCode.InvalidOperation, 'This space already syncs');
    const url = normaliseRelayUrl(relayUrl);
    const previous = readSyncSettings(await handle.loadSecrets());
    const keys = previous?.keys ?? (await generateSpaceKeys());
    const settings: SyncSettings = {
      relayUrl: url,
      capability: await ownerCapability(handle.id, keys),
      memberId: previous?.memberId ?? random.uuidv4(),
      role: 'owner',
      name,
      keys,
    };
    await handle.saveSecrets(syncSecretsOf(settings));
    const layer = this.makeLayer(handle.id, settings);
    handle.addLayer(layer);
    this.watch(handle);
  }

  /** "Stop syncing": the relay layer leaves the space; everything stays on this device. */
  async stopSyncing(handle: SpaceHandle): Promise<void> {
    const s = this.synced.get(handle.id);
    await handle.saveSecrets(STOPPED_SYNC_SECRETS);
    if (!s) return;
    this.synced.delete(handle.id);
    s.background?.syncer.stop();
    await handle.removeLayer(s.layer.name);
    this.changed(handle.id);
  }

  /** An invite link for `role`, signed on this (the owner's) device. */
  async createInviteLink(handle: SpaceHandle, role: Exclude<SyncRole, 'owner'>, expiresAt: number | null, appBaseUrl: string): Promise<string> {
    const s = this.synced.get(handle.id);
    if (!s?.settings.keys) throw new SpaceError(ErrorCode.Forbidden, 'Only the owner of a space can invite');
    const { inviteId, capability } = await createInvite(handle.id, s.settings.keys, { role, expiresAt });
    await handle.saveSecrets(withSentInvite(await handle.loadSecrets(), { inviteId, role, expiresAt, createdAt: Date.now(), relayUrl: s.settings.relayUrl, revokedAt: null }));
    return inviteLink(appBaseUrl, { relayUrl: s.settings.relayUrl, spaceId: handle.id, spaceName: handle.space.meta().name, capability });
  }

  /**
   * Joins a space from an invite: its settings are stored, and opening the space then loads it from the
   * relay (nothing of it is on this device yet, or it was wiped). A space this device already has keeps
   * its data; only its sync settings change.
   */
  async join(link: string | InviteLinkParts, role: SyncRole, name: string): Promise<string> {
    const parts = typeof link === 'string' ? parseInviteLink(link) : link;
    const settings: SyncSettings = { relayUrl: normaliseRelayUrl(parts.relayUrl), capability: parts.capability, memberId: random.uuidv4(), role, name, keys: null };
    await this.withLocalStore(parts.spaceId, async (store) => {
      const existing = readSyncSettings(await store.loadSecrets());
      await store.saveSecrets(syncSecretsOf({ ...settings, memberId: existing?.memberId ?? settings.memberId, keys: existing?.keys ?? null }));
    });
    // Whatever this device remembered of an earlier membership (the space may have been deleted here
    // since), the first pass after joining takes every page.
    await this.syncState.reset(syncStateKey(settings.relayUrl, parts.spaceId));
    return parts.spaceId;
  }

  /** Sends an owner command (revoke, list members) over the space document's session. */
  layerOf(spaceId: string): RelayLayer | null {
    return this.synced.get(spaceId)?.layer ?? null;
  }

  /** What this device remembers of access: its invites for the current relay (newest first), the members it revoked. */
  async localAccess(handle: SpaceHandle): Promise<{ invites: SentInvite[]; revokedMembers: Record<string, number> }> {
    const secrets = await handle.loadSecrets();
    const url = this.synced.get(handle.id)?.settings.relayUrl;
    return { invites: readSentInvites(secrets).filter((i) => i.relayUrl === url), revokedMembers: readRevokedMembers(secrets) };
  }

  /** The members the relay has seen in the space (owner only; memberCommands.ts). */
  async members(spaceId: string): Promise<MemberInfo[]> {
    return memberCommands.listMembers(this.ownerLayer(spaceId));
  }

  /** Revokes a member or an invite on the relay, then remembers it on this device. */
  async revoke(handle: SpaceHandle, what: { memberId: string } | { inviteId: string }): Promise<void> {
    const layer = this.ownerLayer(handle.id);
    await ('memberId' in what ? memberCommands.revokeMember(layer, what.memberId) : memberCommands.revokeInvite(layer, what.inviteId));
    const secrets = await handle.loadSecrets();
    await handle.saveSecrets('memberId' in what ? withMemberRevoked(secrets, what.memberId, Date.now()) : withInviteRevoked(secrets, what.inviteId, Date.now()));
  }

  private ownerLayer(spaceId: string): RelayLayer {
    const s = this.synced.get(spaceId);
    if (s?.settings.role !== 'owner') throw new SpaceError(ErrorCode.Forbidden, 'Only the owner of a space can manage its members');
    return s.layer;
  }

  /** Stops every background sync (the workspace is closing; the spaces close their relay layers). */
  close(): void {
    for (const s of this.synced.values()) s.background?.syncer.stop();
    this.synced.clear();
    this.syncState.close();
  }

  private makeLayer(spaceId: string, settings: SyncSettings): PersistenceLayer {
    const token = relayToken({ capability: settings.capability, memberId: settings.memberId, name: settings.name });
    const layer = new RelayLayer({ url: settings.relayUrl, spaceId, token: () => token, pool: this.pool });
    const previous = this.synced.get(spaceId);
    previous?.background?.syncer.stop(); // its space handle closed: the space is being opened again
    this.synced.set(spaceId, { settings, layer, background: null, backgroundError: null });
    layer.onStatus(() => this.changed(spaceId));
    this.changed(spaceId);
    return layer;
  }

  /** The space's own page store, opened for one task (the space may not be open, or not exist yet). */
  private async withLocalStore<T>(spaceId: string, task: (store: IndexedDbLayer) => Promise<T>): Promise<T> {
    const store = new IndexedDbLayer(spaceId, { indexedDB: this.opts.indexedDB });
    try {
      return await task(store);
    } finally {
      await store.close();
    }
  }

  private changed(spaceId: string): void {
    for (const l of this.listeners.get(spaceId) ?? []) l();
  }
}

/** A relay URL as typed: http(s) becomes ws(s), a bare host:port gets ws://; anything else is refused. */
export function normaliseRelayUrl(input: string): string {
  const raw = input.trim();
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `ws://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme.replace(/^http(s?):/i, 'ws$1:'));
  } catch {
    throw new SpaceError(ErrorCode.InvalidOperation, `“${input}” is not a relay address (expected ws://host:port)`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new SpaceError(ErrorCode.InvalidOperation, `A relay address starts with ws:// or wss://, not ${url.protocol}//`);
  return url.toString().replace(/\/$/, '');
}
