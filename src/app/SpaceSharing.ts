/**
 * SpaceSharing: the browser's composition of sync through a relay. It decides which spaces get a relay
 * layer (the layer factory reads the space's sync settings), starts and stops syncing an open space,
 * creates invite links on the owner's device, joins a space from an invite, and lets the owner list and
 * revoke members. The space document and the open pages sync live; every other page is kept in sync in the
 * background (SpaceSyncer: bounded concurrency, and after being offline only the pages changed on either
 * side are exchanged), in the tab that holds the relay's connection (decision 0012).
 *
 * Local data is never hidden, locked or replaced by any of this: the relay layer is one more layer of the
 * space, merged through the CRDT; stopping sync removes the layer and keeps everything.
 */
import * as random from 'lib0/random';
import type { Awareness } from 'y-protocols/awareness';
import { ErrorCode, SpaceError } from '../core/errors.ts';
import { Listeners } from '../core/Listeners.ts';
import { SPACE_DOC_ID, type LayerFactory } from '../core/persistence/PersistenceLayer.ts';
import type { SpaceHandle } from '../core/manager/SpaceHandle.ts';
import { createInvite, generateSpaceKeys, ownerCapability } from '../protocol/capability.ts';
import { inviteLink, MAX_ACCESS_CODE_CHARS, parseInviteLink, relayToken, type InviteLinkParts } from '../protocol/inviteLink.ts';
import { RelayConnectionPool, type WebSocketConstructor } from '../sync/relay/RelayConnection.ts';
import { RelayLayer, type RelaySyncStatus as RelayStatus } from '../sync/relay/RelayLayer.ts';
import type { RelayAttachment, RelayLeadership } from '../sync/relay/leader/RelayLeadership.ts';
import { IndexedDbSyncStateStore } from '../sync/relay/IndexedDbSyncStateStore.ts';
import { SpaceSyncer } from '../sync/relay/SpaceSyncer.ts';
import { syncStateKey } from '../sync/relay/SyncStateStore.ts';
import type { QuireError } from '../core/errors.ts';
import * as memberCommands from '../sync/relay/memberCommands.ts';
import type { MemberPage } from '../sync/relay/memberCommands.ts';
import { SpaceDbLayer } from '../storage/space/SpaceDbLayer.ts';
import type { SpaceStore } from './SpaceStores.ts';
import { readRevokedMembers, readSentInvites, readSyncSettings, STOPPED_SYNC_SECRETS, syncSecretsOf, withInviteRevoked, withMemberRevoked, withSentInvite, type SentInvite, type SyncRole, type SyncSettings } from './syncSecrets.ts';

export interface SpaceSharingOptions {
  indexedDB?: IDBFactory;
  IDBKeyRange?: typeof IDBKeyRange;
  /** The WebSocket constructor (the browser's; `ws` in Node tests). */
  WebSocket: WebSocketConstructor;
  /** One relay socket per browser (decision 0012): only the leading tab attaches relay layers. Absent: this tab connects. */
  leadership?: RelayLeadership;
  /**
   * A space's local store, once any storage upgrade of it finished (the app: SpaceStores). Absent: the space
   * store over `indexedDB`, for tests that have no workspace.
   */
  localStore?: (spaceId: string) => Promise<SpaceStore>;
}

export interface SpaceSyncView {
  readonly settings: SyncSettings | null;
  readonly status: RelayStatus | null;
  /** The background sync's last failure (a page it will retry at its next pass), if any since it started. */
  readonly backgroundError: QuireError | null;
}

/** The background sync of one open space, bound to the relay layer it runs on. */
interface Background {
  readonly handle: SpaceHandle;
  readonly layer: RelayLayer;
  readonly syncer: SpaceSyncer;
  error: QuireError | null;
}

interface Synced {
  readonly settings: SyncSettings;
  /** This tab's relay layer and its status, or (a follower tab) the leader's status and no layer; presence
   * and owner commands work in both (a follower's go through the leader). */
  readonly relay: Omit<RelayAttachment, 'detach'>;
  readonly detach: (handle: SpaceHandle) => Promise<void>;
}

/** Where an editor's presence on a page travels (usePresence's PresenceSource): `attach` returns the detach. */
export interface SpacePresence {
  readonly name: string;
  attach(pageId: string, awareness: Awareness): () => void;
}

