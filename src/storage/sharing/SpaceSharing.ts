/**
 * SpaceSharing: the browser's composition of sync through a relay. It decides which spaces get a relay
 * layer (the layer factory reads the space's sync settings), starts and stops syncing an open space,
 * creates invite links on the owner's device and joins a space from an invite. The space document and the
 * open pages sync live; keeping never-opened pages in sync in the background is not wired yet (issue 4).
 *
 * Local data is never hidden, locked or replaced by any of this: the relay layer is one more layer of the
 * space, merged through the CRDT; stopping sync removes the layer and keeps everything.
 */
import * as random from 'lib0/random';
import { ErrorCode, SpaceError } from '../../core/errors.ts';
import { SPACE_DOC_ID, type LayerFactory, type PersistenceLayer } from '../../core/persistence/PersistenceLayer.ts';
import type { SpaceHandle } from '../../core/manager/SpaceHandle.ts';
import { createInvite, generateSpaceKeys, ownerCapability } from '../../sync/relay/capability.ts';
import { inviteLink, parseInviteLink, relayToken, type InviteLinkParts } from '../../sync/relay/inviteLink.ts';
import { RelayConnectionPool, type WebSocketConstructor } from '../../sync/relay/RelayConnection.ts';
import { RelayLayer, type RelaySyncStatus as RelayStatus } from '../../sync/relay/RelayLayer.ts';
import type { RelayAttachment, RelayLeadership } from '../../sync/relay/leader/RelayLeadership.ts';
import { IndexedDbLayer } from '../pages/IndexedDbLayer.ts';
import { readSyncSettings, STOPPED_SYNC_SECRETS, syncSecretsOf, type SyncRole, type SyncSettings } from './syncSecrets.ts';

export interface SpaceSharingOptions {
  indexedDB?: IDBFactory;
  /** The WebSocket constructor (the browser's; `ws` in Node tests). */
  WebSocket: WebSocketConstructor;
  /** One relay socket per browser (decision 0012): only the leading tab attaches relay layers. Absent: this tab connects. */
  leadership?: RelayLeadership;
}

export interface SpaceSyncView {
  readonly settings: SyncSettings | null;
  readonly status: RelayStatus | null;
}

interface Synced {
  readonly settings: SyncSettings;
  /** This tab's relay layer and its status, or (a follower tab) the leader's status and no layer. */
  readonly relay: Pick<RelayAttachment, 'status' | 'layer'>;
  readonly detach: (handle: SpaceHandle) => Promise<void>;
}

export class SpaceSharing {
  /** One socket per relay URL for this tab, shared by every space synced through it. */
  private readonly pool: RelayConnectionPool;
  private readonly synced = new Map<string, Synced>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Synced spaces opened under leadership, waiting for `watch` to attach them. */
  private readonly waiting = new Map<string, { settings: SyncSettings; layer: RelayLayer | null }>();

  constructor(private readonly opts: SpaceSharingOptions) {
    this.pool = new RelayConnectionPool({ WebSocket: opts.WebSocket });
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

  /** Settings and status of a space, for the UI. */
  view(spaceId: string): SpaceSyncView {
    const s = this.synced.get(spaceId);
    return { settings: s?.settings ?? null, status: s ? s.relay.status() : null };
  }

  subscribe(spaceId: string, listener: () => void): () => void {
    let set = this.listeners.get(spaceId);
    if (!set) this.listeners.set(spaceId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Called once a space is open. The background sync of never-opened pages will start here (not built yet). */
  watch(handle: SpaceHandle): void {
    const w = this.waiting.get(handle.id);
    this.waiting.delete(handle.id);
    if (w) this.lead(handle, w.settings, w.layer);
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
    if (this.opts.leadership) this.lead(handle, settings);
    else handle.addLayer(this.makeLayer(handle.id, settings));
    this.watch(handle);
  }

  /** "Stop syncing": the relay layer leaves the space; everything stays on this device. */
  async stopSyncing(handle: SpaceHandle): Promise<void> {
    const s = this.synced.get(handle.id);
    await handle.saveSecrets(STOPPED_SYNC_SECRETS);
    if (!s) return;
    this.synced.delete(handle.id);
    await s.detach(handle);
    this.changed(handle.id);
  }

  /** An invite link for `role`, signed on this (the owner's) device. */
  async createInviteLink(handle: SpaceHandle, role: Exclude<SyncRole, 'owner'>, expiresAt: number | null, appBaseUrl: string): Promise<string> {
    const s = this.synced.get(handle.id);
    if (!s?.settings.keys) throw new SpaceError(ErrorCode.Forbidden, 'Only the owner of a space can invite');
    const { capability } = await createInvite(handle.id, s.settings.keys, { role, expiresAt });
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
    return parts.spaceId;
  }

  /** Sends an owner command (revoke, list members) over the space document's session. */
  layerOf(spaceId: string): RelayLayer | null {
    return this.synced.get(spaceId)?.relay.layer() ?? null;
  }

  /** Closes every socket (the workspace is closing). */
  close(): void {
    this.synced.clear();
  }

  private makeLayer(spaceId: string, settings: SyncSettings): PersistenceLayer {
    const layer = this.newLayer(spaceId, settings);
    this.synced.set(spaceId, { settings, relay: { status: () => layer.status(), layer: () => layer }, detach: (h) => h.removeLayer(layer.name) });
    layer.onStatus(() => this.changed(spaceId));
    this.changed(spaceId);
    return layer;
  }

  /** Syncs an open space through the tab that holds the relay's connection (this one when it leads). */
  private lead(handle: SpaceHandle, settings: SyncSettings, opened: RelayLayer | null = null): void {
    const relay = this.opts.leadership!.attach(handle, settings.relayUrl, () => this.newLayer(handle.id, settings), () => this.changed(handle.id), opened);
    this.synced.set(handle.id, { settings, relay, detach: () => relay.detach() });
    this.changed(handle.id);
  }

  private newLayer(spaceId: string, settings: SyncSettings): RelayLayer {
    const token = relayToken({ capability: settings.capability, memberId: settings.memberId, name: settings.name });
    return new RelayLayer({ url: settings.relayUrl, spaceId, token: () => token, pool: this.pool });
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
