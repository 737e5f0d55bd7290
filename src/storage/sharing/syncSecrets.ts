/**
 * How a space's sync settings are kept on this device: as secrets of the space (the `custom` store of its
 * page-store database, `IndexedDbLayer.saveSecrets`). They are device facts, not shared state: the relay
 * URL and the capability this device syncs with, and, on the owner's devices, the space's key pair.
 *
 * Why secrets and not a Dexie row: the relay layer is created before the space document is read (the
 * layer factory runs at open), and a device that joins from an invite has no space document at all yet.
 * The secrets store exists per space from the first saveSecrets and needs no migration. The relay layer
 * never stores secrets, so none of this leaves the device.
 */
import type { Secrets } from '../../core/persistence/PersistenceLayer.ts';

/** Keys of the sync settings inside a space's secrets. An empty relay URL means "not syncing". */
export const SyncSecret = {
  RelayUrl: 'sync.relayUrl',
  Capability: 'sync.capability',
  MemberId: 'sync.memberId',
  Role: 'sync.role',
  Name: 'sync.name',
  PublicKey: 'sync.publicKey',
  PrivateKey: 'sync.privateKey',
} as const;

export type SyncRole = 'owner' | 'editor' | 'viewer';

export interface SyncSettings {
  readonly relayUrl: string;
  readonly capability: string;
  readonly memberId: string;
  readonly role: SyncRole;
  /** The display name other devices see next to this device's cursor. */
  readonly name: string;
  /** Present on the owner's devices only: the space's key pair, which signs invites. */
  readonly keys: { readonly publicKey: string; readonly privateKey: string } | null;
}

function isRole(v: string | undefined): v is SyncRole {
  return v === 'owner' || v === 'editor' || v === 'viewer';
}

/** The sync settings in a space's secrets, or null when the space does not sync. */
export function readSyncSettings(secrets: Secrets): SyncSettings | null {
  const relayUrl = secrets[SyncSecret.RelayUrl];
  const capability = secrets[SyncSecret.Capability];
  const memberId = secrets[SyncSecret.MemberId];
  const role = secrets[SyncSecret.Role];
  if (!relayUrl || !capability || !memberId || !isRole(role)) return null;
  const publicKey = secrets[SyncSecret.PublicKey];
  const privateKey = secrets[SyncSecret.PrivateKey];
  return {
    relayUrl,
    capability,
    memberId,
    role,
    name: secrets[SyncSecret.Name] ?? '',
    keys: publicKey && privateKey ? { publicKey, privateKey } : null,
  };
}

export function syncSecretsOf(settings: SyncSettings): Secrets {
  return {
    [SyncSecret.RelayUrl]: settings.relayUrl,
    [SyncSecret.Capability]: settings.capability,
    [SyncSecret.MemberId]: settings.memberId,
    [SyncSecret.Role]: settings.role,
    [SyncSecret.Name]: settings.name,
    ...(settings.keys ? { [SyncSecret.PublicKey]: settings.keys.publicKey, [SyncSecret.PrivateKey]: settings.keys.privateKey } : {}),
  };
}

/** What "Stop syncing" writes: secrets merge, so the URL is emptied; the keys stay (the owner may resume). */
export const STOPPED_SYNC_SECRETS: Secrets = { [SyncSecret.RelayUrl]: '', [SyncSecret.Capability]: '' };