export class SpaceSharing {
  /** The presence source last handed out per space, kept while its layer and name stay the same. */
  private readonly presence = new Map<string, { layer: RelayLayer | null; source: SpacePresence }>();
  /** One socket per relay URL for this tab, shared by every space synced through it. */
  private readonly pool: RelayConnectionPool;
  private readonly synced = new Map<string, Synced>();
  private readonly listeners = new Map<string, Listeners<void>>();
  /** Synced spaces opened under leadership, waiting for `watch` to attach them. */
  private readonly waiting = new Map<string, { settings: SyncSettings; layer: RelayLayer | null }>();
  /** Background syncs, one per open synced space whose relay layer is in this tab. */
  private readonly background = new Map<string, Background>();
  /** What the background sync remembers between sessions (its own small database, `quire-sync`). */
  private readonly syncState: IndexedDbSyncStateStore;

  constructor(private readonly opts: SpaceSharingOptions) {
    this.pool = new RelayConnectionPool({ WebSocket: opts.WebSocket });
    this.syncState = new IndexedDbSyncStateStore({ indexedDB: opts.indexedDB, IDBKeyRange: opts.IDBKeyRange });
  }

  /** For LocalWorkspace's extra layers: a relay layer for spaces whose settings say they sync, else none. */
  readonly layerFactory: LayerFactory = async (spaceId) => {
    const [secrets, local] = await this.withLocalStore(spaceId, async (store) => [await store.loadSecrets(), (await store.load(SPACE_DOC_ID)).length > 0] as const);
    const settings = readSyncSettings(secrets);
    if (!settings || !this.opts.leadership) return settings ? this.makeLayer(spaceId, settings) : null;
    // One tab per browser holds the relay's connection (decision 0012); watch() attaches the space to it.
    const layer = await this.opts.leadership.layerAtOpen(settings.relayUrl, local, () => this.newLayer(spaceId, settings));
    this.waiting.set(spaceId, { settings, layer });
    return layer;
  };

  /**
   * The role this device syncs a space with, read from its own store: known even when the space did not
   * open (view() knows only open spaces), so a failed open can say why. Null: it does not sync the space.
   */
  async storedRole(spaceId: string): Promise<SyncRole | null> {
    return this.withLocalStore(spaceId, async (store) => readSyncSettings(await store.loadSecrets())?.role ?? null);
  }

  /** Settings and status of a space, for the UI. */
  view(spaceId: string): SpaceSyncView {
    const s = this.synced.get(spaceId);
    return { settings: s?.settings ?? null, status: s ? s.relay.status() : null, backgroundError: this.background.get(spaceId)?.error ?? null };
  }

  subscribe(spaceId: string, listener: () => void): () => void {
    let set = this.listeners.get(spaceId);
    if (!set) this.listeners.set(spaceId, (set = new Listeners()));
    return set.add(listener);
  }

  /**
   * Called once a space is open: under leadership the space is attached to the tab holding the relay's
   * connection; and a synced space whose relay layer is in this tab keeps every page in sync in the
   * background, not only the open ones, for as long as it is open.
   */
  watch(handle: SpaceHandle): void {
    const w = this.waiting.get(handle.id);
    this.waiting.delete(handle.id);
    if (w) this.lead(handle, w.settings, w.layer);
    this.syncInBackground(handle);
  }

  /**
   * "Start syncing" on the owner's device: a key pair for the space, registered by the relay on first use.
   * `accessCode`: the relay operator's code, for a relay that accepts new spaces only with it.
   */
  async startSyncing(handle: SpaceHandle, relayUrl: string, name: string, accessCode?: string): Promise<void> {
    if (this.synced.has(handle.id)) throw new SpaceError(ErrorCode.InvalidOperation, 'This space already syncs');
    const url = normaliseRelayUrl(relayUrl);
    if ((accessCode?.trim().length ?? 0) > MAX_ACCESS_CODE_CHARS) throw new SpaceError(ErrorCode.InvalidOperation, `A relay access code has at most ${MAX_ACCESS_CODE_CHARS} characters`);
    const previous = readSyncSettings(await handle.secrets.loadSecrets());
    const keys = previous?.keys ?? (await generateSpaceKeys());
    const settings: SyncSettings = {
      relayUrl: url,
      capability: await ownerCapability(handle.id, keys),
      memberId: previous?.memberId ?? random.uuidv4(),
      role: 'owner',
      name,
      keys,
      ...(accessCode?.trim() ? { accessCode: accessCode.trim() } : {}),
    };
    await handle.secrets.saveSecrets(syncSecretsOf(settings));
    if (this.opts.leadership) this.lead(handle, settings);
    else handle.addLayer(this.makeLayer(handle.id, settings));
    this.watch(handle);
  }

