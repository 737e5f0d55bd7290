/**
 * Pages of the owner's member list (the `cursor` of a list-members request and the `next` of its reply,
 * src/protocol/accessMessages.ts). The cursor is the relay's own and opaque to clients:
 *
 *   <firstSeenAt, decimal ms>:<memberId>
 *
 * naming the last member of the previous page in the list's order (AccessStore.listMembers: most recently
 * joined first, by keys that never change), so a member who joins or reconnects between two pages moves no
 * other member across the page boundary: nothing is skipped or listed twice.
 */
import { ErrorCode } from '../src/core/errors.ts';
import { AccessMessageError, type MemberInfo } from '../src/protocol/accessMessages.ts';
import { isRelayMemberId } from '../src/protocol/relayMemberId.ts';
import type { AccessStore, MemberCursor } from './stores.ts';

const CURSOR = /^(\d{1,16}):(.+)$/;

export function encodeMemberCursor(member: Pick<MemberInfo, 'firstSeenAt' | 'memberId'>): string {
  return `${member.firstSeenAt}:${member.memberId}`;
}

/** The position a cursor names, or AccessMessageError (invalid-operation) for a string the relay never made. */
export function parseMemberCursor(cursor: string): MemberCursor {
  const m = CURSOR.exec(cursor);
  const firstSeenAt = Number(m?.[1]);
  if (!m || !Number.isSafeInteger(firstSeenAt) || !isRelayMemberId(m[2]!)) {
    throw new AccessMessageError(ErrorCode.InvalidOperation, 'Malformed access message: the cursor is not one this relay gave');
  }
  return { firstSeenAt, memberId: m[2]! };
}

/** One page of `pageSize` members after `cursor` (the first page without one), and the next page's cursor if there is one. */
export async function memberPage(store: AccessStore, spaceId: string, cursor: string | undefined, pageSize: number): Promise<{ members: MemberInfo[]; next?: string }> {
  const after = cursor === undefined ? null : parseMemberCursor(cursor);
  // One more than a page: whether it exists says whether there is a next page, without a count.
  const rows = await store.listMembers(spaceId, { after, limit: pageSize + 1 });
  const members = rows.slice(0, pageSize);
  const last = members[members.length - 1];
  return rows.length > pageSize && last ? { members, next: encodeMemberCursor(last) } : { members };
}
