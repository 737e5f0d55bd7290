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
  /** Stable id of the member's device as its capability names it. */
  readonly memberId: string;
  /** The invite the member joined with ('owner' for the owner's own devices). */
  readonly inviteId: string;
  readonly role: Role;
  /** A display name the member chose (untrusted, for the owner's list only). */
  readonly name: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

export interface AccessStore {
  /** The registered access record, or null when the space is unknown to this relay. */
  getSpace(spaceId: string): Promise<SpaceAccess | null>;
  /** Registers the key if the space is unknown; resolves with whichever record is stored afterwards. */
  registerSpace(spaceId: string, publicKey: string, at: number): Promise<SpaceAccess>;
  /** Marks an invite id or a member id as revoked (idempotent). */
  revoke(spaceId: string, id: string, at: number): Promise<void>;
  isRevoked(spaceId: string, id: string): Promise<boolean>;
  /** Inserts or refreshes (lastSeenAt, name) a member. */
  recordMember(spaceId: string, member: Member): Promise<void>;
  listMembers(spaceId: string): Promise<Member[]>;
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
