/**
 * Members against the real relay process on loopback (SQLite engine; PostgreSQL runs the same store cases
 * through relay/testing/storesContract.ts in relay/cluster.test.ts):
 * - member ids chosen to collide (issue 10, "owner lockout"): an editor joining with member id "owner", or
 *   with another invite's id, gets a relay-derived id; revoking it revokes that device only, and every owner
 *   session still works, also after a restart;
 * - the caps on new members per invite and per space (quota-exceeded; known members still connect);
 * - the owner's list in pages, each member once, and old requests without a cursor.
 * Limits are small through the environment (relay/limits.ts LIMIT_ENV).
 */
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../src/core/errors.ts';
import { AccessMessageType, MAX_LISTED_MEMBERS, RelayCloseReason, parseCloseReason } from '../src/protocol/accessMessages.ts';
import type { MemberInfo } from '../src/protocol/accessMessages.ts';
import { randomId } from '../src/protocol/capability.ts';
import { relayToken } from '../src/protocol/inviteLink.ts';
import { DEFAULT_LIMITS, LIMIT_ENV, limitsFromEnv } from './limits.ts';
import type { OpenDoc } from './testing/relayClient.ts';
import type { RelayProcess } from './testing/relayProcess.ts';
import type { RawEvent } from './testing/rawRelaySocket.ts';
import { testSpace } from './testing/testSpace.ts';
import type { TestSpace } from './testing/testSpace.ts';
import { relayTestRig, text } from './testing/relayTestRig.ts';

const { relay, client, raw, until, applied, command } = relayTestRig('members');

/** A token for `capability` with a member id the client chose. */
const tokenAs = (capability: string, memberId: string, name: string) => relayToken({ capability, memberId, name });

/** The relay's first answer to one Auth of `doc` with `token` on a fresh raw socket: authenticated, or the denial's reason. */
async function authAnswer(r: RelayProcess, doc: string, token: string): Promise<string> {
  const s = await raw(r);
  s.auth(doc, token);
  let answer: RawEvent | undefined;
  await until(() => {
    answer = s.events.find((e) => e.doc === doc && (e.kind === 'authenticated' || e.kind === 'denied'));
    expect(answer).toBeDefined();
  });
  return answer!.kind === 'denied' ? answer!.reason : 'authenticated';
}

let reqs = 0;
/** Every member, following the pages (bounded: a relay that never ends the list fails the test). */
async function allMembers(owner: OpenDoc): Promise<{ members: MemberInfo[]; pages: number }> {
  const members: MemberInfo[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages <= 100; pages++) {
    const reply = await command(owner, { t: AccessMessageType.ListMembers, req: `l${++reqs}`, ...(cursor ? { cursor } : {}) });
    if (!reply.ok) throw new Error(`list refused: ${reply.message}`);
    members.push(...(reply.members ?? []));
    if (reply.next === undefined) return { members, pages };
    cursor = reply.next;
  }
  throw new Error('the member list did not end within 100 pages');
}

/** An owner device with the space registered and its space document synced. */
async function ownerOf(r: RelayProcess, space: TestSpace): Promise<OpenDoc> {
  const d = client(r, space.ownerToken()).open(space.doc('space'));
  await applied(d);
  return d;
}

describe('member ids the client chooses cannot collide (owner lockout)', () => {
  test('an editor joining as member "owner" or as another invite\'s id: revoking it revokes that device only, owners keep working, also after a restart', async () => {
    let r = await relay();
    const space = await testSpace();
    const owner = await ownerOf(r, space);
    owner.doc.getText('body').insert(0, 'tree');
    await applied(owner);
    const honest = await space.invite('editor');
    const vandalInvite = await space.invite('editor');
    const asOwner = tokenAs(vandalInvite.capability, 'owner', 'Mallory as owner');
    const asInvite = tokenAs(vandalInvite.capability, honest.inviteId, 'Mallory as invite');
    const vandals = [client(r, asOwner).open(space.doc('space')), client(r, asInvite).open(space.doc('space'))];
    const honestDoc = client(r, honest.token).open(space.doc('space'));
    await until(() => expect([...vandals, honestDoc].map(text)).toEqual(['tree', 'tree', 'tree']));

    // The owner sees the vandal's devices as members and revokes them, as the Members list offers.
    const { members } = await allMembers(owner);
    const listed = (name: string) => members.find((m) => m.name === name)!;
    for (const name of ['Mallory as owner', 'Mallory as invite']) {
      expect(listed(name)).toMatchObject({ inviteId: vandalInvite.inviteId, role: 'editor' });
      expect(await command(owner, { t: AccessMessageType.RevokeMember, req: `r-${name}`, memberId: listed(name).memberId })).toMatchObject({ ok: true });
    }
    for (const v of vandals) await until(() => expect(v.closeReasons.map(parseCloseReason)).toContain(RelayCloseReason.Revoked));

    const check = async () => {
      // Every owner session works: a new device, and one of the same member id as before.
      expect(await authAnswer(r, space.doc('space'), space.ownerToken())).toBe('authenticated');
      expect(await authAnswer(r, space.doc('other'), space.ownerToken('owner'))).toBe('authenticated');
      // The invite whose id the vandal used is not revoked, nor is its member.
      expect(await authAnswer(r, space.doc('space'), honest.token)).toBe('authenticated');
      expect(await authAnswer(r, space.doc('space'), tokenAs(honest.capability, randomId(), 'New'))).toBe('authenticated');
      // The vandal's revoked devices stay refused.
      expect(parseCloseReason(await authAnswer(r, space.doc('space'), asOwner))).toBe(RelayCloseReason.Revoked);
      expect(parseCloseReason(await authAnswer(r, space.doc('space'), asInvite))).toBe(RelayCloseReason.Revoked);
    };
    await check();
    owner.doc.getText('body').insert(0, 'still ');
    await until(() => expect(text(honestDoc)).toBe('still tree'));
    expect(owner.closeReasons).toEqual([]);
    expect(honestDoc.closeReasons).toEqual([]);

    const port = r.port;
    await r.stop('SIGTERM');
    r = await relay({}, port);
    await check();

    // The owner's devices cannot be revoked one by one (they all hold the one owner capability).
    const again = await ownerOf(r, space);
    const ownerDevice = members.find((m) => m.role === 'owner')!;
    expect(await command(again, { t: AccessMessageType.RevokeMember, req: 'r-owner', memberId: ownerDevice.memberId })).toMatchObject({ ok: false, code: ErrorCode.InvalidOperation });
  });
});

