/**
 * The relay's storage contract (types only). One implementation per engine: SQLite for a single node
 * (`relay/storage/sqlite*.ts`), PostgreSQL for several nodes (`relay/storage/postgres*.ts`). Hocuspocus
 * stores the documents themselves through its database extension; these stores hold what Quire adds
 * around them: who may access a space (AccessStore) and which documents changed when (ChangeIndex), and
 * SpaceUsage reads how much a space stores (for the per-space quota).
 *
 * Relay document names are `<spaceId>/<docId>` (docId = 'space' for the space document, else a page id).
 * Names whose docId starts with '.' are reserved for the relay; no client may open them.
 */
import type { Extension } from '@hocuspocus/server';

/** Roles a capability can grant. The owner holds the space's private key; the others hold invites. */
export type Role = 'owner' | 'editor' | 'viewer';

export interface SpaceAccess {
  readonly spaceId: string;
  /** The space's public key (base64url), registered by the first owner connection (trust on first use). */
  readonly publicKey: string;
  readonly registeredAt: number;
}

export interface Member {
  /**
   * The relay's id of one device of one invite: relayMemberId(inviteId, the token's member id)
   * (src/protocol/relayMemberId.ts). Derived, so no client can choose an id that collides with another's.
   */
  readonly memberId: string;
  /** The invite the member joined with ('owner' for the owner's own devices). */
  readonly inviteId: string;
  readonly role: Role;
  /** A display name the member chose (untrusted, for the owner's list only). */
  readonly name: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

/** What a revocation names: an invite (every device that joined with it) or one member (one device). */
export type RevocationKind = 'invite' | 'member';

/** Caps on new members (existing members are always refreshed). null: no cap (the owner's own devices). */
export interface MemberCaps {
  readonly perInvite: number;
  readonly perSpace: number;
}

/**
 * recordMember's outcome. `invite-full`: the invite already has perInvite members; `space-full`: the space
 * has perSpace members, not counting those of revoked invites (which can never connect again).
 */
export type RecordMemberResult = 'recorded' | 'invite-full' | 'space-full';

/** Where a page of the member list starts: after this member in the list's order (see listMembers). */
export interface MemberCursor {
  readonly firstSeenAt: number;
  readonly memberId: string;
}

export interface AccessStore {
  /** The registered access record, or null when the space is unknown to this relay. */
  getSpace(spaceId: string): Promise<SpaceAccess | null>;
  /** Registers the key if the space is unknown; resolves with whichever record is stored afterwards. */
  registerSpace(spaceId: string, publicKey: string, at: number): Promise<SpaceAccess>;
  /** Marks an invite or a member as revoked (idempotent). The two kinds are separate namespaces. */
  revoke(spaceId: string, kind: RevocationKind, id: string, at: number): Promise<void>;
  isRevoked(spaceId: string, kind: RevocationKind, id: string): Promise<boolean>;
  /**
   * Refreshes a known member (name, lastSeenAt; never its invite or role), or inserts a new one if `caps`
   * allow it, atomically with the count (concurrent new members cannot overshoot a cap).
   */
  recordMember(spaceId: string, member: Member, caps: MemberCaps | null): Promise<RecordMemberResult>;
  getMember(spaceId: string, memberId: string): Promise<Member | null>;
  /**
   * Up to `limit` members, the most recently joined first (firstSeenAt descending, then memberId
   * descending: keys that never change, so pages neither skip nor repeat a member), starting after `after`.
   */
  listMembers(spaceId: string, page: { readonly after: MemberCursor | null; readonly limit: number }): Promise<Member[]>;
}

export interface ChangeIndex {
  /** Notes that `docId` of `spaceId` was stored; returns the space's new change sequence number. */
  recordStored(spaceId: string, docId: string): Promise<number>;
  /** Documents of the space stored after sequence `since` (each once), and the latest sequence number. */
  changesSince(spaceId: string, since: number): Promise<{ seq: number; docIds: string[] }>;
}

export interface SpaceUsage {
  /**
   * Bytes the engine stores for the space's documents: the sum of the stored document states whose names
   * start with `<spaceId>/` (0 for an unknown space). One range read over the document names.
   */
  spaceBytes(spaceId: string): Promise<number>;
}

/** What an engine gives the relay: the Hocuspocus storage extension plus Quire's stores. */
export interface RelayStorage {
  /** Stores and fetches documents (extension-sqlite, or extension-database over PostgreSQL). */
  readonly extension: Extension;
  readonly access: AccessStore;
  readonly changes: ChangeIndex;
  readonly usage: SpaceUsage;
  /** Releases the engine (after Hocuspocus stored everything). */
  close(): Promise<void>;
}
