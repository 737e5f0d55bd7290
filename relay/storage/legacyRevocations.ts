/**
 * Migration step 2's plan, shared by both engines: schema 1 kept one revocation namespace per space, holding
 * invite ids and client-chosen member ids alike (a revocation of "owner" locked every owner device out, a
 * member id equal to an invite id revoked the invite). Schema 2 keeps invite and member revocations apart and
 * lists members under relay-derived ids (src/protocol/relayMemberId.ts). An old row is ambiguous; it becomes:
 *
 * - nothing, if its id is "owner" (the owner capability cannot be revoked; such a row can only come from the
 *   lockout attack). These are counted so the migration can say so in its log line.
 * - member revocations of the derived ids of the members whose old member id it is, never of a member that
 *   joined with the owner capability (the owner's devices cannot be revoked one by one either);
 * - an invite revocation, if it names an invite some member joined with, or if it matches no such member
 *   (an invite nobody used, or a member the list no longer has). Kept when in doubt: an old row blocked that
 *   invite already, and keeping a revocation never grants access.
 */
import { OWNER_CAPABILITY_ID } from '../../src/protocol/capability.ts';
import { relayMemberId } from '../../src/protocol/relayMemberId.ts';
import type { RevocationKind } from '../stores.ts';

export interface LegacyRevocation {
  readonly spaceId: string;
  readonly id: string;
  readonly revokedAt: number;
}
export interface LegacyMember {
  readonly spaceId: string;
  /** The client-chosen id schema 1 stored. */
  readonly memberId: string;
  readonly inviteId: string;
}
export interface Revocation {
  readonly spaceId: string;
  readonly kind: RevocationKind;
  readonly id: string;
  readonly revokedAt: number;
}

export function splitLegacyRevocations(revocations: Iterable<LegacyRevocation>, members: Iterable<LegacyMember>): { revocations: Revocation[]; droppedOwner: number } {
  const key = (spaceId: string, id: string) => `${spaceId}\n${id}`;
  const byMemberId = new Map<string, LegacyMember[]>();
  const usedInvites = new Set<string>();
  for (const m of members) {
    const k = key(m.spaceId, m.memberId);
    byMemberId.set(k, [...(byMemberId.get(k) ?? []), m]);
    usedInvites.add(key(m.spaceId, m.inviteId));
  }
  const out: Revocation[] = [];
  let droppedOwner = 0;
  for (const r of revocations) {
    if (r.id === OWNER_CAPABILITY_ID) {
      droppedOwner++;
      continue;
    }
    const revokedMembers = (byMemberId.get(key(r.spaceId, r.id)) ?? []).filter((m) => m.inviteId !== OWNER_CAPABILITY_ID);
    for (const m of revokedMembers) out.push({ spaceId: r.spaceId, kind: 'member', id: relayMemberId(m.inviteId, m.memberId), revokedAt: r.revokedAt });
    if (revokedMembers.length === 0 || usedInvites.has(key(r.spaceId, r.id))) out.push({ spaceId: r.spaceId, kind: 'invite', id: r.id, revokedAt: r.revokedAt });
  }
  return { revocations: out, droppedOwner };
}

/** The migration's log line about dropped "owner" revocations, or null when there were none. */
export function droppedOwnerNotice(engine: string, dropped: number): string | null {
  if (dropped === 0) return null;
  return `Quire relay: ${engine} access schema 2 dropped ${dropped} revocation(s) of the owner capability (left by the member-id collision attack; owners of those spaces can sync again)`;
}