describe('member caps', () => {
  test('new members over the per-invite or per-space cap are refused with quota-exceeded; known members and the owner still connect', async () => {
    const r = await relay({ [LIMIT_ENV.maxMembersPerInvite]: '2', [LIMIT_ENV.maxMembersPerSpace]: '4' });
    const space = await testSpace();
    await ownerOf(r, space); // the owner's device counts: 1
    const a = await space.invite('editor');
    const tokenA = (id: string) => tokenAs(a.capability, id, id);
    expect(await authAnswer(r, space.doc('space'), tokenA('a1'))).toBe('authenticated');
    expect(await authAnswer(r, space.doc('space'), tokenA('a2'))).toBe('authenticated');
    expect(parseCloseReason(await authAnswer(r, space.doc('space'), tokenA('a3')))).toBe(RelayCloseReason.QuotaExceeded);
    expect(await authAnswer(r, space.doc('page'), tokenA('a1'))).toBe('authenticated'); // known: still connects

    const b = await space.invite('viewer');
    expect(await authAnswer(r, space.doc('space'), tokenAs(b.capability, 'b1', 'b1'))).toBe('authenticated'); // 4 in the space
    const c = await space.invite('editor');
    expect(parseCloseReason(await authAnswer(r, space.doc('space'), tokenAs(c.capability, 'c1', 'c1')))).toBe(RelayCloseReason.QuotaExceeded);
    expect(await authAnswer(r, space.doc('space'), space.ownerToken())).toBe('authenticated'); // the owner is never capped
  });
});

describe('member list pages', () => {
  test('the page size is read from the environment and may not exceed what one reply carries', () => {
    expect(limitsFromEnv({}).membersPerPage).toBe(DEFAULT_LIMITS.membersPerPage);
    expect(limitsFromEnv({ [LIMIT_ENV.membersPerPage]: String(MAX_LISTED_MEMBERS) }).membersPerPage).toBe(MAX_LISTED_MEMBERS);
    expect(() => limitsFromEnv({ [LIMIT_ENV.membersPerPage]: String(MAX_LISTED_MEMBERS + 1) })).toThrow(LIMIT_ENV.membersPerPage);
  });

  test('more members than a page: every member exactly once over the pages; a request without a cursor gets the first page; a forged cursor is refused', async () => {
    const PAGE = 3;
    const r = await relay({ [LIMIT_ENV.membersPerPage]: String(PAGE) });
    const space = await testSpace();
    const owner = await ownerOf(r, space);
    const invite = await space.invite('viewer');
    const names = Array.from({ length: 7 }, (_, i) => `viewer ${i}`);
    for (const name of names) expect(await authAnswer(r, space.doc('space'), tokenAs(invite.capability, randomId(), name))).toBe('authenticated');

    const { members, pages } = await allMembers(owner);
    expect(pages).toBe(3); // 8 members (7 and the owner's device) in pages of 3
    expect(new Set(members.map((m) => m.memberId)).size).toBe(8);
    expect(members.map((m) => m.name).sort()).toEqual([...names, 'Owner'].sort());

    // A request as every client before paging sent it: the first page, and a cursor to the next.
    const first = await command(owner, { t: AccessMessageType.ListMembers, req: 'old-client' });
    expect(first.ok && first.members?.length).toBe(PAGE);
    expect(first.ok && typeof first.next).toBe('string');
    expect(await command(owner, { t: AccessMessageType.ListMembers, req: 'forged', cursor: '12:owner' })).toMatchObject({ ok: false, code: ErrorCode.InvalidOperation });
  });
});
