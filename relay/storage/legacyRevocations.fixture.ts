/**
 * A schema-1 access store after the owner-lockout attack, for the migration tests of both engines
 * (sqliteAccessStore.test.ts, cluster.test.ts): what the rows were, and what schema 2 must make of them.
 *
 * The space: the owner's device; an honest editor of invite A; a vandal of invite B who joined with member
 * id "owner" and with member id A (invite A's id); invite C, revoked before anyone joined. The owner
 * revoked the vandal's "owner" and "A" members (the attack), and one honest member of invite A.
 */
import { expect } from 'vitest';
import { relayMemberId } from '../../src/protocol/relayMemberId.ts';
import type { AccessStore, Role } from '../stores.ts';

const A = 'inviteAAAAAAAAAAAAAAAAA';
const B = 'inviteBBBBBBBBBBBBBBBBB';
const C = 'inviteCCCCCCCCCCCCCCCCC';

export const SCHEMA_1_ATTACK = {
  spaceId: 'space-attacked',
  members: [
    { memberId: 'owner-device', inviteId: 'owner', role: 'owner' as Role, name: 'Owner', firstSeenAt: 10 },
    { memberId: 'honest-editor', inviteId: A, role: 'editor' as Role, name: 'Alice', firstSeenAt: 20 },
    { memberId: 'honest-revoked', inviteId: A, role: 'editor' as Role, name: 'Bob', firstSeenAt: 25 },
    { memberId: 'owner', inviteId: B, role: 'editor' as Role, name: 'Mallory as owner', firstSeenAt: 30 },
    { memberId: A, inviteId: B, role: 'editor' as Role, name: 'Mallory as invite A', firstSeenAt: 40 },
  ],
  revoked: ['owner', A, 'honest-revoked', C],
} as const;

/** Asserts schema 2's reading of SCHEMA_1_ATTACK through the new AccessStore (and the log line). */
export async function expectAttackMigrated(store: AccessStore, log: readonly string[]): Promise<void> {
  const s = SCHEMA_1_ATTACK.spaceId;
  // The owner capability is not revoked: the row of "owner" was dropped, and said so.
  expect(await store.isRevoked(s, 'invite', 'owner')).toBe(false);
  expect(await store.isRevoked(s, 'member', relayMemberId('owner', 'owner-device'))).toBe(false);
  expect(log.filter((l) => l.includes('dropped 1 revocation'))).toHaveLength(1);
  // "A" matched both an invite members joined with and the vandal's member id: both stay revoked.
  expect(await store.isRevoked(s, 'invite', A)).toBe(true);
  expect(await store.isRevoked(s, 'member', relayMemberId(B, A))).toBe(true);
  // The honest member revoked by its id is a member revocation (not an invite one).
  expect(await store.isRevoked(s, 'member', relayMemberId(A, 'honest-revoked'))).toBe(true);
  expect(await store.isRevoked(s, 'invite', 'honest-revoked')).toBe(false);
  expect(await store.isRevoked(s, 'member', relayMemberId(A, 'honest-editor'))).toBe(false);
  // A row naming no member is an invite revocation; the vandal's invite itself was never revoked.
  expect(await store.isRevoked(s, 'invite', C)).toBe(true);
  expect(await store.isRevoked(s, 'invite', B)).toBe(false);
  // Members are listed under derived ids, with their invites, roles, names and times.
  const listed = await store.listMembers(s, { after: null, limit: 100 });
  expect(listed).toEqual(
    [...SCHEMA_1_ATTACK.members]
      .reverse()
      .map((m) => ({ memberId: relayMemberId(m.inviteId, m.memberId), inviteId: m.inviteId, role: m.role, name: m.name, firstSeenAt: m.firstSeenAt, lastSeenAt: m.firstSeenAt })),
  );
}
