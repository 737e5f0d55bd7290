/**
 * How a space's sync settings are kept on this device: as secrets of the space (a SecretStore: the
 * `meta` store of the space's database, `SpaceDbLayer.saveSecrets`). They are device facts, not
 * shared state: the relay URL and the capability this device syncs with, and, on the owner's devices, the
 * space's key pair.
 *
 * Why secrets and not a Dexie row: the relay layer is created before the space document is read (the
 * layer factory runs at open), and a device that joins from an invite has no space document at all yet.
 * The secrets store exists per space from the first saveSecrets and needs no migration. The relay layer
 * is no secret store, so none of this leaves the device.
 */
import type { Secrets } from '../core/persistence/SecretStore.ts';

/** Keys of the sync settings inside a space's secrets. An empty relay URL means "not syncing". */
export const SyncSecret = {
  RelayUrl: 'sync.relayUrl',
  Capability: 'sync.capability',
  MemberId: 'sync.memberId',
  Role: 'sync.role',
  Name: 'sync.name',
  PublicKey: 'sync.publicKey',
  PrivateKey: 'sync.privateKey',
  /** The relay operator's access code the owner entered to register the space (empty: none). */
  AccessCode: 'sync.accessCode',
  /** JSON list of the invites created on this device (SentInvite), for the owner to revoke them. */
  Invites: 'sync.invites',
  /** JSON object memberId -> when this device revoked it (the relay's member list does not say). */
  RevokedMembers: 'sync.revokedMembers',
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
  /** The relay's access code for registering the space (owner only; a relay may ask for one), if entered. */
  readonly accessCode?: string;
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
    ...(secrets[SyncSecret.AccessCode] ? { accessCode: secrets[SyncSecret.AccessCode] } : {}),
  };
}

export function syncSecretsOf(settings: SyncSettings): Secrets {
  return {
    [SyncSecret.RelayUrl]: settings.relayUrl,
    [SyncSecret.Capability]: settings.capability,
    [SyncSecret.MemberId]: settings.memberId,
    [SyncSecret.Role]: settings.role,
    [SyncSecret.Name]: settings.name,
    [SyncSecret.AccessCode]: settings.accessCode ?? '',
    ...(settings.keys ? { [SyncSecret.PublicKey]: settings.keys.publicKey, [SyncSecret.PrivateKey]: settings.keys.privateKey } : {}),
  };
}

/** What "Stop syncing" writes: secrets merge, so the URL is emptied; the keys stay (the owner may resume). */
export const STOPPED_SYNC_SECRETS: Secrets = { [SyncSecret.RelayUrl]: '', [SyncSecret.Capability]: '' };

/**
 * An invite created on this (the owner's) device. Only what revoking and listing need: the invite id (the
 * relay revokes by it), never the capability or the link (anyone holding those could join).
 */
export interface SentInvite {
  readonly inviteId: string;
  readonly role: Exclude<SyncRole, 'owner'>;
  readonly expiresAt: number | null;
  readonly createdAt: number;
  /** The relay the invite names: a space that later syncs through another relay lists only its own. */
  readonly relayUrl: string;
  /** When it was revoked from this device, or null. */
  readonly revokedAt: number | null;
}

/** Bounds the invites remembered per space (the oldest are forgotten first; the relay still knows them). */
export const MAX_SENT_INVITES = 200;

/** The invites created on this device, newest first; a damaged list reads as empty (it is only a convenience). */
export function readSentInvites(secrets: Secrets): SentInvite[] {
  const raw = secrets[SyncSecret.Invites];
  if (!raw) return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.filter(isSentInvite);
}

function isSentInvite(v: unknown): v is SentInvite {
  const i = v as Partial<SentInvite> | null;
  return (
    typeof i === 'object' &&
    i !== null &&
    typeof i.inviteId === 'string' &&
    (i.role === 'editor' || i.role === 'viewer') &&
    (i.expiresAt === null || typeof i.expiresAt === 'number') &&
    typeof i.createdAt === 'number' &&
    typeof i.relayUrl === 'string' &&
    (i.revokedAt === null || typeof i.revokedAt === 'number')
  );
}

/** Secrets to merge that add `invite` to the list. */
export function withSentInvite(secrets: Secrets, invite: SentInvite): Secrets {
  const list = [invite, ...readSentInvites(secrets).filter((i) => i.inviteId !== invite.inviteId)].slice(0, MAX_SENT_INVITES);
  return { [SyncSecret.Invites]: JSON.stringify(list) };
}

/** Secrets to merge that mark one invite revoked. */
export function withInviteRevoked(secrets: Secrets, inviteId: string, at: number): Secrets {
  const list = readSentInvites(secrets).map((i) => (i.inviteId === inviteId && i.revokedAt === null ? { ...i, revokedAt: at } : i));
  return { [SyncSecret.Invites]: JSON.stringify(list) };
}

/** The members revoked from this device: memberId -> when (ms). A damaged entry reads as empty. */
export function readRevokedMembers(secrets: Secrets): Record<string, number> {
  try {
    const m = JSON.parse(secrets[SyncSecret.RevokedMembers] ?? '{}') as unknown;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return {};
    return Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}

/** Secrets to merge that record one member revoked (the oldest are forgotten past MAX_SENT_INVITES). */
export function withMemberRevoked(secrets: Secrets, memberId: string, at: number): Secrets {
  const entries = Object.entries({ ...readRevokedMembers(secrets), [memberId]: at }).sort((x, y) => y[1] - x[1]);
  return { [SyncSecret.RevokedMembers]: JSON.stringify(Object.fromEntries(entries.slice(0, MAX_SENT_INVITES))) };
}