  /** "Stop syncing": the relay layer leaves the space; everything stays on this device. */
  async stopSyncing(handle: SpaceHandle): Promise<void> {
    const s = this.synced.get(handle.id);
    await handle.secrets.saveSecrets(STOPPED_SYNC_SECRETS);
    if (!s) return;
    this.synced.delete(handle.id);
    this.stopBackground(handle.id);
    await s.detach(handle);
    this.changed(handle.id);
  }

  /** An invite link for `role`, signed on this (the owner's) device. */
  async createInviteLink(handle: SpaceHandle, role: Exclude<SyncRole, 'owner'>, expiresAt: number | null, appBaseUrl: string): Promise<string> {
    const s = this.synced.get(handle.id);
    if (!s?.settings.keys) throw new SpaceError(ErrorCode.Forbidden, 'Only the owner of a space can invite');
    const { capability, inviteId } = await createInvite(handle.id, s.settings.keys, { role, expiresAt });
    await handle.secrets.saveSecrets(withSentInvite(await handle.secrets.loadSecrets(), { inviteId, role, expiresAt, createdAt: Date.now(), relayUrl: s.settings.relayUrl, revokedAt: null }));
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

  /** This tab's relay layer of a space, if it holds one (the leader tab, or a tab without leadership). */
  layerOf(spaceId: string): RelayLayer | null {
    return this.synced.get(spaceId)?.relay.layer() ?? null;
  }

  /**
   * Where the editors of a synced space share their presence, in the leader tab and in a follower alike;
   * null when the space does not sync. The same object until this tab's role or the user's name changes
   * (then the editors attach again to the new one: subscribe tells when).
   */
  presenceSource(spaceId: string): SpacePresence | null {
    const s = this.synced.get(spaceId);
    if (!s) {
      this.presence.delete(spaceId);
      return null;
    }
    const layer = s.relay.layer();
    const last = this.presence.get(spaceId);
    if (last && last.layer === layer && last.source.name === s.settings.name) return last.source;
    const relay = s.relay;
    const source: SpacePresence = { name: s.settings.name, attach: (pageId, awareness) => relay.attachAwareness(pageId, awareness) };
    this.presence.set(spaceId, { layer, source });
    return source;
  }

  /** What this device remembers of access: its invites for the current relay (newest first), the members it revoked. */
  async localAccess(handle: SpaceHandle): Promise<{ invites: SentInvite[]; revokedMembers: Record<string, number> }> {
    const secrets = await handle.secrets.loadSecrets();
    const url = this.synced.get(handle.id)?.settings.relayUrl;
    return { invites: readSentInvites(secrets).filter((i) => i.relayUrl === url), revokedMembers: readRevokedMembers(secrets) };
  }

  /** One page of the members the relay has seen in the space (owner only; memberCommands.ts). */
  async members(spaceId: string, cursor?: string | null): Promise<MemberPage> {
    return this.ownerRelay(spaceId).listMembers(cursor);
  }

  /** Revokes a member or an invite on the relay, then remembers it on this device. */
  async revoke(handle: SpaceHandle, what: { memberId: string } | { inviteId: string }): Promise<void> {
    await this.ownerRelay(handle.id).revoke(what);
    const secrets = await handle.secrets.loadSecrets();
    await handle.secrets.saveSecrets('memberId' in what ? withMemberRevoked(secrets, what.memberId, Date.now()) : withInviteRevoked(secrets, what.inviteId, Date.now()));
  }

  /** The owner's commands of a space: this tab's relay layer, or the leader tab's on this tab's behalf. */
  private ownerRelay(spaceId: string): Synced['relay'] {
    const s = this.synced.get(spaceId);
    if (s?.settings.role !== 'owner') throw new SpaceError(ErrorCode.Forbidden, 'Only the owner of a space can manage its members');
    return s.relay;
  }

  /** Stops every background sync (the workspace is closing; the spaces close their relay layers). */
  close(): void {
    for (const id of [...this.background.keys()]) this.stopBackground(id);
    this.synced.clear();
    this.syncState.close();
  }

  private makeLayer(spaceId: string, settings: SyncSettings): RelayLayer {
    const layer = this.newLayer(spaceId, settings);
    const relay: Synced['relay'] = {
      status: () => layer.status(),
      layer: () => layer,
      attachAwareness: (pageId, awareness) => layer.attachAwareness(pageId, awareness),
      listMembers: (cursor) => memberCommands.listMembers(layer, { cursor }),
      revoke: (what) => ('memberId' in what ? memberCommands.revokeMember(layer, what.memberId) : memberCommands.revokeInvite(layer, what.inviteId)),
    };
    this.synced.set(spaceId, { settings, relay, detach: (h) => h.removeLayer(layer.name) });
    layer.onStatus(() => this.changed(spaceId));
    this.changed(spaceId);
    return layer;
  }

  /** Syncs an open space through the tab that holds the relay's connection (this one when it leads). */
  private lead(handle: SpaceHandle, settings: SyncSettings, opened: RelayLayer | null = null): void {
    // On a handover this tab's layer appears (or goes): the background sync follows it.
    const onChange = () => {
      this.syncInBackground(handle);
      this.changed(handle.id);
    };
    // "Stop syncing" pressed in a follower tab: it saved the settings; this (leading) tab detached its layer.
    const onStopped = () => {
      if (this.synced.get(handle.id)?.relay !== relay) return;
      this.synced.delete(handle.id);
      this.stopBackground(handle.id);
      this.changed(handle.id);
    };
    const relay = this.opts.leadership!.attach(handle, settings.relayUrl, () => this.newLayer(handle.id, settings), onChange, opened, onStopped);
    this.synced.set(handle.id, { settings, relay, detach: () => relay.detach() });
    this.changed(handle.id);
  }

  /** Runs the background sync of `handle` on this tab's relay layer of it, if it has one (else stops it). */
  private syncInBackground(handle: SpaceHandle): void {
    const s = this.synced.get(handle.id);
    const layer = s?.relay.layer() ?? null;
    const running = this.background.get(handle.id);
    if (running && running.handle === handle && running.layer === layer && !handle.isClosed) return;
    this.stopBackground(handle.id);
    if (!s || !layer || handle.isClosed) return;
    const syncer = new SpaceSyncer(handle, layer, {
      store: this.syncState,
      key: syncStateKey(s.settings.relayUrl, handle.id),
      onError: (error) => {
        bg.error = error;
        this.changed(handle.id);
      },
    });
    const bg: Background = { handle, layer, syncer, error: null };
    this.background.set(handle.id, bg);
    syncer.start();
  }

  private stopBackground(spaceId: string): void {
    this.background.get(spaceId)?.syncer.stop();
    this.background.delete(spaceId);
  }

  private newLayer(spaceId: string, settings: SyncSettings): RelayLayer {
    // Only an owner registers a space, so only an owner's token carries the relay's access code.
    const accessCode = settings.role === 'owner' ? settings.accessCode : undefined;
    const token = relayToken({ capability: settings.capability, memberId: settings.memberId, name: settings.name, accessCode });
    return new RelayLayer({ url: settings.relayUrl, spaceId, token: () => token, pool: this.pool });
  }

  /**
   * The space's own page store, opened for one task (the space may not be open, or not exist yet). It is
   * also where this device keeps the space's secrets, its sync settings among them (syncSecrets.ts).
   */
  private async withLocalStore<T>(spaceId: string, task: (store: SpaceStore) => Promise<T>): Promise<T> {
    // Through the app's stores: secrets written into a space still being moved would be overwritten by the move.
    const store = this.opts.localStore ? await this.opts.localStore(spaceId) : new SpaceDbLayer(spaceId, { indexedDB: this.opts.indexedDB });
    try {
      return await task(store);
    } finally {
      await store.close();
    }
  }

  private changed(spaceId: string): void {
    this.listeners.get(spaceId)?.emit();
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
