/**
 * A space as its owner's device would set it up for the relay, for tests: real keys, a real owner
 * capability, real invites, and relay tokens around them (nothing stubbed: the relay verifies them all).
 */
import { createInvite, generateSpaceKeys, ownerCapability, randomId } from '../../src/protocol/capability.ts';
import type { InviteRole, SpaceKeys } from '../../src/protocol/capability.ts';
import { relayToken } from '../../src/protocol/inviteLink.ts';

export interface TestSpace {
  readonly spaceId: string;
  readonly keys: SpaceKeys;
  readonly ownerCapability: string;
  /** A relay token for the owner (a fresh member id unless given). */
  ownerToken(memberId?: string): string;
  /** A new invite and a relay token for it (a fresh member id unless given). */
  invite(role: InviteRole, expiresAt?: number | null, memberId?: string): Promise<{ inviteId: string; capability: string; memberId: string; token: string }>;
  /** `<spaceId>/<docId>`. */
  doc(docId: string): string;
}

export async function testSpace(spaceId: string = randomId()): Promise<TestSpace> {
  const keys = await generateSpaceKeys();
  const owner = await ownerCapability(spaceId, keys);
  return {
    spaceId,
    keys,
    ownerCapability: owner,
    ownerToken: (memberId = randomId()) => relayToken({ capability: owner, memberId, name: 'Owner' }),
    async invite(role, expiresAt = null, memberId = randomId()) {
      const { inviteId, capability } = await createInvite(spaceId, keys, { role, expiresAt });
      return { inviteId, capability, memberId, token: relayToken({ capability, memberId, name: `${role} ${memberId.slice(0, 4)}` }) };
    },
    doc: (docId) => `${spaceId}/${docId}`,
  };
}

const ownedSpaces = new Map<string, Promise<TestSpace>>();

/**
 * An owner token for `spaceId`, with the same keys every time it is asked for that id in this process: a
 * layer that is closed and reopened (as the contract suite does) presents the key the relay registered first.
 */
export async function ownerTokenFor(spaceId: string): Promise<string> {
  let space = ownedSpaces.get(spaceId);
  if (!space) {
    space = testSpace(spaceId);
    ownedSpaces.set(spaceId, space);
  }
  return (await space).ownerToken();
}
